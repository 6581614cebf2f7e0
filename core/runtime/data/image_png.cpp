#include "runtime/data/image_png.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <functional>

namespace graft {

namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr size_t kChunkFraming = 12;  // length, type, CRC

uint32_t bigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

std::string chunkType(const unsigned char* p) {
  std::string type(reinterpret_cast<const char*>(p), 4);
  for (char& c : type)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  return type;
}

// The CRC covers the chunk's type and data (PNG spec 5.3), as libpng checks it.
bool crcHolds(const unsigned char* chunk, size_t length) {
  const uLong crc = crc32_z(crc32_z(0L, Z_NULL, 0), chunk + 4, length + 4);
  return crc == bigEndian32(chunk + 8 + length);
}

// Bit 5 of the type's first byte (a lower-case letter) marks an ancillary chunk.
bool isAncillary(const unsigned char* chunk) {
  return (chunk[4] & 0x20) != 0;
}

// Calls `visit(offset, length)` for each chunk up to and including IEND; "" when all lie inside
// the data, otherwise where the data ends.
std::string walkChunks(const unsigned char* data, size_t size,
                       const std::function<std::string(size_t, size_t)>& visit) {
  if (!looksLikePng(data, size)) return "no PNG signature";
  const std::string end = "the file ends at byte " + std::to_string(size);
  size_t pos = sizeof kPngSignature;
  std::string previous;
  while (true) {
    if (size - pos < 8) {
      if (previous.empty()) return "no chunk after the signature; " + end;
      return "no IEND chunk: " + end + ", after its " + previous + " chunk";
    }
    const uint64_t length = bigEndian32(data + pos);
    const std::string type = chunkType(data + pos + 4);
    if (length + kChunkFraming > size - pos)
      return "its " + type + " chunk at byte " + std::to_string(pos) + " declares " +
             std::to_string(length) + " bytes, " + end;
    const std::string wrong = visit(pos, static_cast<size_t>(length));
    if (!wrong.empty()) return wrong;
    if (type == "IEND") return "";
    pos += static_cast<size_t>(length) + kChunkFraming;
    previous = type;
  }
}

}  // namespace

bool looksLikePng(const unsigned char* data, size_t size) {
  return size >= sizeof kPngSignature &&
         std::memcmp(data, kPngSignature, sizeof kPngSignature) == 0;
}

std::string pngDefect(const unsigned char* data, size_t size) {
  return walkChunks(data, size, [data](size_t pos, size_t length) -> std::string {
    if (isAncillary(data + pos) || crcHolds(data + pos, length)) return "";
    return "its " + chunkType(data + pos + 4) + " chunk at byte " + std::to_string(pos) +
           " fails its CRC check";
  });
}

std::vector<unsigned char> pngWithoutDamagedAncillaryChunks(const std::vector<unsigned char>& png) {
  std::vector<unsigned char> kept;
  size_t copied = 0;  // bytes of `png` up to here are in `kept`
  walkChunks(png.data(), png.size(), [&](size_t pos, size_t length) -> std::string {
    if (!isAncillary(png.data() + pos) || crcHolds(png.data() + pos, length)) return "";
    kept.insert(kept.end(), png.begin() + static_cast<std::ptrdiff_t>(copied),
                png.begin() + static_cast<std::ptrdiff_t>(pos));
    copied = pos + length + kChunkFraming;
    return "";
  });
  if (copied == 0) return {};
  kept.insert(kept.end(), png.begin() + static_cast<std::ptrdiff_t>(copied), png.end());
  return kept;
}

}  // namespace graft
