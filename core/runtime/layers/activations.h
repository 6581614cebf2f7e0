#pragma once
// Keras's named activations (the `activation` config of Activation, Conv2D, Dense ...).
#include <torch/types.h>

#include "graph/graph.h"

namespace graft::runtime {

using ActivationFn = torch::Tensor (*)(const torch::Tensor&);

// nullptr for "linear" (and null), so callers skip the call. Throws graft::Error naming the layer
// and the known names for anything else.
ActivationFn activationFunction(const Node& node, const Json& activation);

}  // namespace graft::runtime
