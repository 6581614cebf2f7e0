#pragma once
// Straightforward loops over Keras-layout (NHWC) tensors, written from Keras's and TensorFlow's
// documented definitions, with double accumulators: the independent reference the LibTorch ops
// are compared with. Slow, so only for small tensors.
#include <torch/types.h>

#include <optional>
#include <vector>

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
// Keras PReLU on x (N, ...): x where x > 0 else alpha[i] * x, alpha of shape x.shape[1:] with
// size 1 along shared axes (its index there is 0). Double result.
torch::Tensor prelu(const torch::Tensor& x, const torch::Tensor& alpha);
// UpSampling2D on x (N, H, W, C): each row repeated fh times and each column fw times.
torch::Tensor upsampleNearest(const torch::Tensor& x, int64_t fh, int64_t fw);
// UpSampling2D bilinear: tf.image.resize to (H * fh, W * fw), as resizeBilinear below.
torch::Tensor upsampleBilinear(const torch::Tensor& x, int64_t fh, int64_t fw);
// tf.image.resize (antialias off) of x (N, H, W, C) to (N, oh, ow, C), written from TensorFlow's
// kernels: bilinear is resize_bilinear with half_pixel_centers, in = (out + 0.5) * scale - 0.5,
// lower = max(floor(in), 0), upper = min(ceil(in), size - 1), weight in - floor(in); nearest reads
// row min(floor((out + 0.5) * in / out), in - 1) (resize_nearest_neighbor_op.cc, half-pixel
// centres); scale and source coordinates in float32 as there. Double result.
torch::Tensor resizeBilinear(const torch::Tensor& x, int64_t oh, int64_t ow);
torch::Tensor resizeNearest(const torch::Tensor& x, int64_t oh, int64_t ow);
// Keras LayerNormalization along `axis` of x: per position of the other axes, mean and biased
// variance along `axis`, (x - mean) / sqrt(var + eps) * gamma + beta (undefined: 1 / 0).
torch::Tensor layerNorm(const torch::Tensor& x, int64_t axis, const torch::Tensor& gamma,
                        const torch::Tensor& beta, double epsilon);
// Keras LayerNormalization over several `axes` of x (in the config's order): per position of
// the other axes, mean and biased variance over all of them together, then gamma and beta,
// indexed as Keras broadcasts them (reshaped row-major to the input's rank): the entry at the
// row-major offset of the element's coordinates along the axes in increasing order. Double.
torch::Tensor layerNormAxes(const torch::Tensor& x, const std::vector<int64_t>& axes,
                            const torch::Tensor& gamma, const torch::Tensor& beta, double epsilon);
// Keras 3 AutoContrast on x (N, H, W, C), value_range [low, high], written from
// auto_contrast.py's transform_images and _transform_value_range, each step in float32:
// to [0, 255] (unless the range is [0, 255]), per image and channel m, M = min, max over H and
// W, y = clip(x' * s + (-m * s), 0, 255) with s = 255 / (M - m), back to the range; where y is
// NaN (M == m) the input value.
torch::Tensor autoContrast(const torch::Tensor& x, float low, float high);
// Keras Conv2DTranspose on x (N, H, W, Cin), kernel (kh, kw, Cout, Cin), bias (Cout) or
// undefined; output_padding oh / ow (-1: Keras's None). Output size by Keras's
// deconv_output_length; each output cell the sum of x[i] * kernel[t] over the input cells i and
// taps t that land on it (i * stride + t * dilation - before, `before` TensorFlow's `same` pad of
// the forward convolution from the output's size), plus the bias. Double accumulators.
torch::Tensor conv2dTranspose(const torch::Tensor& x, const torch::Tensor& kernel,
                              const torch::Tensor& bias, const Geometry& g, int64_t oh = -1,
                              int64_t ow = -1);
// Keras RepeatVector: x (N, F) -> (N, n, F), out[b][i][f] = x[b][f].
torch::Tensor repeatVector(const torch::Tensor& x, int64_t n);
// Keras Normalization on x (Keras layout): mean and variance have the sizes of the `kept` axes
// (sorted; empty: scalars); each element uses the entry at its coordinates along those axes:
// (x - mean) / max(sqrt(variance), 1e-7), or mean + x * max(sqrt(variance), 1e-7) (invert).
// Double result.
torch::Tensor normalization(const torch::Tensor& x, const std::vector<int64_t>& kept,
                            const torch::Tensor& mean, const torch::Tensor& variance, bool invert);
// Element by element over equal-shaped inputs, folded left to right with `f` (double result).
torch::Tensor fold(const std::vector<torch::Tensor>& inputs, double (*f)(double, double));

}  // namespace graft::test::naive
