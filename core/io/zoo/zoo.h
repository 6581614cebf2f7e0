#pragma once
// Keras Applications architectures, built layer by layer with Keras's own layer names, configs
// and wiring (the authority: Keras's topology JSON in ../shared/fixtures/keras-configs).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft::zoo {

struct ZooOptions {
  std::string architecture;  // one of architectures(), or an alias of one
  double alpha = 1.0;        // MobileNet width (0.25 .. 1.0), MobileNetV2's (0.35 .. 1.4), V3's
  std::optional<int64_t> inputSize;  // square input; unset: the default with a top, any without
  bool includeTop = true;
  int64_t classes = 1000;
  std::string pooling;                              // "", "avg", "max" (no-top only)
  std::string resnetNaming = "keras-applications";  // or "tf.keras" (conv2_block1_1_conv ...)
  // MobileNetV3 only: ReLU and 3x3 kernels without squeeze-and-excitation; the top's Dropout
  // rate (0: no Dropout layer; identity at inference either way).
  bool minimalistic = false;
  // MobileNetV3, EfficientNetV2 and ConvNeXt (hasPreprocessingOption): Keras's
  // include_preprocessing, the layers that take pixels 0..255 to what the weights were trained
  // on (without them the model expects that range: preprocessingFor(ZooOptions)).
  bool includePreprocessing = true;
  double dropoutRate = 0.2;
};

// The canonical names, grouped by family: vgg16 vgg19 resnet50 resnet101 resnet152 resnet50v2 ...
std::vector<std::string> architectures();
// A canonical name or an alias of one (`mobilenet_v2`, `resnet50_v2`, `inceptionv3`).
bool isArchitecture(const std::string& name);
// The canonical name for a name or alias (lower case expected); unknown names come back as given.
std::string canonicalArchitecture(const std::string& name);
// Keras's family name for the listing: "VGG", "ResNet", "ResNetV2", "DenseNet", "MobileNetV2" ...
std::string familyOf(const std::string& architecture);
// The architecture's other accepted name (`mobilenet_v2` for mobilenetv2), or "" when none.
std::string aliasOf(const std::string& architecture);
// Whether the architecture has a width multiplier (MobileNet, MobileNetV2, MobileNetV3).
bool hasAlpha(const std::string& architecture);
// Whether Keras's builder takes include_preprocessing (MobileNetV3, EfficientNetV2, ConvNeXt),
// and what the layers it puts in do, for option help ("" when it takes none).
bool hasPreprocessingOption(const std::string& architecture);
std::string preprocessingOptionHelp(const std::string& architecture);
// The alphas and input sizes Keras publishes weights for (one entry {0} when the size is fixed).
std::vector<double> publishedAlphas(const std::string& architecture);
std::vector<int64_t> publishedSizes(const std::string& architecture);

// Throws graft::Error naming the option that is wrong (unknown architecture, an alpha MobileNet
// does not have, an input below the model's minimum, pooling together with a top ...).
Graph buildGraph(const ZooOptions& options);

Preprocessing preprocessingFor(const std::string& architecture);
// As above, and MobileNetV3 without its Rescaling layer expects -1..1 ('tf').
Preprocessing preprocessingFor(const ZooOptions& options);
int64_t defaultInputSize(const std::string& architecture);  // 224, or 299 for Inception/Xception
int64_t minimumInputSize(const std::string& architecture);

// Layers whose name in Keras's published weight files differs from today's Keras: model layer
// -> name in the file. The DenseNet and MobileNetV2 files were written by keras-applications
// (conv1/conv, conv1/bn, fc1000; Logits), the MobileNetV3 files by tf.keras 2 (Conv/BatchNorm,
// expanded_conv_1/expand, Logits); Keras itself loads them by order.
std::map<std::string, std::string> publishedFileNames(const std::string& architecture);

// Keras's cache file name for these options, e.g.
// "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "mobilenet_2_5_224_tf_no_top.h5" or
// "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5". Empty
// when Keras publishes no such file.
std::string standardWeightsFileName(const ZooOptions& options);

}  // namespace graft::zoo
