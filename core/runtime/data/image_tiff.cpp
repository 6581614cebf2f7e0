#include "runtime/data/image_tiff.h"

#include <cstdint>

namespace graft {

namespace {

// Reads the TIFF's integers in its byte order, refusing anything past the end of the data.
class TiffBytes {
 public:
  TiffBytes(const unsigned char* data, size_t size)
      : data_(data), size_(size), little_(size >= 2 && data[0] == 'I') {}

  std::optional<uint32_t> u16(size_t at) const { return read(at, 2); }
  std::optional<uint32_t> u32(size_t at) const { return read(at, 4); }

 private:
  std::optional<uint32_t> read(size_t at, size_t bytes) const {
    if (at > size_ || size_ - at < bytes) return std::nullopt;
    uint32_t value = 0;
    for (size_t i = 0; i < bytes; ++i)
      value |= static_cast<uint32_t>(data_[at + i]) << (8 * (little_ ? i : bytes - 1 - i));
    return value;
  }

  const unsigned char* data_;
  size_t size_;
  bool little_;
};

}  // namespace

bool looksLikeTiff(const unsigned char* data, size_t size) {
  return size >= 4 && ((data[0] == 'I' && data[1] == 'I' && data[2] == 42 && data[3] == 0) ||
                       (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && data[3] == 42));
}

std::optional<TiffSamples> tiffSamples(const unsigned char* data, size_t size) {
  if (!looksLikeTiff(data, size)) return std::nullopt;
  const TiffBytes bytes(data, size);
  const auto ifd = bytes.u32(4);
  if (!ifd) return std::nullopt;
  const auto entries = bytes.u16(*ifd);
  if (!entries) return std::nullopt;
  TiffSamples samples;
  for (uint32_t i = 0; i < *entries; ++i) {
    const size_t entry = size_t{*ifd} + 2 + size_t{12} * i;
    const auto tag = bytes.u16(entry), type = bytes.u16(entry + 2), count = bytes.u32(entry + 4);
    if (!tag || !type || !count) return std::nullopt;
    if (*tag != 258 && *tag != 262 && *tag != 277 && *tag != 339) continue;
    // The tags' first value: a SHORT (type 3) inline when the values fit in 4 bytes, else at
    // the offset the entry holds; a LONG (type 4) is allowed too.
    const size_t width = *type == 4 ? 4 : 2;
    size_t at = entry + 8;
    if (size_t{*count} * width > 4) {
      const auto offset = bytes.u32(entry + 8);
      if (!offset) return std::nullopt;
      at = *offset;
    }
    const auto value = width == 4 ? bytes.u32(at) : bytes.u16(at);
    if (!value) return std::nullopt;
    const int v = static_cast<int>(*value);
    if (*tag == 258) samples.bitsPerSample = v;
    if (*tag == 262) samples.photometric = v;
    if (*tag == 277) samples.samplesPerPixel = v;
    if (*tag == 339) samples.sampleFormat = v;
  }
  return samples;
}

std::string unreadableTiffSamples(const TiffSamples& samples) {
  // 32844 and 32845: SGI LogL and LogLuv, which libtiff converts to colour itself.
  const bool logLuv = samples.photometric == 32844 || samples.photometric == 32845;
  if (samples.bitsPerSample < 32 || logLuv) return "";
  const std::string kind = samples.sampleFormat == 3   ? "floating-point"
                           : samples.sampleFormat == 2 ? "signed integer"
                                                       : "integer";
  return std::to_string(samples.bitsPerSample) + "-bit " + kind + " samples in " +
         std::to_string(samples.samplesPerPixel) + " channel" +
         (samples.samplesPerPixel == 1 ? "" : "s");
}

}  // namespace graft
