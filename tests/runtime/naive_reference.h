#pragma once
// Straightforward loops over Keras-layout (NHWC) tensors, written from Keras's and TensorFlow's
// documented definitions, with double accumulators: the independent reference the LibTorch ops
// are compared with. Slow, so only for small tensors.
#include <torch/types.h>

#include <optional>

namespace graft::test::naive {

struct Geometry {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  bool same = false;
};

// TensorFlow's output size and leading padding for one axis.
int64_t outputSize(int64_t n, int64_t k, int64_t s, int64_t d, bool same);
int64_t padBefore(int64_t n, int64_t k, int64_t s, int64_t d, bool same);

// x (N, H, W, Cin), kernel (kh, kw, Cin / groups, Cout), bias (Cout) or undefined.
torch::Tensor conv2d(const torch::Tensor& x, const torch::Tensor& kernel, const torch::Tensor& bias,
                     const Geometry& g, int64_t groups = 1);
// kernel (kh, kw, Cin, mult); output channel c * mult + m.
torch::Tensor depthwise(const torch::Tensor& x, const torch::Tensor& kernel,
                        const torch::Tensor& bias, const Geometry& g);
// Window maximum / mean over valid cells only (padding never counted).
torch::Tensor maxPool(const torch::Tensor& x, const Geometry& g);
torch::Tensor avgPool(const torch::Tensor& x, const Geometry& g);
// x (N, in) @ kernel (in, out) + bias.
torch::Tensor dense(const torch::Tensor& x, const torch::Tensor& kernel, const torch::Tensor& bias);

}  // namespace graft::test::naive
