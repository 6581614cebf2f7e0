#pragma once
// Keras's imagenet_utils.preprocess_input, applied while laying images out as an NCHW batch.
#include <torch/types.h>

#include <opencv2/core/mat.hpp>

#include <vector>

#include "graph/model.h"

namespace graft {

// Per channel, on pixel values 0..255 in RGB order (float32 arithmetic, Keras's order of
// operations):
//   Caffe: channels become B, G, R; subtract [103.939, 116.779, 123.68]; no scaling.
//   Tf:    x / 127.5 - 1.
//   Torch: (x / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]  (RGB order).
//   Unit:  x / 255.
//   None:  x.
// `image` is CV_32FC3 (RGB) or CV_32FC1 (gray; Caffe and Torch need three channels and throw
// graft::Error). Writes channels * rows * cols floats, channel-planar, to `out`.
void preprocessPlanar(const cv::Mat& image, Preprocessing mode, float* out);

// A float32 (N, C, H, W) batch of equally sized images, each through preprocessPlanar.
// Throws graft::Error when the images differ in size or channels or the list is empty.
torch::Tensor preprocessBatch(const std::vector<cv::Mat>& images, Preprocessing mode);

// A (N, C, H, W) batch laid out as the model's input takes it: (N, H, W) for a plane input
// (None, H, W) (isPlaneInput), unchanged otherwise.
torch::Tensor asModelInput(const torch::Tensor& batch, const Shape& inputShape);

}  // namespace graft
