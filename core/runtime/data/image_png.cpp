#include "runtime/data/image_png.h"

#include <cstdint>
#include <cstring>

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

}  // namespace

bool looksLikePng(const unsigned char* data, size_t size) {
  return size >= sizeof kPngSignature &&
         std::memcmp(data, kPngSignature, sizeof kPngSignature) == 0;
}

std::string pngTruncation(const unsigned char* data, size_t size) {
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
    if (type == "IEND") return "";
    pos += static_cast<size_t>(length) + kChunkFraming;
    previous = type;
  }
}

}  // namespace graft
