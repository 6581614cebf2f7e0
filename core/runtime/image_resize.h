#pragma once
// Fitting a loaded image to a model's input: the size to use, and Keras's default resampling.
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>

#include "graph/shape.h"

namespace graft {

// Nearest-neighbour resampling exactly as PIL's Image.resize(NEAREST), which Keras's
// image.load_img(target_size=...) uses by default: output pixel x takes source pixel
// floor((x + 0.5) * in / out). (OpenCV's INTER_NEAREST takes floor(x * in / out) instead,
// which shifts the grid by half a source pixel.) The whole image is scaled to the target,
// aspect ratio not kept, never cropped — as load_img does. Any type; a same-size image is
// returned as a copy.
cv::Mat resizeNearest(const cv::Mat& image, int width, int height);

// How to size images for a model input whose height or width is None (any size accepted).
struct FreeInputSize {
  // 0: each image keeps its own size (fully convolutional models run on it as is). Otherwise
  // the unknown dimensions become this many pixels; predict uses the zoo default (224, 299 for
  // Inception/Xception), the size such weights were trained at.
  int64_t pixels = 224;
};

// The (width, height) an image of `image` size is resized to for a Keras input shape
// (None, H, W, C): known dimensions win; unknown ones follow `free`.
cv::Size targetSize(const Shape& inputShape, cv::Size image, FreeInputSize free);

// An image file ready for preprocessing into a Keras input (None, H, W, C): decoded upright
// (loadImageRgb), resized by targetSize and resizeNearest, grey when C is 1. Throws
// graft::Error naming the file when it cannot be read.
cv::Mat loadImageForInput(const std::string& path, const Shape& inputShape, FreeInputSize free);

}  // namespace graft
