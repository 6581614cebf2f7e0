#include "runtime/data/image_bmp.h"

#include <cstdint>
#include <cstdlib>

namespace graft {

namespace {

constexpr size_t kFileHeader = 14;
constexpr uint32_t kCoreHeader = 12;          // OS/2 BITMAPCOREHEADER: 16-bit width and height
constexpr uint32_t kInfoHeader = 40;          // BITMAPINFOHEADER and the later ones that extend it
constexpr uint32_t kRgb = 0, kBitFields = 3;  // compressions; 1 and 2 are RLE8 and RLE4

uint32_t littleEndian(const unsigned char* p, size_t bytes) {
  uint32_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value |= uint32_t{p[i]} << (8 * i);
  return value;
}

}  // namespace

bool looksLikeBmp(const unsigned char* data, size_t size) {
  return size >= 2 && data[0] == 'B' && data[1] == 'M';
}

std::string bmpTruncation(const unsigned char* data, size_t size) {
  const std::string end = "the file ends at byte " + std::to_string(size);
  if (size < kFileHeader + 4) return "its header is cut off; " + end;
  const uint32_t headerSize = littleEndian(data + kFileHeader, 4);
  // OpenCV asserts (and prints) the header's size is positive as an int, and its compression
  // one BMP has; it refuses other header sizes below 36 quietly.
  if (headerSize == 0 || headerSize > INT32_MAX)
    return "its header size " + std::to_string(headerSize) + " is impossible";
  if (headerSize != kCoreHeader && headerSize < kInfoHeader - 4) return "";
  // OpenCV reads the first 40 bytes of any longer header (V4, V5) as a BITMAPINFOHEADER.
  const size_t headerBytes = kFileHeader + (headerSize == kCoreHeader ? kCoreHeader : kInfoHeader);
  if (size < headerBytes)
    return "its " + std::to_string(headerBytes) + "-byte header is cut off; " + end;
  const uint64_t offset = littleEndian(data + 10, 4);
  const unsigned char* info = data + kFileHeader + 4;
  const bool core = headerSize == kCoreHeader;
  const int64_t width = core ? littleEndian(info, 2) : int32_t(littleEndian(info, 4));
  const int64_t height = core ? littleEndian(info + 2, 2) : int32_t(littleEndian(info + 4, 4));
  const uint32_t bits = littleEndian(info + (core ? 6 : 10), 2);
  const uint32_t compression = core ? kRgb : littleEndian(info + 12, 4);
  const uint32_t stored = core ? 0 : littleEndian(info + 16, 4);  // may be 0 when uncompressed
  if (compression > kBitFields)
    return "its compression " + std::to_string(compression) + " is none BMP has";
  uint64_t pixelBytes = 0;
  if (compression == kRgb || compression == kBitFields) {
    if (width <= 0 || height == 0 || bits == 0 || bits > 32) return "";  // OpenCV refuses it
    // OpenCV reads every row with its padding to 4 bytes (15-bit pixels take 16).
    const uint64_t rowBytes = ((uint64_t(width) * (bits == 15 ? 16 : bits) + 7) / 8 + 3) & ~3ull;
    if (__builtin_mul_overflow(rowBytes, uint64_t(std::llabs(height)), &pixelBytes))
      pixelBytes = UINT64_MAX;  // a corrupt header's sizes: more than any file holds
  } else {                      // RLE8, RLE4
    pixelBytes = stored;        // the runs' length is known only by decoding them
  }
  if (offset <= size && pixelBytes <= size - offset) return "";
  return "its header describes " + std::to_string(width) + "x" +
         std::to_string(std::llabs(height)) + " pixels at " + std::to_string(bits) + " bits, " +
         std::to_string(pixelBytes) + " bytes from byte " + std::to_string(offset) + "; " + end;
}

}  // namespace graft
