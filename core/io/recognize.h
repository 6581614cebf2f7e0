#pragma once
// Tells which Keras Applications model a weights-only .h5 file belongs to, from its layer names
// and kernel shapes: family, MobileNet alpha, top or not, class count, ResNet naming scheme.
#include <optional>
#include <string>

#include "io/keras_h5_reader.h"
#include "io/zoo/zoo.h"

namespace graft {

struct Recognition {
  zoo::ZooOptions options;
  std::string evidence;  // why, for the user: "layer conv_dw_1 and conv1 kernel (3,3,3,8)"
};

// nullopt when the file matches no zoo architecture.
std::optional<Recognition> recognizeZooWeights(const KerasH5Reader& file);

}  // namespace graft
