#pragma once
// Fitting a loaded image to a model's input: the size to use, and Keras's default resampling.
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>

#include "graph/shape.h"

namespace graft {

// Nearest-neighbour resampling exactly as PIL's Image.resize(NEAREST), which Keras's
// image.load_img(target_size=...) uses by default: output pixel x takes source pixel
// (x + 0.5) * in / out, truncated, with Pillow's rounding (the centres summed in double).
// (OpenCV's INTER_NEAREST takes floor(x * in / out) instead, which shifts the grid by half a
// source pixel.) The whole image is scaled to the target,
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

// Keras image inputs: (None, H, W, C), or (None, H, W) — one grey plane without a channel axis,
// as MNIST-style models are often built (keras.Input((28, 28)) then Flatten).
bool isPlaneInput(const Shape& inputShape);  // (None, H, W)
// (None, H, W, 1 or 3) or a plane. `anyChannels` also accepts C unknown (read as RGB).
bool isImageInput(const Shape& inputShape, bool anyChannels = false);
// Images for this input are read as grey: one channel, or a plane.
bool takesGrayImages(const Shape& inputShape);

// The (width, height) an image of `image` size is resized to for a Keras image input
// (isImageInput): known dimensions win; unknown ones follow `free`.
cv::Size targetSize(const Shape& inputShape, cv::Size image, FreeInputSize free);

// An image file ready for preprocessing into a Keras image input: decoded upright
// (loadImageRgb), resized by targetSize and resizeNearest, grey when takesGrayImages. Throws
// graft::Error naming the file when it cannot be read.
cv::Mat loadImageForInput(const std::string& path, const Shape& inputShape, FreeInputSize free);

}  // namespace graft
