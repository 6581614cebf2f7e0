#include "io/zoo/published_figures.h"

#include <map>

#include "io/zoo/zoo.h"

namespace graft::zoo {

std::optional<PublishedFigures> publishedFigures(const std::string& architecture) {
  // keras.io/api/applications, "Available models" (top-1, top-5, parameters); the input size is
  // the one the table's note names for the measurement. Entries for families Graft does not
  // build yet cost nothing and are ready when they come.
  static const std::map<std::string, PublishedFigures> table = {
      {"xception", {0.790, 0.945, 22.9, 299}},
      {"vgg16", {0.713, 0.901, 138.4, 224}},
      {"vgg19", {0.713, 0.900, 143.7, 224}},
      {"resnet50", {0.749, 0.921, 25.6, 224}},
      {"resnet50v2", {0.760, 0.930, 25.6, 224}},
      {"resnet101", {0.764, 0.928, 44.7, 224}},
      {"resnet101v2", {0.772, 0.938, 44.7, 224}},
      {"resnet152", {0.766, 0.931, 60.4, 224}},
      {"resnet152v2", {0.780, 0.942, 60.4, 224}},
      {"inception_v3", {0.779, 0.937, 23.9, 299}},
      {"inceptionresnetv2", {0.803, 0.953, 55.9, 299}},
      {"mobilenet", {0.704, 0.895, 4.3, 224}},
      {"mobilenetv2", {0.713, 0.901, 3.5, 224}},
      // mobilenet_v3.py's table: mobilenet_v3_large_1.0_224 75.6, mobilenet_v3_small_1.0_224
      // 68.1 (no top-5 given). Its parameter figures (5.4 M, 2.9 M) are the paper's networks,
      // not Keras's (5,507,432 and 2,554,968), so none is given here.
      {"mobilenetv3large", {0.756, std::nullopt, std::nullopt, 224}},
      {"mobilenetv3small", {0.681, std::nullopt, std::nullopt, 224}},
      {"densenet121", {0.750, 0.923, 8.1, 224}},
      {"densenet169", {0.762, 0.932, 14.3, 224}},
      {"densenet201", {0.773, 0.936, 20.2, 224}},
      {"nasnetmobile", {0.744, 0.919, 5.3, 224}},
      {"nasnetlarge", {0.825, 0.960, 88.9, 331}},
      {"efficientnetb0", {0.771, 0.933, 5.3, 224}},
      {"efficientnetb1", {0.791, 0.944, 7.9, 240}},
      {"efficientnetb2", {0.801, 0.949, 9.2, 260}},
      {"efficientnetb3", {0.816, 0.957, 12.3, 300}},
      {"efficientnetb4", {0.829, 0.964, 19.5, 380}},
      {"efficientnetb5", {0.836, 0.967, 30.6, 456}},
      {"efficientnetb6", {0.840, 0.968, 43.3, 528}},
      {"efficientnetb7", {0.843, 0.970, 66.7, 600}},
      {"efficientnetv2b0", {0.787, 0.943, 7.2, 224}},
      {"efficientnetv2b1", {0.798, 0.950, 8.2, 240}},
      {"efficientnetv2b2", {0.805, 0.951, 10.2, 260}},
      {"efficientnetv2b3", {0.820, 0.958, 14.5, 300}},
      {"efficientnetv2s", {0.839, 0.967, 21.6, 384}},
      {"efficientnetv2m", {0.853, 0.974, 54.4, 480}},
      {"efficientnetv2l", {0.857, 0.975, 119.0, 480}},
      {"convnexttiny", {0.813, std::nullopt, 28.6, 224}},
      {"convnextsmall", {0.823, std::nullopt, 50.2, 224}},
      {"convnextbase", {0.853, std::nullopt, 88.5, 224}},
      {"convnextlarge", {0.863, std::nullopt, 197.7, 224}},
      {"convnextxlarge", {0.867, std::nullopt, 350.1, 224}},
  };
  const auto it = table.find(canonicalArchitecture(architecture));
  if (it == table.end()) return std::nullopt;
  return it->second;
}

}  // namespace graft::zoo
