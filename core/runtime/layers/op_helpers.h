#pragma once
// Pieces shared by the layer ops: weight conversion between Keras buffers and parameters,
// Keras's `same` padding arithmetic, and Keras axes mapped to the runtime layout.
#include <string>
#include <vector>

#include "runtime/layers/layer_op.h"

namespace graft::runtime {

// A copy of a Keras weight as a float tensor of the same shape. The source buffer is shared
// and immutable (undo snapshots keep it), so parameters never alias it.
torch::Tensor copyFromKeras(const WeightTensor& weight);
// A Keras-layout tensor (any strides) copied into a WeightTensor of the same shape.
WeightTensor copyToKeras(const torch::Tensor& tensor);

// Registers a parameter on the layer's submodule; frozen layers (node.trainable == false) get
// requires_grad(false). Returns the registered tensor (the op keeps this handle).
torch::Tensor addParameter(const LayerContext& ctx, const std::string& name, torch::Tensor value);
torch::Tensor addBuffer(const LayerContext& ctx, const std::string& name, torch::Tensor value);

// graft::Error addressed to the layer.
Error layerError(const Node& node, const std::string& message);

// Keras/TensorFlow `same` padding along one axis: output = ceil(n / stride),
// total = max((output - 1) * stride + effective_kernel - n, 0), before = total / 2 and the odd
// one at the end (bottom / right).
struct AxisPadding {
  int64_t before = 0;
  int64_t after = 0;
};
AxisPadding samePadding(int64_t length, int64_t kernel, int64_t stride, int64_t dilation = 1);

// Padding of a spatial layer ('valid' or 'same'), computed per call from the actual H and W
// (graphs may leave them unknown).
struct SpatialPadding {
  AxisPadding h, w;
  bool symmetric() const { return h.before == h.after && w.before == w.after; }
  bool none() const { return h.before == 0 && h.after == 0 && w.before == 0 && w.after == 0; }
};

// Reads 'padding' ("valid" or "same", as Keras accepts it); throws naming the layer otherwise.
bool isSamePadding(const Node& node, const Json& config);

// Keras axis (already made non-negative) of a rank-`rank` tensor -> dimension in the runtime
// layout: for rank 4, Keras (N, H, W, C) is stored (N, C, H, W); other ranks are unchanged.
int64_t runtimeAxis(int64_t kerasAxis, int64_t rank);

// Keras's Permute (dims of the axes after the batch, counted from 1) as one permutation of the
// runtime layout: a rank-4 input is NCHW and its rank-4 result is NCHW again.
std::vector<int64_t> runtimePermutation(const std::vector<int64_t>& kerasDims);

// Between the runtime layout and Keras's: rank-4 tensors are permuted, others returned as-is.
torch::Tensor runtimeToKeras(const torch::Tensor& t);
torch::Tensor kerasToRuntime(const torch::Tensor& t);

// The factory of an op class constructed from the context.
template <class Op>
std::unique_ptr<LayerOp> makeOp(const LayerContext& ctx) {
  return std::make_unique<Op>(ctx);
}

}  // namespace graft::runtime
