#pragma once
// A LibTorch module that computes what Keras computes for a Graph and its weights.
// Tensors of rank 4 flow in LibTorch's NCHW layout; other ranks keep Keras's layout. Layers
// convert Keras axes (channels last) to this layout where it matters (Flatten, Reshape,
// Concatenate, Dense on 4-D input, softmax over channels).
#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft {

class GraphModuleImpl;

class GraphModule {
 public:
  // Checks the graph (shapes) and the weights (names, shapes) first; throws graft::Error naming
  // the layer. Weights are converted from Keras layout once, here.
  GraphModule(const Graph& graph, const WeightStore& weights);
  ~GraphModule();
  GraphModule(GraphModule&&) noexcept;
  GraphModule& operator=(GraphModule&&) noexcept;

  // input: float32 (N, C, H, W), already preprocessed. Returns the graph's (single) output:
  // NCHW for rank-4 outputs, Keras layout otherwise.
  torch::Tensor forward(const torch::Tensor& input);

  // Training mode runs Dropout and batch statistics in BatchNormalization (except frozen
  // BatchNormalization layers, which stay in inference mode as in TF2 Keras).
  void train(bool on);
  bool isTraining() const;

  // The underlying torch module: parameters (trainable layers only require grad), buffers.
  torch::nn::Module& module();

  // Current weights back in Keras layout (for saving, exporting, and the document).
  WeightStore weights() const;

 private:
  std::unique_ptr<GraphModuleImpl> impl_;
};

// NCHW -> NHWC for rank-4 tensors (Keras's layout for display and comparisons); others as-is.
torch::Tensor toKerasLayout(const torch::Tensor& t);

}  // namespace graft
