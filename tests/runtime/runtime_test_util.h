#pragma once
// Helpers for the runtime tests: one-layer graphs, random weights, running a GraphModule on
// Keras-layout (NHWC) tensors, and comparing tensors.
#include <gtest/gtest.h>
#include <torch/types.h>

#include <string>

#include "graph/graph_builder.h"
#include "graph/weights.h"
#include "io/zoo/zoo.h"
#include "runtime/module/graph_module.h"

namespace graft::test {

// input_1 (batch shape `input`, Keras layout) -> one layer called "layer".
Graph oneLayer(const std::string& className, const Json& config, const Shape& input,
               bool trainable = true);

// Every weight of every layer uniform in [lo, hi) (moving_variance in [0.5, 1.5)), so that no
// weight is a neutral 0 or 1 that would hide a wrong layout.
WeightStore randomWeights(const Graph& graph, uint64_t seed, float lo = -0.5f, float hi = 0.5f);

// Uniform [-1, 1) float tensor in the given shape.
torch::Tensor randomTensor(const std::vector<int64_t>& shape, uint64_t seed);

// Runs the module on a Keras-layout input (NHWC for rank 4) and returns Keras layout.
torch::Tensor runKeras(GraphModule& module, const torch::Tensor& kerasInput);

// Builds a module from the graph and weights and runs it: oneLayer + runKeras in one go.
torch::Tensor runLayer(const Graph& graph, const WeightStore& weights, const torch::Tensor& input);

// Weight `i` of `layer` as a Keras-layout tensor (a view on the store's buffer; read only).
torch::Tensor kerasWeight(const WeightStore& store, const std::string& layer, size_t i);

// |got - want| <= tol * max(1, |want|) everywhere, shapes equal; reports the worst element.
::testing::AssertionResult allClose(const torch::Tensor& got, const torch::Tensor& want,
                                    double tol = 1e-5);

// A zoo architecture as Graft builds it; `resnetNaming` "tf.keras" for Keras 2's ResNet names.
inline Graph zooGraph(const std::string& architecture, const std::string& resnetNaming = "") {
  zoo::ZooOptions o;
  o.architecture = architecture;
  if (!resnetNaming.empty()) o.resnetNaming = resnetNaming;
  return zoo::buildGraph(o);
}

}  // namespace graft::test
