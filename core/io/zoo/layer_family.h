#pragma once
// Which Keras Applications family a user's model is built on, from the layer names Keras gives
// each family (a Teachable Machine export holds a MobileNetV2 named "model1" whose layers are
// "Conv1", "expanded_conv_depthwise", ...). Keras files record no preprocessing; the family's
// is the best guess for a model fine-tuned from it.
#include <optional>
#include <string>

#include "graph/model.h"

namespace graft::zoo {

struct LayerFamily {
  std::string family;  // Keras's name: "MobileNetV2", "VGG16", ...
  Preprocessing preprocessing = Preprocessing::None;
};

std::optional<LayerFamily> familyOfLayers(const Graph& graph);

}  // namespace graft::zoo
