#pragma once
// Reads back the 8-bit RGB PNGs graft-cli writes (this test target does not link OpenCV):
// chunks, zlib, and the five row filters of the PNG specification. Anything else fails.
#include <cstdint>
#include <string>
#include <vector>

namespace graft::test {

struct PngImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3
  std::string error;         // non-empty: not read
};

PngImage readRgbPng(const std::string& path);

}  // namespace graft::test
