#pragma once
// A LibTorch module that computes what Keras computes for a Graph and its weights.
// Tensors of rank 4 flow in LibTorch's NCHW layout; other ranks keep Keras's layout. Layers
// convert Keras axes (channels last) to this layout where it matters (Flatten, Reshape,
// Concatenate, Dense on 4-D input, softmax over channels).
//
// Parameters are registered under the Keras layer name and weight name ("conv1.kernel",
// "conv1_bn.gamma"; moving statistics are buffers "conv1_bn.moving_mean"), in LibTorch's layout:
// Conv2D kernel (out, in / groups, kh, kw), depthwise kernels (in * mult, 1, kh, kw), pointwise
// (out, in * mult, 1, 1); Dense kernels keep Keras's (in, out). Layers with trainable = false
// have requires_grad(false). weights() converts back to Keras's layout.
//
// The caller sets LibTorch's thread count (graft::useAllCoresForTorch() in
// runtime/system/threads.h).
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
  // the layer. Weights are converted from Keras layout once, here. The graph must have a single
  // input layer and a single output.
  GraphModule(const Graph& graph, const WeightStore& weights);
  ~GraphModule();
  GraphModule(GraphModule&&) noexcept;
  GraphModule& operator=(GraphModule&&) noexcept;

  // Moves the parameters, buffers and constants to `device` (the CPU at construction). Inputs
  // on another device are copied to it; outputs are on it. weights() reads back to the CPU.
  void to(const torch::Device& device);
  const torch::Device& device() const;

  // Rank-4 parameters, buffers and inputs in channels-last memory order (NHWC strides; the
  // tensors keep their NCHW shape and every result is the same up to rounding). Convolutions in
  // oneDNN and cuDNN run faster so (measured on the CPU: ResNet50 training +18%, see README
  // "Training"); off at construction. Call before an optimizer takes the parameters' state.
  void useChannelsLast(bool on);
  bool channelsLast() const;

  // input: float32 (N, C, H, W), already preprocessed. Returns the graph's (single) output:
  // NCHW for rank-4 outputs, Keras layout otherwise.
  // In inference mode (the default, train(false)) the call runs under torch::NoGradGuard: no
  // autograd graph is recorded, and the results are ordinary tensors (not inference tensors),
  // so they may be fed to a trainable head later. In training mode autograd records as usual.
  // A wrong input is reported by the input layer's name; a failing layer by its name.
  torch::Tensor forward(const torch::Tensor& input);

  // The outputs of the named layers for one input (same conventions), computing only what they
  // need: for features of a frozen part, for inspecting a layer, for tests.
  std::vector<torch::Tensor> forward(const torch::Tensor& input,
                                     const std::vector<std::string>& layers);

  // Inference mode, except that BatchNormalization layers that train (not frozen) normalise with
  // the batch's own statistics as they do in training mode; their moving statistics are left as
  // they were and Dropout stays off. Compared with forward() in inference mode it shows how far
  // the moving statistics are from the data (the training doctor's probe). No autograd graph.
  torch::Tensor forwardWithBatchStatistics(const torch::Tensor& input);

  // Training mode runs Dropout and batch statistics in BatchNormalization (except frozen
  // BatchNormalization layers, which stay in inference mode as in TF2 Keras).
  void train(bool on);
  bool isTraining() const;

  // The underlying torch module: parameters (trainable layers only require grad), buffers.
  torch::nn::Module& module();

  // Current weights back in Keras layout (for saving, exporting, and the document).
  WeightStore weights() const;

  const std::string& inputName() const;
  const std::string& outputName() const;

 private:
  std::unique_ptr<GraphModuleImpl> impl_;
};

// The prefix of `layer`'s parameter names: the layer name with '.' as '_' (LibTorch module names
// cannot hold a '.'; Keras names and models converted from PyTorch, "layer1.0.conv1", do).
std::string parameterPrefixOf(const std::string& layer);

// NCHW -> NHWC for rank-4 tensors (Keras's layout for display and comparisons); others as-is.
torch::Tensor toKerasLayout(const torch::Tensor& t);

}  // namespace graft
