#include "io/recognize.h"

#include <cmath>
#include <map>
#include <regex>

#include "io/zoo/families.h"

namespace graft {
namespace {

bool has(const KerasH5Reader& f, const std::string& layer) {
  return f.find(layer) != nullptr;
}

// Last dimension of the first weight of `layer` (a kernel's output count).
std::optional<int64_t> outputs(const KerasH5Reader& f, const std::string& layer) {
  const KerasH5Layer* l = f.find(layer);
  if (!l || l->weightNames.empty()) return std::nullopt;
  Shape s = f.shape(*l, 0);
  if (s.empty()) return std::nullopt;
  return s.back();
}

std::string fileName(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

void recognizeTop(const KerasH5Reader& f, Recognition& r, const std::string& classifier) {
  if (auto classes = outputs(f, classifier)) {
    r.options.includeTop = true;
    r.options.classes = *classes;
    r.evidence += ", top '" + classifier + "' with " + std::to_string(*classes) + " classes";
  } else {
    r.options.includeTop = false;
    if (has(f, "global_average_pooling2d_1") || has(f, "global_average_pooling2d"))
      r.options.pooling = "avg";
    else if (has(f, "global_max_pooling2d_1") || has(f, "global_max_pooling2d"))
      r.options.pooling = "max";
    r.evidence +=
        ", no top" + (r.options.pooling.empty() ? "" : " (" + r.options.pooling + " pooling)");
  }
}

}  // namespace

std::optional<Recognition> recognizeZooWeights(const KerasH5Reader& f) {
  Recognition r;
  // ConvNeXt (convnext.py): layers {model}_stage_{i}_block_{j}_...; the variant from the first
  // block's depthwise kernel (7, 7, 1, projection_dims[0]: 96 Tiny and Small, 128 Base, 192
  // Large, 256 XLarge) and the depth of stage 2 (9 blocks Tiny, 27 the others).
  for (const KerasH5Layer& layer : f.layers()) {
    const std::string suffix = "_stage_0_block_0_depthwise_conv";
    if (layer.name.size() <= suffix.size() ||
        layer.name.compare(layer.name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string model = layer.name.substr(0, layer.name.size() - suffix.size());
    const int64_t dim = outputs(f, layer.name).value_or(0);
    const bool deep = has(f, model + "_stage_2_block_26_depthwise_conv");
    const std::map<int64_t, std::string> byWidth = {{96, deep ? "convnextsmall" : "convnexttiny"},
                                                    {128, "convnextbase"},
                                                    {192, "convnextlarge"},
                                                    {256, "convnextxlarge"}};
    const auto variant = byWidth.find(dim);
    if (variant == byWidth.end()) continue;
    r.options.architecture = variant->second;
    r.evidence = "ConvNeXt layers (" + layer.name + " with " + std::to_string(dim) +
                 " channels, stage 2 of " + (deep ? "27" : "9") + " blocks): " + variant->second;
    recognizeTop(f, r, model + "_head_dense");
    return r;
  }
  if (has(f, "stem_conv1") && has(f, "normal_conv_1_0")) {
    // NASNet (nasnet.py): stem_conv1 has stem_block_filters, 32 Mobile and 96 Large.
    const int64_t stem = outputs(f, "stem_conv1").value_or(0);
    r.options.architecture = stem == 96 ? "nasnetlarge" : "nasnetmobile";
    r.evidence = "NASNet layers (stem_conv1 with " + std::to_string(stem) +
                 " filters, normal_conv_1_0): " + r.options.architecture;
    recognizeTop(f, r, "predictions");
    return r;
  }
  if (has(f, "stem_conv") && has(f, "block4a_dwconv2") && has(f, "top_conv")) {
    // EfficientNetV2 (its MBConv blocks say dwconv2): M and L have a seventh stage, L a wider
    // stem (32 filters, M 24); S a 24-filter stem without it; B0 .. B3 a 32- or 40-filter stem,
    // told apart by top_conv (1280, 1408 for B2, 1536 for B3) and B1's repeated first stage.
    const int64_t stem = outputs(f, "stem_conv").value_or(32);
    const int64_t top = outputs(f, "top_conv").value_or(1280);
    std::string variant;
    if (has(f, "block7a_project_conv"))
      variant = stem >= 32 ? "l" : "m";
    else if (stem == 24)
      variant = "s";
    else if (top == 1536)
      variant = "b3";
    else if (top == 1408)
      variant = "b2";
    else
      variant = has(f, "block1b_project_conv") ? "b1" : "b0";
    r.options.architecture = "efficientnetv2" + variant;
    r.evidence = "EfficientNetV2 layers (stem_conv, block4a_dwconv2, top_conv), stem_conv has " +
                 std::to_string(stem) + " filters, top_conv " + std::to_string(top) + ": " +
                 r.options.architecture;
    recognizeTop(f, r, "predictions");
    return r;
  }
  if (has(f, "stem_conv") && has(f, "block1a_dwconv") && has(f, "top_conv")) {
    // EfficientNetB0 .. B7: top_conv has round_filters(1280 * width) filters, which tells B1 ..
    // B7 apart; B0 and B1 (width 1.0) differ by depth: B1 repeats the first stage (block1b).
    const int64_t top = outputs(f, "top_conv").value_or(1280);
    const bool repeated = has(f, "block1b_dwconv");
    r.options.architecture = "efficientnetb0";
    for (const std::string& name : zoo::architectures()) {
      if (zoo::familyOf(name) != "EfficientNet") continue;
      const zoo::EfficientNetVariant& v = zoo::efficientNetVariant(name);
      const double filters = 1280 * v.width;
      int64_t width = std::max<int64_t>(8, static_cast<int64_t>(filters + 4) / 8 * 8);
      if (static_cast<double>(width) < 0.9 * filters) width += 8;
      if (width == top && repeated == (std::ceil(v.depth) > 1)) r.options.architecture = name;
    }
    r.evidence = "EfficientNet layers (stem_conv, block1a_dwconv, top_conv), top_conv has " +
                 std::to_string(top) + " filters" + (repeated ? ", block1b" : ", no block1b") +
                 ": " + r.options.architecture;
    recognizeTop(f, r, "predictions");
    return r;
  }
  const bool tfKerasV3 = has(f, "expanded_conv/depthwise");  // the published files' names
  if (tfKerasV3 || has(f, "expanded_conv_depthwise_bn")) {
    // MobileNetV3 (MobileNetV2 says expanded_conv_depthwise_BN): Large has 15 blocks, Small 11;
    // minimalistic ones have no squeeze-and-excitation; alpha from the last projection,
    // _depth(160 * alpha) or _depth(96 * alpha).
    auto name = [&](int block, const std::string& layer) {
      return std::string("expanded_conv_") + std::to_string(block) + (tfKerasV3 ? "/" : "_") +
             layer;
    };
    const bool large = has(f, name(14, "project"));
    r.options.architecture = large ? "mobilenetv3large" : "mobilenetv3small";
    r.options.minimalistic =
        !has(f, name(3, tfKerasV3 ? "squeeze_excite/Conv" : "squeeze_excite_conv"));
    const int64_t base = large ? 160 : 96;
    const auto projected = outputs(f, name(large ? 14 : 10, "project")).value_or(base);
    r.options.alpha = static_cast<double>(projected) / static_cast<double>(base);
    for (double alpha : zoo::publishedAlphas(r.options.architecture)) {
      const double v = static_cast<double>(base) * alpha;
      int64_t width = std::max<int64_t>(8, static_cast<int64_t>(v + 4) / 8 * 8);
      if (static_cast<double>(width) < 0.9 * v) width += 8;
      if (width == projected) r.options.alpha = alpha;
    }
    r.evidence =
        std::string(large ? "MobileNetV3Large" : "MobileNetV3Small") + " layers (" +
        (tfKerasV3 ? "tf.keras names expanded_conv/depthwise" : "expanded_conv_depthwise_bn") +
        ", " + (large ? "15" : "11") + " blocks" +
        (r.options.minimalistic ? ", minimalistic: no squeeze-and-excitation" : "") +
        "), the last projection has " + std::to_string(projected) + " filters: alpha " +
        std::to_string(r.options.alpha).substr(0, 4);
    recognizeTop(f, r, tfKerasV3 ? "Logits" : "logits");
    return r;
  }
  if (has(f, "Conv1") && has(f, "expanded_conv_depthwise")) {
    // Conv1 has _make_divisible(32 * alpha, 8) filters, which 0.35 and 0.5 share (16); the
    // last projection, _make_divisible(int(320 * alpha), 8), tells every published alpha apart.
    r.options.architecture = "mobilenetv2";
    const auto projected = outputs(f, "block_16_project").value_or(320);
    r.options.alpha = 1.0;
    for (double alpha : zoo::publishedAlphas("mobilenetv2")) {
      const auto width = static_cast<int64_t>(320 * alpha);
      if (std::max<int64_t>(8, (width + 4) / 8 * 8) == projected) r.options.alpha = alpha;
    }
    r.evidence = "MobileNetV2 layers (Conv1, expanded_conv_depthwise ...), block_16_project has " +
                 std::to_string(projected) + " filters: alpha " +
                 std::to_string(r.options.alpha).substr(0, 4);
    std::smatch m;
    const std::string name = fileName(f.path());
    if (std::regex_search(name, m,
                          std::regex("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_"
                                     "[0-9.]+_(\\d+)")))
      r.options.inputSize = std::stoll(m[1]);
    // Keras's published files come from keras-applications, whose classifier is 'Logits'.
    recognizeTop(f, r, has(f, "Logits") ? "Logits" : "predictions");
    return r;
  }
  if (has(f, "block35_1_conv") || has(f, "conv_7b")) {
    // InceptionResNetV2: keras-applications (the published files) and Keras 3 share these
    // names; only the auto-named conv2d_bn layers differ (conv2d_1 ... against conv2d ...).
    r.options.architecture = "inceptionresnetv2";
    r.evidence = "InceptionResNetV2 layers (block35_1_conv, conv_7b)";
    recognizeTop(f, r, "predictions");
    return r;
  }
  if (has(f, "conv1/conv") || has(f, "pool2_conv")) {
    // DenseNet: the depth from the last dense blocks (conv4: 24, 32, 48 blocks).
    r.options.architecture = has(f, "conv4_block48_1_conv")   ? "densenet201"
                             : has(f, "conv4_block32_1_conv") ? "densenet169"
                                                              : "densenet121";
    r.evidence = "DenseNet layers (pool2_conv), " + r.options.architecture;
    // keras-applications (the published files) names the stem conv1/conv and the top fc1000.
    recognizeTop(f, r, has(f, "fc1000") ? "fc1000" : "predictions");
    return r;
  }
  if (has(f, "conv2_block1_preact_bn") || has(f, "post_bn")) {
    // ResNetV2: the depth from the blocks of stage conv4 (6, 23 or 36).
    r.options.architecture = has(f, "conv4_block36_1_conv")   ? "resnet152v2"
                             : has(f, "conv4_block23_1_conv") ? "resnet101v2"
                                                              : "resnet50v2";
    r.evidence = "ResNetV2 layers (conv2_block1_preact_bn, post_bn), " + r.options.architecture;
    recognizeTop(f, r, "predictions");
    return r;
  }
  if (has(f, "conv4_block23_1_conv")) {
    r.options.architecture = has(f, "conv4_block36_1_conv") ? "resnet152" : "resnet101";
    r.evidence = "ResNet layers (conv4_block23_1_conv), " + r.options.architecture;
    recognizeTop(f, r, "predictions");
    return r;
  }
  if (has(f, "conv_dw_1") && has(f, "conv1")) {
    r.options.architecture = "mobilenet";
    const auto filters = outputs(f, "conv1").value_or(32);
    r.options.alpha = static_cast<double>(filters) / 32.0;
    r.evidence = "MobileNet layers (conv_dw_1 ...), conv1 has " + std::to_string(filters) +
                 " filters: alpha " + std::to_string(r.options.alpha).substr(0, 4);
    std::smatch m;
    const std::string name = fileName(f.path());
    if (std::regex_search(name, m, std::regex("mobilenet_\\d_\\d+_(\\d+)_tf")))
      r.options.inputSize = std::stoll(m[1]);
    recognizeTop(f, r, "conv_preds");
    return r;
  }
  if (has(f, "block1_conv1") && has(f, "block5_conv3") && !has(f, "block14_sepconv1")) {
    r.options.architecture = has(f, "block5_conv4") ? "vgg19" : "vgg16";
    r.evidence = std::string(has(f, "block5_conv4") ? "VGG19" : "VGG16") + " layers (block5_conv" +
                 (has(f, "block5_conv4") ? "4" : "3") + ")";
    recognizeTop(f, r, "predictions");
    return r;
  }
  if (has(f, "res2a_branch2a") || has(f, "conv2_block1_1_conv")) {
    r.options.architecture = "resnet50";
    const bool tfKeras = has(f, "conv2_block1_1_conv");
    r.options.resnetNaming = tfKeras ? "tf.keras" : "keras-applications";
    r.evidence =
        std::string("ResNet50 layers, ") + (tfKeras ? "tf.keras naming (conv2_block1_1_conv)"
                                                    : "keras-applications naming (res2a_branch2a)");
    recognizeTop(f, r, tfKeras ? "predictions" : "fc1000");
    return r;
  }
  if (has(f, "block14_sepconv2") || has(f, "block14_sepconv1")) {
    r.options.architecture = "xception";
    r.evidence = "Xception layers (block14_sepconv2)";
    recognizeTop(f, r, "predictions");
    return r;
  }
  if (has(f, "mixed10") || (has(f, "mixed9") && has(f, "mixed0"))) {
    r.options.architecture = "inception_v3";
    r.evidence = "InceptionV3 layers (mixed0 ... mixed10)";
    recognizeTop(f, r, "predictions");
    return r;
  }
  return std::nullopt;
}

}  // namespace graft
