#pragma once
// A small uncompressed little-endian TIFF written byte by byte (no Python, no OpenCV writer):
// `channels` samples per pixel of 32-bit floats, all `value`. For the images OpenCV cannot
// convert to colour (runtime/data/image_tiff.h).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace graft::test {

inline std::vector<unsigned char> floatTiff(uint32_t width, uint32_t height, uint16_t channels,
                                            float value = 0.5f) {
  std::vector<unsigned char> out{'I', 'I', 42, 0};  // little-endian TIFF
  const auto u16 = [&out](uint32_t v) {
    out.push_back(static_cast<unsigned char>(v));
    out.push_back(static_cast<unsigned char>(v >> 8));
  };
  const auto u32 = [&](uint32_t v) {
    u16(v & 0xffff);
    u16(v >> 16);
  };
  const uint32_t entries = 11;
  const uint32_t ifd = 8, ifdEnd = ifd + 2 + 12 * entries + 4;
  // Per-channel values that do not fit in an entry (more than two SHORTs) go after the IFD.
  const bool outOfLine = channels > 2;
  const uint32_t bitsAt = ifdEnd, formatAt = bitsAt + 2u * channels;
  const uint32_t pixelsAt = outOfLine ? formatAt + 2u * channels : ifdEnd;
  const uint32_t pixelBytes = width * height * channels * 4;
  u32(ifd);
  u16(entries);
  const auto entry = [&](uint32_t tag, uint32_t type, uint32_t count, uint32_t v) {
    u16(tag);
    u16(type);
    u32(count);
    if (type == 3 && count == 1) {
      u16(v);
      u16(0);
    } else {
      u32(v);
    }
  };
  const auto perChannel = [&](uint32_t tag, uint32_t v, uint32_t at) {
    if (channels == 1) return entry(tag, 3, 1, v);
    if (!outOfLine) return entry(tag, 3, 2, v | (v << 16));
    entry(tag, 3, channels, at);
  };
  entry(256, 3, 1, width);
  entry(257, 3, 1, height);
  perChannel(258, 32, bitsAt);              // BitsPerSample
  entry(259, 3, 1, 1);                      // no compression
  entry(262, 3, 1, channels >= 3 ? 2 : 1);  // RGB or BlackIsZero
  entry(273, 4, 1, pixelsAt);               // StripOffsets
  entry(277, 3, 1, channels);               // SamplesPerPixel
  entry(278, 3, 1, height);                 // RowsPerStrip
  entry(279, 4, 1, pixelBytes);             // StripByteCounts
  entry(284, 3, 1, 1);                      // chunky
  perChannel(339, 3, formatAt);             // SampleFormat: IEEE float
  u32(0);                                   // no next IFD
  if (outOfLine) {
    for (uint16_t c = 0; c < channels; ++c) u16(32);
    for (uint16_t c = 0; c < channels; ++c) u16(3);
  }
  uint32_t bits = 0;
  std::memcpy(&bits, &value, 4);
  for (uint32_t i = 0; i < width * height * channels; ++i) u32(bits);
  return out;
}

}  // namespace graft::test
