#pragma once
// Keras's named activations (the `activation` config of Activation, Conv2D, Dense ...).
#include <torch/types.h>

#include "graph/graph.h"

namespace graft::runtime {

using ActivationFn = torch::Tensor (*)(const torch::Tensor&);

// nullptr for "linear" (and null), so callers skip the call. Throws graft::Error naming the layer
// and the known names for anything else.
ActivationFn activationFunction(const Node& node, const Json& activation);

// min(max(x, low), high) with TensorFlow's gradient (zero at both ends): LibTorch's hardtanh,
// one kernel each way. LibTorch 1.13's CPU backward has no bfloat16 or float16 kernel, so such
// an input (autocast's bf16 on the CPU) is clipped in float32 and given back in its own type.
torch::Tensor clipWithFlatEnds(const torch::Tensor& x, double low, double high);

}  // namespace graft::runtime
