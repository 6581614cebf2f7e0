#include "runtime/data/image_dimensions.h"

#include <cstdlib>
#include <cstring>

namespace graft {

namespace {

int64_t headerBigEndian16(const unsigned char* p) {
  return (int64_t{p[0]} << 8) | p[1];
}
int64_t headerBigEndian32(const unsigned char* p) {
  return (int64_t{p[0]} << 24) | (int64_t{p[1]} << 16) | (int64_t{p[2]} << 8) | p[3];
}
int64_t headerLittleEndian16(const unsigned char* p) {
  return (int64_t{p[1]} << 8) | p[0];
}
int64_t headerLittleEndian24(const unsigned char* p) {
  return (int64_t{p[2]} << 16) | (int64_t{p[1]} << 8) | p[0];
}
int64_t headerLittleEndian32(const unsigned char* p) {
  return (int64_t{p[3]} << 24) | (int64_t{p[2]} << 16) | (int64_t{p[1]} << 8) | p[0];
}

// JPEG: markers from SOI on; the first start-of-frame (C0-CF but C4 DHT, C8 JPG, CC DAC) holds
// height then width after its length and precision.
std::optional<ImageDimensions> jpegDimensions(const unsigned char* data, size_t size) {
  size_t at = 2;
  while (at + 4 <= size) {
    if (data[at] != 0xFF) return std::nullopt;
    const unsigned char marker = data[at + 1];
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += 2;
      continue;
    }
    const size_t length = static_cast<size_t>(headerBigEndian16(data + at + 2));
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (at + 9 > size) return std::nullopt;
      return ImageDimensions{headerBigEndian16(data + at + 7), headerBigEndian16(data + at + 5)};
    }
    if (marker == 0xDA || length < 2) return std::nullopt;  // scan data before any frame
    at += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageDimensions> webpDimensions(const unsigned char* data, size_t size) {
  if (size < 30) return std::nullopt;
  const unsigned char* chunk = data + 12;
  if (std::memcmp(chunk, "VP8 ", 4) == 0)
    return ImageDimensions{headerLittleEndian16(data + 26) & 0x3FFF,
                           headerLittleEndian16(data + 28) & 0x3FFF};
  if (std::memcmp(chunk, "VP8L", 4) == 0) {
    const int64_t bits = headerLittleEndian32(data + 21);
    return ImageDimensions{(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
  }
  if (std::memcmp(chunk, "VP8X", 4) == 0)
    return ImageDimensions{headerLittleEndian24(data + 24) + 1,
                           headerLittleEndian24(data + 27) + 1};
  return std::nullopt;
}

}  // namespace

std::optional<ImageDimensions> imageDimensions(const unsigned char* data, size_t size) {
  static const unsigned char kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (size >= 24 && std::memcmp(data, kPng, 8) == 0 && std::memcmp(data + 12, "IHDR", 4) == 0)
    return ImageDimensions{headerBigEndian32(data + 16), headerBigEndian32(data + 20)};
  if (size >= 4 && data[0] == 0xFF && data[1] == 0xD8) return jpegDimensions(data, size);
  if (size >= 26 && data[0] == 'B' && data[1] == 'M') {
    // BITMAPCOREHEADER (12 bytes) has 16-bit sizes; the later headers 32-bit, the height
    // negative for rows stored top down.
    if (headerLittleEndian32(data + 14) == 12)
      return ImageDimensions{headerLittleEndian16(data + 18), headerLittleEndian16(data + 20)};
    const auto height =
        static_cast<int32_t>(static_cast<uint32_t>(headerLittleEndian32(data + 22)));
    return ImageDimensions{headerLittleEndian32(data + 18) & 0x7FFFFFFF, std::abs(int64_t{height})};
  }
  if (size >= 10 && (std::memcmp(data, "GIF87a", 6) == 0 || std::memcmp(data, "GIF89a", 6) == 0))
    return ImageDimensions{headerLittleEndian16(data + 6), headerLittleEndian16(data + 8)};
  if (size >= 16 && std::memcmp(data, "RIFF", 4) == 0 && std::memcmp(data + 8, "WEBP", 4) == 0)
    return webpDimensions(data, size);
  return std::nullopt;
}

}  // namespace graft
