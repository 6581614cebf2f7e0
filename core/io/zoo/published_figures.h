#pragma once
// What Keras publishes about each pretrained model: ImageNet accuracy and size as the table of
// keras.io/api/applications gives them (MobileNetV3's from the table in Keras's
// mobilenet_v3.py, for α 1.0 at 224). Shown by `graft-cli zoo` and the start page so a user can
// weigh accuracy against size before choosing; the exact parameter count comes from the built
// graph, these are Keras's rounded figures (a test checks they agree).
#include <optional>
#include <string>

namespace graft::zoo {

struct PublishedFigures {
  double top1 = 0.0;           // ImageNet validation top-1 accuracy, 0..1
  std::optional<double> top5;  // top-5 accuracy where Keras gives it
  // With the top, rounded to 0.1 M as Keras's table has it; unset where the published figure
  // is not that of Keras's model.
  std::optional<double> parametersMillions;
  int64_t inputSize = 224;  // the size the accuracy was measured at
};

// nullopt for a name Keras's table does not list. Takes canonical names and aliases.
std::optional<PublishedFigures> publishedFigures(const std::string& architecture);

}  // namespace graft::zoo
