#pragma once
// One Keras layer as LibTorch computes it. GraphModule builds one LayerOp per graph node from a
// factory table keyed by the Keras class name, and calls them in topological order.
//
// Tensor convention between ops: rank-4 tensors are NCHW (LibTorch's layout); every other rank
// keeps Keras's layout (channels last). An op that works on Keras axes maps them accordingly.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/analysis.h"
#include "graph/weights.h"

namespace graft::runtime {

struct LayerContext {
  const Node& node;
  const Json& config;                        // normalized: every key present with Keras's default
  const std::vector<Shape>& inputShapes;     // Keras layout, from shape inference
  const NodeInfo& info;                      // output shape and weight specs (Keras layout)
  const std::vector<WeightTensor>& weights;  // Keras layout and order; empty when weightless
  // The layer's own submodule (registered under the layer name) for its parameters and buffers.
  torch::nn::Module& parameters;
};

class LayerOp {
 public:
  virtual ~LayerOp() = default;
  // `training` is the module's mode; ops decide what it means for them (Dropout, BN).
  virtual torch::Tensor forward(torch::TensorList inputs, bool training) = 0;
  // Current weights converted back to Keras layout and order (bit-identical to what came in
  // when nothing was trained).
  virtual std::vector<WeightTensor> kerasWeights() const { return {}; }
};

using LayerFactory = std::unique_ptr<LayerOp> (*)(const LayerContext&);
using LayerFactoryTable = std::map<std::string, LayerFactory>;

// Keras class name -> factory; built once, covers every class of LayerRegistry::standard().
const LayerFactoryTable& layerFactories();

// One registration function per layer family file.
void addInputAndCoreOps(LayerFactoryTable& table);
void addConvolutionOps(LayerFactoryTable& table);
void addPoolingOps(LayerFactoryTable& table);
void addNormalizationOps(LayerFactoryTable& table);
void addActivationOps(LayerFactoryTable& table);
void addMergeOps(LayerFactoryTable& table);
void addReshapingOps(LayerFactoryTable& table);
void addRegularizationOps(LayerFactoryTable& table);
void addOpLayerOps(LayerFactoryTable& table);

}  // namespace graft::runtime
