#pragma once
// One builder per Keras Applications family; zoo.cpp checks the common options first.
#include <array>
#include <string>

#include "graph/graph_builder.h"
#include "io/zoo/zoo.h"

namespace graft::zoo {

// Square input shape (batch, s, s, 3) from the options: unset size means (None, None) without
// a top and the default size with one.
Shape inputShapeFor(const ZooOptions& options);

// Appends Keras's no-top pooling ("avg" -> GlobalAveragePooling2D, "max" -> GlobalMaxPooling2D)
// and returns the new last layer (or `x` unchanged when pooling is empty).
std::string addPooling(GraphBuilder& builder, const ZooOptions& options, const std::string& x,
                       const std::string& avgName, const std::string& maxName);

Graph buildVgg(const ZooOptions& options, int convsInBlocks345);
Graph buildResNet50(const ZooOptions& options);
// Keras's resnet.py ResNet (tf.keras names) and resnet_v2.py ResNetV2 with the block counts of
// stages conv2 .. conv5.
Graph buildResNetV1(const ZooOptions& options, const std::array<int, 4>& blocks);
Graph buildResNetV2(const ZooOptions& options, const std::array<int, 4>& blocks);
Graph buildDenseNet(const ZooOptions& options, const std::array<int, 4>& blocks);
Graph buildMobileNetV2(const ZooOptions& options);
// mobilenet_v3.py's MobileNetV3Large (`large`) or MobileNetV3Small.
Graph buildMobileNetV3(const ZooOptions& options, bool large);
Graph buildInceptionV3(const ZooOptions& options);
Graph buildInceptionResNetV2(const ZooOptions& options);
Graph buildXception(const ZooOptions& options);
Graph buildMobileNet(const ZooOptions& options);

// ConvNeXt (convnext.py): Keras's model name (convnext_tiny ...) and MODEL_CONFIGS's depths and
// projection_dims per stage.
struct ConvNeXtConfig {
  std::string name;
  std::array<int, 4> depths;
  std::array<int64_t, 4> projectionDims;
};
const ConvNeXtConfig& convNeXtConfig(const std::string& canonical);  // "convnexttiny" ...
Graph buildConvNeXt(const ZooOptions& options, const ConvNeXtConfig& config);

// NASNet (nasnet.py): Keras's model name and the arguments NASNetMobile / NASNetLarge pass.
struct NASNetConfig {
  std::string name;
  int64_t penultimateFilters;
  int numBlocks;
  int64_t stemBlockFilters;
  bool skipReduction;
  int64_t defaultSize;
};
const NASNetConfig& nasNetConfig(const std::string& canonical);  // "nasnetmobile", "nasnetlarge"
Graph buildNASNet(const ZooOptions& options, const NASNetConfig& config);
// efficientnet.py's EfficientNetB0 .. B7: the EfficientNet() arguments of each.
struct EfficientNetVariant {
  const char* name;  // zoo name, also Keras's model name: efficientnetb0 ...
  double width, depth;
  int64_t defaultSize;
  double dropoutRate;  // the top's Dropout
};
// Throws for a name that is not efficientnetb0 .. efficientnetb7 (canonical).
const EfficientNetVariant& efficientNetVariant(const std::string& architecture);
Graph buildEfficientNet(const ZooOptions& options);
// efficientnet_v2.py's EfficientNetV2B0 .. B3, S, M, L (name: Keras's, efficientnetv2-b0 ...).
const EfficientNetVariant& efficientNetV2Variant(const std::string& architecture);
Graph buildEfficientNetV2(const ZooOptions& options);

}  // namespace graft::zoo
