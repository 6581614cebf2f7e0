#pragma once
// An image's width and height from its header, before anything is decoded: a small file can
// describe a picture far larger than memory (a 388 KB PNG of 20000 x 20000 pixels took 7 GB to
// decode), and Graft only shrinks it to the model's input.
#include <cstddef>
#include <cstdint>
#include <optional>

namespace graft {

struct ImageDimensions {
  int64_t width = 0;
  int64_t height = 0;
};

// PNG (IHDR), JPEG (the first start-of-frame marker), BMP, GIF (the logical screen) and WebP
// (VP8, VP8L, VP8X); nullopt for other formats or a header cut off before the size.
std::optional<ImageDimensions> imageDimensions(const unsigned char* data, size_t size);

}  // namespace graft
