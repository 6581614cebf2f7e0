#pragma once
// Keras-layout weights converted to the layouts LibTorch's (and ONNX's) convolutions take, the
// same conversions GraphModule makes (DESIGN.md "Numerics").
#include <torch/types.h>

#include "export/export_plan.h"
#include "graph/layer_helpers.h"
#include "graph/weights.h"

namespace graft::exporting {

// A float32 tensor of the weight's Keras shape owning a copy of its values.
torch::Tensor fromKeras(const WeightTensor& w);

// Conv2D / pointwise kernel (kh, kw, in, out) -> (out, in, kh, kw).
torch::Tensor convKernel(const WeightTensor& w);

// DepthwiseConv2D kernel (kh, kw, in, mult) -> (in * mult, 1, kh, kw), groups = in: grouped
// output channel c * mult + m is Keras's output channel for input c, multiplier m.
torch::Tensor depthwiseKernel(const WeightTensor& w);

// Conv2DTranspose kernel (kh, kw, filters, in) -> conv_transpose2d's (in, filters, kh, kw).
torch::Tensor transposeKernel(const WeightTensor& w);

// A TFOpLambda constant as TFOpLambdaOp holds it: float32, shaped to broadcast in the runtime
// layout.
torch::Tensor runtimeConstant(const layers::OpOperand& operand);

// Normalization's statistics as NormalizationOp holds them, in the runtime layout with size 1
// along the axes that share them: the mean and the divisor max(sqrt(variance), 1e-7) (float32
// sqrt is correctly rounded, so computing it here gives the op's bits).
struct NormalizationStatistics {
  torch::Tensor mean, deviation;
};
NormalizationStatistics normalizationStatistics(const ExportLayer& layer);

// LayerNormalization over several axes: gamma or beta (weight `index`) as LayerNormalizationOp
// holds it, reshaped row-major to the input's rank (the normalized axes' sizes, 1 elsewhere,
// as Keras 2 and 3 broadcast it) in the runtime layout.
torch::Tensor layerNormalizationWeight(const ExportLayer& layer, size_t index);

}  // namespace graft::exporting
