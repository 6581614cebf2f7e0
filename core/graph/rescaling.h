#pragma once
// Rescaling's `scale` and `offset`: Keras 3 takes a number or a list that broadcasts over the
// last axis for each (EfficientNet divides each colour by its own deviation: scale
// [1/sqrt(0.229), ...]; a per-channel mean subtraction is offset [-m0/s0, ...]).
#include <vector>

#include "graph/layer_registry.h"

namespace graft::layers {

// Both factors with the same length: 1 (one number each), or the size of the input's last
// axis when either is a list (a number is repeated). A list must have one value per entry of
// the last axis, whose size must then be known (a one-entry list counts as a number). Throws
// ShapeError naming the field and what it got otherwise.
struct RescalingFactors {
  std::vector<double> scale;
  std::vector<double> offset;
  bool perChannel() const { return scale.size() > 1; }
};
RescalingFactors rescalingFactors(const Json& config, const Shape& input);

}  // namespace graft::layers
