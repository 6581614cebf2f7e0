#include "io/zoo/zoo.h"

#include <cmath>

#include "io/zoo/families.h"

namespace graft::zoo {

namespace {

struct Architecture {
  const char* name;    // canonical: the zoo name Graft has always used, else Keras's in lower case
  const char* alias;   // snake_case (or Keras's lower-case name for the first six), or nullptr
  const char* family;  // Keras's family, as `graft-cli zoo` groups them
  Preprocessing preprocessing;
  int64_t defaultSize;
  int64_t minimumSize;
};

// Keras's obtain_input_shape(default_size, min_size) per application.
const std::vector<Architecture>& table() {
  static const std::vector<Architecture> all = {
      {"vgg16", nullptr, "VGG", Preprocessing::Caffe, 224, 32},
      {"vgg19", nullptr, "VGG", Preprocessing::Caffe, 224, 32},
      {"resnet50", nullptr, "ResNet", Preprocessing::Caffe, 224, 32},
      {"resnet101", nullptr, "ResNet", Preprocessing::Caffe, 224, 32},
      {"resnet152", nullptr, "ResNet", Preprocessing::Caffe, 224, 32},
      {"resnet50v2", "resnet50_v2", "ResNetV2", Preprocessing::Tf, 224, 32},
      {"resnet101v2", "resnet101_v2", "ResNetV2", Preprocessing::Tf, 224, 32},
      {"resnet152v2", "resnet152_v2", "ResNetV2", Preprocessing::Tf, 224, 32},
      {"inception_v3", "inceptionv3", "InceptionV3", Preprocessing::Tf, 299, 75},
      {"inceptionresnetv2", "inception_resnet_v2", "InceptionResNetV2", Preprocessing::Tf, 299, 75},
      {"xception", nullptr, "Xception", Preprocessing::Tf, 299, 71},
      {"mobilenet", nullptr, "MobileNet", Preprocessing::Tf, 224, 32},
      {"mobilenetv2", "mobilenet_v2", "MobileNetV2", Preprocessing::Tf, 224, 32},
      // include_preprocessing (the default) puts a Rescaling layer in: the model reads 0..255.
      {"mobilenetv3small", "mobilenet_v3_small", "MobileNetV3", Preprocessing::None, 224, 32},
      {"mobilenetv3large", "mobilenet_v3_large", "MobileNetV3", Preprocessing::None, 224, 32},
      {"densenet121", nullptr, "DenseNet", Preprocessing::Torch, 224, 32},
      {"densenet169", nullptr, "DenseNet", Preprocessing::Torch, 224, 32},
      {"densenet201", nullptr, "DenseNet", Preprocessing::Torch, 224, 32},
      // NASNet: the input size is always fixed (224 / 331 without an input size).
      {"nasnetmobile", "nasnet_mobile", "NASNet", Preprocessing::Tf, 224, 32},
      {"nasnetlarge", "nasnet_large", "NASNet", Preprocessing::Tf, 331, 32},
      // efficientnet.py: Rescaling and Normalization layers inside read pixels 0..255.
      {"efficientnetb0", "efficientnet_b0", "EfficientNet", Preprocessing::None, 224, 32},
      {"efficientnetb1", "efficientnet_b1", "EfficientNet", Preprocessing::None, 240, 32},
      {"efficientnetb2", "efficientnet_b2", "EfficientNet", Preprocessing::None, 260, 32},
      {"efficientnetb3", "efficientnet_b3", "EfficientNet", Preprocessing::None, 300, 32},
      {"efficientnetb4", "efficientnet_b4", "EfficientNet", Preprocessing::None, 380, 32},
      {"efficientnetb5", "efficientnet_b5", "EfficientNet", Preprocessing::None, 456, 32},
      {"efficientnetb6", "efficientnet_b6", "EfficientNet", Preprocessing::None, 528, 32},
      {"efficientnetb7", "efficientnet_b7", "EfficientNet", Preprocessing::None, 600, 32},
      // efficientnet_v2.py: include_preprocessing (the default) reads pixels 0..255.
      {"efficientnetv2b0", "efficientnet_v2_b0", "EfficientNetV2", Preprocessing::None, 224, 32},
      {"efficientnetv2b1", "efficientnet_v2_b1", "EfficientNetV2", Preprocessing::None, 240, 32},
      {"efficientnetv2b2", "efficientnet_v2_b2", "EfficientNetV2", Preprocessing::None, 260, 32},
      {"efficientnetv2b3", "efficientnet_v2_b3", "EfficientNetV2", Preprocessing::None, 300, 32},
      {"efficientnetv2s", "efficientnet_v2_s", "EfficientNetV2", Preprocessing::None, 384, 32},
      {"efficientnetv2m", "efficientnet_v2_m", "EfficientNetV2", Preprocessing::None, 480, 32},
      {"efficientnetv2l", "efficientnet_v2_l", "EfficientNetV2", Preprocessing::None, 480, 32},
      // ConvNeXt: include_preprocessing (the default) puts a Normalization layer with ImageNet's
      // mean and variance on 0..255 in; without it the model expects 'torch' preprocessing.
      {"convnexttiny", "convnext_tiny", "ConvNeXt", Preprocessing::None, 224, 32},
      {"convnextsmall", "convnext_small", "ConvNeXt", Preprocessing::None, 224, 32},
      {"convnextbase", "convnext_base", "ConvNeXt", Preprocessing::None, 224, 32},
      {"convnextlarge", "convnext_large", "ConvNeXt", Preprocessing::None, 224, 32},
      {"convnextxlarge", "convnext_xlarge", "ConvNeXt", Preprocessing::None, 224, 32},
  };
  return all;
}

const Architecture* find(const std::string& name) {
  for (const auto& a : table())
    if (name == a.name || (a.alias && name == a.alias)) return &a;
  return nullptr;
}

const Architecture& at(const std::string& name) {
  const Architecture* a = find(name);
  if (!a) throw Error("unknown architecture '" + name + "'");
  return *a;
}

}  // namespace

std::vector<std::string> architectures() {
  std::vector<std::string> names;
  for (const auto& a : table()) names.emplace_back(a.name);
  return names;
}

bool isArchitecture(const std::string& name) {
  return find(name) != nullptr;
}

std::string canonicalArchitecture(const std::string& name) {
  const Architecture* a = find(name);
  return a ? a->name : name;
}

std::string familyOf(const std::string& architecture) {
  return at(architecture).family;
}

std::string aliasOf(const std::string& architecture) {
  const char* alias = at(architecture).alias;
  return alias ? alias : "";
}

namespace {

bool isMobileNetV3(const std::string& canonical) {
  return canonical == "mobilenetv3small" || canonical == "mobilenetv3large";
}

bool isConvNeXt(const std::string& canonical) {
  return canonical.rfind("convnext", 0) == 0;
}

}  // namespace

bool hasAlpha(const std::string& architecture) {
  const std::string name = canonicalArchitecture(architecture);
  return name == "mobilenet" || name == "mobilenetv2" || isMobileNetV3(name);
}

bool hasPreprocessingOption(const std::string& architecture) {
  return !preprocessingOptionHelp(architecture).empty();
}

std::string preprocessingOptionHelp(const std::string& architecture) {
  if (!isArchitecture(architecture)) return "";
  const std::string family = familyOf(architecture);
  if (family == "MobileNetV3")
    return "a Rescaling layer takes pixels 0..255 to -1..1 (without it the model reads -1..1)";
  if (family == "ConvNeXt")
    return "a Normalization layer with ImageNet's mean and deviation reads pixels 0..255 "
           "(without it the model reads torch's normalization of 0..1)";
  if (family == "EfficientNetV2")
    return "Rescaling (and for B0-B3 Normalization) layers read pixels 0..255 (without them the "
           "model reads what they would give)";
  return "";
}

std::vector<double> publishedAlphas(const std::string& architecture) {
  const std::string name = canonicalArchitecture(architecture);
  if (name == "mobilenet") return {1.0, 0.75, 0.5, 0.25};
  if (name == "mobilenetv2") return {1.4, 1.3, 1.0, 0.75, 0.5, 0.35};
  if (isMobileNetV3(name)) return {1.0, 0.75};  // minimalistic: 1.0 only
  return {1.0};
}

std::vector<int64_t> publishedSizes(const std::string& architecture) {
  const std::string name = canonicalArchitecture(architecture);
  if (name == "mobilenet") return {224, 192, 160, 128};
  if (name == "mobilenetv2") return {224, 192, 160, 128, 96};
  return {0};
}

Preprocessing preprocessingFor(const std::string& architecture) {
  const Architecture* a = find(architecture);
  return a ? a->preprocessing : Preprocessing::Tf;
}

Preprocessing preprocessingFor(const ZooOptions& options) {
  // Without its Rescaling layer MobileNetV3 reads -1..1, as the weights were trained.
  if (isMobileNetV3(canonicalArchitecture(options.architecture)) && !options.includePreprocessing)
    return Preprocessing::Tf;
  // ConvNeXt without its Normalization layer: ImageNet's mean and std on 0..1, 'torch'.
  if (isConvNeXt(canonicalArchitecture(options.architecture)) && !options.includePreprocessing)
    return Preprocessing::Torch;
  // Without its preprocessing layers EfficientNetV2B0 .. B3 expects torch's normalization (what
  // its Rescaling and Normalization do), S, M and L x / 128 - 1 (which 'tf' approximates).
  if (!options.includePreprocessing && isArchitecture(options.architecture) &&
      familyOf(options.architecture) == "EfficientNetV2") {
    const std::string kind =
        efficientNetV2Variant(canonicalArchitecture(options.architecture)).name;
    return kind.back() >= '0' && kind.back() <= '9' ? Preprocessing::Torch : Preprocessing::Tf;
  }
  return preprocessingFor(options.architecture);
}

int64_t defaultInputSize(const std::string& architecture) {
  const Architecture* a = find(architecture);
  return a ? a->defaultSize : 224;
}

int64_t minimumInputSize(const std::string& architecture) {
  const Architecture* a = find(architecture);
  return a ? a->minimumSize : 32;
}

std::map<std::string, std::string> publishedFileNames(const std::string& architecture) {
  const std::string name = canonicalArchitecture(architecture);
  if (name.rfind("densenet", 0) == 0)
    return {{"conv1_conv", "conv1/conv"}, {"conv1_bn", "conv1/bn"}, {"predictions", "fc1000"}};
  if (name == "mobilenetv2") return {{"predictions", "Logits"}};
  if (isMobileNetV3(name)) {
    // tf.keras 2.x (which wrote the published files) named MobileNetV3's layers with slashes.
    std::map<std::string, std::string> names = {
        {"conv", "Conv"},     {"conv_bn", "Conv/BatchNorm"},
        {"conv_1", "Conv_1"}, {"conv_1_bn", "Conv_1/BatchNorm"},
        {"conv_2", "Conv_2"}, {"logits", "Logits"}};
    const std::pair<const char*, const char*> parts[] = {
        {"expand", "expand"},
        {"expand_bn", "expand/BatchNorm"},
        {"depthwise", "depthwise"},
        {"depthwise_bn", "depthwise/BatchNorm"},
        {"squeeze_excite_conv", "squeeze_excite/Conv"},
        {"squeeze_excite_conv_1", "squeeze_excite/Conv_1"},
        {"project", "project"},
        {"project_bn", "project/BatchNorm"}};
    for (int id = 0; id <= 14; ++id) {
      const std::string block = id ? "expanded_conv_" + std::to_string(id) : "expanded_conv";
      for (const auto& [today, older] : parts) names[block + "_" + today] = block + "/" + older;
    }
    return names;
  }
  return {};
}

Shape inputShapeFor(const ZooOptions& options) {
  if (!options.inputSize && !options.includeTop) return {kUnknown, kUnknown, kUnknown, 3};
  const int64_t size = options.inputSize.value_or(defaultInputSize(options.architecture));
  return {kUnknown, size, size, 3};
}

std::string addPooling(GraphBuilder& builder, const ZooOptions& options, const std::string& x,
                       const std::string& avgName, const std::string& maxName) {
  if (options.pooling == "avg") return builder.add("GlobalAveragePooling2D", avgName, {}, x);
  if (options.pooling == "max") return builder.add("GlobalMaxPooling2D", maxName, {}, x);
  return x;
}

namespace {

void checkOptions(const ZooOptions& o) {
  if (!isArchitecture(o.architecture)) {
    std::string names;
    for (const auto& a : architectures()) names += (names.empty() ? "" : ", ") + a;
    throw Error("unknown architecture '" + o.architecture + "' (expected one of " + names + ")");
  }
  if (o.inputSize && *o.inputSize < minimumInputSize(o.architecture))
    throw Error(o.architecture + ": input size " + std::to_string(*o.inputSize) +
                " is below the minimum of " + std::to_string(minimumInputSize(o.architecture)));
  if (o.includeTop && !o.pooling.empty())
    throw Error(o.architecture + ": pooling applies only without the top (--no-top)");
  if (!o.pooling.empty() && o.pooling != "avg" && o.pooling != "max")
    throw Error(o.architecture + ": pooling must be avg or max, got '" + o.pooling + "'");
  if (o.classes < 1) throw Error(o.architecture + ": classes must be at least 1");
  if (hasAlpha(o.architecture) && !(o.alpha > 0))
    throw Error(o.architecture + ": alpha must be positive, got " + std::to_string(o.alpha));
  if (!(o.dropoutRate >= 0 && o.dropoutRate < 1))
    throw Error(o.architecture + ": dropout rate must be in [0, 1), got " +
                std::to_string(o.dropoutRate));
  if (o.architecture == "resnet50" && o.resnetNaming != "keras-applications" &&
      o.resnetNaming != "tf.keras")
    throw Error("resnet50: naming must be keras-applications or tf.keras");
}

}  // namespace

Graph buildGraph(const ZooOptions& given) {
  ZooOptions options = given;
  options.architecture = canonicalArchitecture(given.architecture);
  checkOptions(options);
  const std::string& a = options.architecture;
  if (a == "vgg16") return buildVgg(options, 3);
  if (a == "vgg19") return buildVgg(options, 4);
  if (a == "resnet50") return buildResNet50(options);
  // Keras's stack_residual_blocks_v1 / _v2 block counts of stages conv2 .. conv5.
  if (a == "resnet101") return buildResNetV1(options, {3, 4, 23, 3});
  if (a == "resnet152") return buildResNetV1(options, {3, 8, 36, 3});
  if (a == "resnet50v2") return buildResNetV2(options, {3, 4, 6, 3});
  if (a == "resnet101v2") return buildResNetV2(options, {3, 4, 23, 3});
  if (a == "resnet152v2") return buildResNetV2(options, {3, 8, 36, 3});
  if (a == "inception_v3") return buildInceptionV3(options);
  if (a == "inceptionresnetv2") return buildInceptionResNetV2(options);
  if (a == "xception") return buildXception(options);
  if (a == "mobilenetv2") return buildMobileNetV2(options);
  if (a == "mobilenetv3small") return buildMobileNetV3(options, false);
  if (a == "mobilenetv3large") return buildMobileNetV3(options, true);
  // densenet.py's dense_block counts.
  if (a == "densenet121") return buildDenseNet(options, {6, 12, 24, 16});
  if (a == "densenet169") return buildDenseNet(options, {6, 12, 32, 32});
  if (a == "densenet201") return buildDenseNet(options, {6, 12, 48, 32});
  if (isConvNeXt(a)) return buildConvNeXt(options, convNeXtConfig(a));
  if (a == "nasnetmobile" || a == "nasnetlarge") return buildNASNet(options, nasNetConfig(a));
  if (familyOf(a) == "EfficientNet") return buildEfficientNet(options);
  if (familyOf(a) == "EfficientNetV2") return buildEfficientNetV2(options);
  return buildMobileNet(options);
}

namespace {

// Keras's str(float(alpha)) for the alphas MobileNetV2 publishes ("0.35", "0.5", "1.0", "1.4").
std::string pythonFloat(double alpha) {
  for (const char* text : {"0.35", "0.5", "0.75", "1.0", "1.3", "1.4"})
    if (std::abs(alpha - std::stod(text)) < 1e-9) return text;
  return "";
}

bool contains(const std::vector<int64_t>& sizes, int64_t size) {
  for (int64_t s : sizes)
    if (s == size) return true;
  return false;
}

}  // namespace

std::string standardWeightsFileName(const ZooOptions& given) {
  ZooOptions o = given;
  o.architecture = canonicalArchitecture(given.architecture);
  const std::string suffix = o.includeTop ? "" : "_notop";
  if (o.includeTop && o.classes != 1000) return "";
  if (o.architecture == "mobilenet") {
    const char* alpha = nullptr;
    if (std::abs(o.alpha - 1.0) < 1e-9)
      alpha = "1_0";
    else if (std::abs(o.alpha - 0.75) < 1e-9)
      alpha = "7_5";
    else if (std::abs(o.alpha - 0.5) < 1e-9)
      alpha = "5_0";
    else if (std::abs(o.alpha - 0.25) < 1e-9)
      alpha = "2_5";
    if (!alpha) return "";
    int64_t size = o.inputSize.value_or(224);
    if (size != 128 && size != 160 && size != 192 && size != 224) size = 224;
    return "mobilenet_" + std::string(alpha) + "_" + std::to_string(size) + "_tf" +
           (o.includeTop ? "" : "_no_top") + ".h5";
  }
  if (o.architecture == "mobilenetv2") {
    // mobilenet_v2.py: the 224 file at a size it has none for (non-square, other, unknown).
    const std::string alpha = pythonFloat(o.alpha);
    if (alpha.empty()) return "";
    int64_t size = o.inputSize.value_or(224);
    if (!contains(publishedSizes("mobilenetv2"), size)) size = 224;
    return "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_" + alpha + "_" + std::to_string(size) +
           (o.includeTop ? "" : "_no_top") + ".h5";
  }
  if (isMobileNetV3(o.architecture)) {
    // mobilenet_v3.py: "{model_type}{_minimalistic}_224_{str(alpha)}_float", for alpha 0.75 or
    // 1.0 (minimalistic 1.0 only); the 224 file at any size.
    const std::string alpha = std::abs(o.alpha - 1.0) < 1e-9    ? "1.0"
                              : std::abs(o.alpha - 0.75) < 1e-9 ? "0.75"
                                                                : "";
    if (alpha.empty() || (o.minimalistic && alpha != "1.0")) return "";
    const std::string model =
        std::string(o.architecture == "mobilenetv3large" ? "large" : "small") +
        (o.minimalistic ? "_minimalistic" : "") + "_224_" + alpha + "_float";
    return "weights_mobilenet_v3_" + model + (o.includeTop ? "" : "_no_top_v2") + ".h5";
  }
  // convnext.py: the model's name with .h5 or _notop.h5, for any input size.
  if (isConvNeXt(o.architecture))
    return convNeXtConfig(o.architecture).name + (o.includeTop ? ".h5" : "_notop.h5");
  // nasnet.py's get_file names (the address names the file NASNet-mobile.h5 ...).
  if (o.architecture == "nasnetmobile" || o.architecture == "nasnetlarge")
    return nasNetConfig(o.architecture).name + (o.includeTop ? ".h5" : "_no_top.h5");
  // efficientnet.py: name + ".h5" or "_notop.h5" (at any input size).
  if (familyOf(o.architecture) == "EfficientNet") return o.architecture + suffix + ".h5";
  // efficientnet_v2.py: Keras's model name (efficientnetv2-b0) + ".h5" or "_notop.h5".
  if (familyOf(o.architecture) == "EfficientNetV2")
    return std::string(efficientNetV2Variant(o.architecture).name) + suffix + ".h5";
  // inception_resnet_v2.py's fname keeps Keras's snake_case stem.
  const std::string stem =
      o.architecture == "inceptionresnetv2" ? "inception_resnet_v2" : o.architecture;
  return stem + "_weights_tf_dim_ordering_tf_kernels" + suffix + ".h5";
}

}  // namespace graft::zoo
