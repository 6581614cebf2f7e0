#include "png_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace graft::test {

namespace {

uint32_t bigEndian(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 |
         uint32_t(b[at + 3]);
}

int paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

}  // namespace

PngImage readRgbPng(const std::string& path) {
  PngImage image;
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  if (bytes.size() < 8 || !std::equal(signature, signature + 8, bytes.begin())) {
    image.error = path + ": not a PNG";
    return image;
  }
  std::vector<uint8_t> compressed;
  for (size_t at = 8; at + 12 <= bytes.size();) {
    const uint32_t length = bigEndian(bytes, at);
    const std::string type(bytes.begin() + at + 4, bytes.begin() + at + 8);
    if (at + 12 + length > bytes.size()) break;
    const size_t data = at + 8;
    if (type == "IHDR") {
      image.width = static_cast<int>(bigEndian(bytes, data));
      image.height = static_cast<int>(bigEndian(bytes, data + 4));
      if (bytes[data + 8] != 8 || bytes[data + 9] != 2 || bytes[data + 12] != 0) {
        image.error = path + ": not 8-bit RGB without interlacing";
        return image;
      }
    } else if (type == "IDAT") {
      compressed.insert(compressed.end(), bytes.begin() + data, bytes.begin() + data + length);
    }
    at += 12 + length;
  }
  const size_t stride = static_cast<size_t>(image.width) * 3;
  std::vector<uint8_t> raw((stride + 1) * image.height);
  uLongf rawSize = raw.size();
  if (image.width <= 0 ||
      uncompress(raw.data(), &rawSize, compressed.data(), compressed.size()) != Z_OK ||
      rawSize != raw.size()) {
    image.error = path + ": the image data cannot be inflated";
    return image;
  }
  image.rgb.resize(stride * image.height);
  for (int y = 0; y < image.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* line = &raw[y * (stride + 1) + 1];
    uint8_t* out = &image.rgb[y * stride];
    const uint8_t* up = y ? out - stride : nullptr;
    for (size_t x = 0; x < stride; ++x) {
      const int a = x >= 3 ? out[x - 3] : 0, b = up ? up[x] : 0, c = up && x >= 3 ? up[x - 3] : 0;
      const int predictors[5] = {0, a, b, (a + b) / 2, paeth(a, b, c)};
      if (filter > 4) {
        image.error = path + ": unknown row filter";
        return image;
      }
      out[x] = static_cast<uint8_t>(line[x] + predictors[filter]);
    }
  }
  return image;
}

}  // namespace graft::test
