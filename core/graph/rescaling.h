#pragma once
// Rescaling's `scale`: Keras 3 takes a number or a list that broadcasts over the last axis
// (EfficientNet divides each colour by its own deviation: scale [1/sqrt(0.229), ...]).
#include <vector>

#include "graph/layer_registry.h"

namespace graft::layers {

// One value, or one per entry of the input's last axis (whose size must then be known and
// equal to the list's length; a one-entry list counts as a number). Throws ShapeError naming
// what is wrong otherwise.
std::vector<double> rescalingScale(const Json& config, const Shape& input);

}  // namespace graft::layers
