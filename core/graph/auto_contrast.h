#pragma once
// Keras 3's AutoContrast (keras/src/layers/preprocessing/image_preprocessing/auto_contrast.py),
// which computes in training and inference alike. For each image and channel, in float32:
//   x' = (x - low) / (high - low) * 255          (value_range [low, high] to [0, 255]; skipped
//                                                  when value_range is [0, 255])
//   m, M = min and max of x' over height and width
//   y = clip(x' * (255 / (M - m)) + (-m * (255 / (M - m))), 0, 255)
//   y' = y / 255 * (high - low) + low              (back to value_range; skipped likewise)
//   result = x where y' is NaN, else y'
// A channel of one value (M == m) divides by zero: every y is NaN, so the channel comes back as
// it was. value_range is sorted, as Keras's constructor sorts it.
#include "graph/layer_registry.h"

namespace graft::layers {

struct AutoContrastRange {
  double low = 0.0, high = 255.0;
  bool isByteRange() const { return low == 0.0 && high == 255.0; }
};

// From a normalized AutoContrast config. Throws ShapeError naming the field for a value_range
// that is not two numbers, or whose two ends are equal (Keras would divide by zero).
AutoContrastRange autoContrastRange(const Json& config);

void registerAutoContrastLayer(LayerRegistry& registry);

}  // namespace graft::layers
