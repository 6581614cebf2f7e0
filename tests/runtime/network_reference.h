#pragma once
// Whole-network reference cases written by tests/runtime/reference/make_reference.py: the model
// (a zoo architecture with formula weights, or a real Keras fixture), the input formula and the
// expected outputs of named layers, in Keras layout.
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft::test {

// The hash formula shared with make_reference.py: uniform values in [lo, hi) determined by a
// name, a weight index and the element index, identical bit for bit in both languages.
std::vector<float> formulaValues(const std::string& name, size_t index, int64_t count, double lo,
                                 double hi);

// Formula weights for every layer of the graph that has weights, with the ranges given in the
// reference file (`params`: kernel_gain, bias, gamma, beta, moving_mean, moving_variance).
WeightStore formulaWeights(const Graph& graph, const Json& params);

struct NetworkReference {
  std::string name;
  Json doc;
  std::map<std::string, torch::Tensor> expected;  // layer -> Keras-layout tensor
  std::vector<std::string> layers;                // in file order, the output last
  torch::Tensor input;                            // NCHW, ready for GraphModule
};

std::string referenceDir();
NetworkReference loadNetworkReference(const std::string& name);

}  // namespace graft::test
