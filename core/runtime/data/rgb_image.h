#pragma once
// Images handed to the CLI and the GUI as plain bytes (no OpenCV, no LibTorch in their headers),
// and Grad-CAM's overlay drawn on them.
#include <cstdint>
#include <string>
#include <vector>

namespace graft {

// 8-bit RGB, rows top to bottom, no padding: pixels.size() == width * height * 3.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
};

// An image file decoded upright at its own size (runtime/data/image_loader.h's loadImageRgb,
// rounded to bytes). Throws graft::Error naming the file.
RgbImage loadRgbImage(const std::string& path);

// `map` (mapWidth x mapHeight values in [0, 1], row-major) upsampled bilinearly to the image's
// size, coloured with OpenCV's COLORMAP_JET (0 blue, 1 red) and blended over the image:
// (1 - opacity) * image + opacity * colour. opacity is clamped to [0, 1].
RgbImage overlayHeatmap(const RgbImage& image, const std::vector<float>& map, int mapWidth,
                        int mapHeight, double opacity);

// Writes a PNG; throws graft::Error naming the path when it cannot be written.
void writePng(const RgbImage& image, const std::string& path);

}  // namespace graft
