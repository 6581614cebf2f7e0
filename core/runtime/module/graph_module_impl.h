#pragma once
// The evaluator behind GraphModule, for runtime code that needs more than GraphModule's public
// face: Grad-CAM (runtime/prediction/gradcam.h) keeps the autograd graph in inference mode. Only
// graph_module.cpp and such runtime files include it; GraphModule's users never see it.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/model.h"
#include "runtime/layers/layer_op.h"

namespace graft {

class GraphModuleImpl {
 public:
  struct Step {
    std::string name;
    std::unique_ptr<runtime::LayerOp> op;
    std::vector<size_t> inputs;  // producer step indices, in Keras's input order
    bool batchNorm = false;      // a BatchNormalization layer
  };

  // Which steps to run for some wanted outputs, and which values can be dropped after each one.
  struct Plan {
    std::vector<size_t> order;
    std::vector<std::vector<size_t>> release;  // parallel to order
  };

  GraphModuleImpl(const Graph& graph, const WeightStore& weights);

  // batchStatistics: BatchNormalization layers run in training mode whatever the module's mode.
  // keepAutograd: in inference mode too, autograd records the computation (Grad-CAM's
  // gradients); the layers still compute as in inference.
  // The input may be on any device: it is copied to the module's first.
  std::vector<torch::Tensor> run(const torch::Tensor& input, const std::vector<size_t>& targets,
                                 const Plan& plan, bool batchStatistics = false,
                                 bool keepAutograd = false);
  Plan plan(const std::vector<size_t>& targets) const;
  // Moves parameters, buffers and constants to `to` (GraphModule::to).
  void moveTo(const torch::Device& to);
  // Rank-4 parameters, buffers and constants to channels-last order or back (GraphModule).
  void useChannelsLast(bool on);
  size_t stepOf(const std::string& layer) const;

  std::shared_ptr<torch::nn::Module> root;
  // The holders of layers without Keras weights whose constants are buffers (Rescaling's
  // per-channel scale, TFOpLambda's operands): not children of root, so that root's
  // parameters and buffers stay the Keras weights, but moved to the device with it.
  std::vector<std::shared_ptr<torch::nn::Module>> constantHolders;
  torch::Device device = torch::kCPU;
  bool channelsLast = false;  // rank-4 inputs are made channels-last too
  std::vector<Step> steps;    // topological order
  std::unordered_map<std::string, size_t> index;
  size_t inputStep = 0, outputStep = 0;
  Plan outputPlan;
};

}  // namespace graft
