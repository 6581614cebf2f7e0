#pragma once
// The arithmetic behind `fuse`, on Keras-layout weights (no runtime needed). Sums run in double
// and are rounded to float once, so a fused layer differs from the original pair only by float
// rounding.
#include <vector>

#include "graph/weights.h"

namespace graft::fusion {

// Inference-mode BatchNormalization as y = x * scale + shift per channel:
// scale = gamma / sqrt(moving_variance + epsilon), shift = beta - moving_mean * scale
// (gamma = 1 when scale=False, beta = 0 when center=False).
struct ChannelAffine {
  std::vector<double> scale;
  std::vector<double> shift;
};
ChannelAffine batchNormAffine(const WeightTensor* gamma, const WeightTensor* beta,
                              const WeightTensor& movingMean, const WeightTensor& movingVariance,
                              double epsilon);

// A linear layer (kernel whose flattened elements belong to output channel `index % C`, as in
// Keras's Conv2D (kh, kw, in, out), DepthwiseConv2D (kh, kw, in, mult) and Dense (in, out)
// layouts) followed by the affine map: kernel' = kernel * scale, bias' = bias * scale + shift.
// `bias` may be null (use_bias=False): it counts as zeros.
struct KernelAndBias {
  WeightTensor kernel;
  WeightTensor bias;
};
KernelAndBias foldAffine(const WeightTensor& kernel, const WeightTensor* bias,
                         const ChannelAffine& affine);

// Two stride-1, dilation-1, ungrouped convolutions applied in turn with nothing between them,
// kernels (k1h, k1w, in, mid) and (k2h, k2w, mid, out), as one (k1h+k2h-1, k1w+k2w-1, in, out)
// convolution: W[t] = sum over u+v=t of W1[u] W2[v], b = b2 + sum_v W2[v]^T b1.
// A Dense kernel (in, out) is the 1x1 case: pass it reshaped to (1, 1, in, out).
KernelAndBias composeConvolutions(const WeightTensor& kernel1, const WeightTensor* bias1,
                                  const WeightTensor& kernel2, const WeightTensor* bias2);

}  // namespace graft::fusion
