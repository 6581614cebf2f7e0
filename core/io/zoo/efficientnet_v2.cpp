// EfficientNetV2B0 .. B3, S, M and L (Tan and Le 2021), ported from
// keras/src/applications/efficientnet_v2.py as Keras 3 builds them. include_preprocessing (the
// default) reads pixels 0..255: B0 .. B3 through an unnamed Rescaling(1/255) and an unnamed
// Normalization(axis=3) with ImageNet's mean and variance as config constants (no weights),
// S, M and L through Rescaling(1/128, offset -1). Every convolution pads 'same' (no
// ZeroPadding2D): stem_conv, stem_bn, stem_activation; the blocks block{stage}{a, b, ...}_ of
// each stage, FusedMBConv (conv_type 1: expand_conv k x k with the stride, or, at expand_ratio
// 1, project_conv k x k and project_activation) or MBConv (conv_type 0: expand_conv 1x1,
// dwconv2, bn, activation, squeeze-and-excitation se_squeeze .. se_excite, project_conv); a
// block that keeps its shape ends in drop (stochastic depth, Dropout with noise_shape (None, 1, 1,
// 1) at 0.2 * b / the unrounded block count: none for the first) and add. top_conv, top_bn,
// top_activation and, with the top, avg_pool, top_dropout (0.2) and the softmax predictions.
//
// round_filters has no 10% rule here (min_depth 8); BatchNormalization momentum 0.9.
#include <cmath>

#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

struct Stage {
  int kernel, repeats, filtersIn, filtersOut, expandRatio;
  double seRatio;
  int strides;
  bool fused;  // conv_type 1
};

// DEFAULT_BLOCKS_ARGS: efficientnetv2-s, -m, -l, and -b0 .. -b3 (one list).
const std::vector<Stage>& stages(char kind) {
  static const std::vector<Stage> s = {
      {3, 2, 24, 24, 1, 0, 1, true},       {3, 4, 24, 48, 4, 0, 2, true},
      {3, 4, 48, 64, 4, 0, 2, true},       {3, 6, 64, 128, 4, 0.25, 2, false},
      {3, 9, 128, 160, 6, 0.25, 1, false}, {3, 15, 160, 256, 6, 0.25, 2, false}};
  static const std::vector<Stage> m = {
      {3, 3, 24, 24, 1, 0, 1, true},        {3, 5, 24, 48, 4, 0, 2, true},
      {3, 5, 48, 80, 4, 0, 2, true},        {3, 7, 80, 160, 4, 0.25, 2, false},
      {3, 14, 160, 176, 6, 0.25, 1, false}, {3, 18, 176, 304, 6, 0.25, 2, false},
      {3, 5, 304, 512, 6, 0.25, 1, false}};
  static const std::vector<Stage> l = {
      {3, 4, 32, 32, 1, 0, 1, true},        {3, 7, 32, 64, 4, 0, 2, true},
      {3, 7, 64, 96, 4, 0, 2, true},        {3, 10, 96, 192, 4, 0.25, 2, false},
      {3, 19, 192, 224, 6, 0.25, 1, false}, {3, 25, 224, 384, 6, 0.25, 2, false},
      {3, 7, 384, 640, 6, 0.25, 1, false}};
  static const std::vector<Stage> b = {
      {3, 1, 32, 16, 1, 0, 1, true},      {3, 2, 16, 32, 4, 0, 2, true},
      {3, 2, 32, 48, 4, 0, 2, true},      {3, 3, 48, 96, 4, 0.25, 2, false},
      {3, 5, 96, 112, 6, 0.25, 1, false}, {3, 8, 112, 192, 6, 0.25, 2, false}};
  return kind == 's' ? s : kind == 'm' ? m : kind == 'l' ? l : b;
}

constexpr double kDropConnectRate = 0.2;
constexpr double kDropoutRate = 0.2;

Json conv(int64_t filters, int kernel, int strides = 1, bool bias = false,
          const char* activation = "linear") {
  return {{"filters", filters},
          {"kernel_size", {kernel, kernel}},
          {"strides", {strides, strides}},
          {"padding", "same"},
          {"use_bias", bias},
          {"activation", activation}};
}

class EfficientNetV2 {
 public:
  EfficientNetV2(GraphBuilder& b, const EfficientNetVariant& v) : b_(b), v_(v) {}

  // round_filters(filters, width_coefficient, min_depth=8, depth_divisor=8).
  int64_t roundFilters(double filters) const {
    filters *= v_.width;
    return std::max<int64_t>(8, static_cast<int64_t>(filters + 4) / 8 * 8);
  }

  std::string stem(const std::string& input, bool preprocessing, char kind) {
    std::string x = input;
    if (preprocessing && kind == 'b') {
      x = b_.add("Rescaling", names_.next("rescaling"), {{"scale", 1.0 / 255}}, x);
      x = b_.add("Normalization", names_.next("normalization"),
                 {{"axis", Json::array({3})},
                  {"mean", {0.485, 0.456, 0.406}},
                  {"variance", {0.229 * 0.229, 0.224 * 0.224, 0.225 * 0.225}}},
                 x);
    } else if (preprocessing) {
      x = b_.add("Rescaling", names_.next("rescaling"), {{"scale", 1.0 / 128.0}, {"offset", -1.0}},
                 x);
    }
    x = b_.add("Conv2D", "stem_conv", conv(roundFilters(stages(kind)[0].filtersIn), 3, 2), x);
    x = batchNorm("stem_bn", x);
    return b_.add("Activation", "stem_activation", {{"activation", "silu"}}, x);
  }

  std::string blocks(std::string x, char kind) {
    double total = 0;  // Keras sums the unrounded num_repeat
    for (const Stage& s : stages(kind)) total += s.repeats;
    int b = 0;
    const std::vector<Stage>& all = stages(kind);
    for (size_t i = 0; i < all.size(); ++i) {
      const Stage& s = all[i];
      const int64_t in = roundFilters(s.filtersIn), out = roundFilters(s.filtersOut);
      const int repeats = static_cast<int>(std::ceil(v_.depth * s.repeats));
      for (int j = 0; j < repeats; ++j, ++b) {
        const std::string name = "block" + std::to_string(i + 1) + static_cast<char>('a' + j) + "_";
        Block block{name,     j ? out : in,      out,       s.expandRatio,
                    s.kernel, j ? 1 : s.strides, s.seRatio, kDropConnectRate * b / total};
        x = s.fused ? fusedMBConv(x, block) : mbConv(x, block);
      }
    }
    return x;
  }

  std::string top(const std::string& input, const ZooOptions& options) {
    std::string x = b_.add("Conv2D", "top_conv", conv(roundFilters(1280), 1), input);
    x = batchNorm("top_bn", x);
    x = b_.add("Activation", "top_activation", {{"activation", "silu"}}, x);
    if (!options.includeTop) return addPooling(b_, options, x, "avg_pool", "max_pool");
    x = b_.add("GlobalAveragePooling2D", "avg_pool", {}, x);
    x = b_.add("Dropout", "top_dropout", {{"rate", kDropoutRate}}, x);
    return b_.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}},
                  x);
  }

 private:
  struct Block {
    std::string name;
    int64_t filtersIn, filtersOut;
    int expandRatio, kernel, strides;
    double seRatio, dropRate;  // dropRate: Keras's survival_probability (the Dropout's rate)
  };

  std::string batchNorm(const std::string& name, const std::string& x) {
    return b_.add("BatchNormalization", name, {{"axis", 3}, {"momentum", 0.9}}, x);
  }

  std::string expand(const std::string& input, const Block& k, int kernel, int strides) {
    std::string x = b_.add("Conv2D", k.name + "expand_conv",
                           conv(k.filtersIn * k.expandRatio, kernel, strides), input);
    x = batchNorm(k.name + "expand_bn", x);
    return b_.add("Activation", k.name + "expand_activation", {{"activation", "silu"}}, x);
  }

  std::string squeezeExcite(const std::string& input, const Block& k) {
    if (!(k.seRatio > 0 && k.seRatio <= 1)) return input;
    const int64_t filters = k.filtersIn * k.expandRatio;
    const int64_t filtersSe =
        std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(k.filtersIn) * k.seRatio));
    std::string se = b_.add("GlobalAveragePooling2D", k.name + "se_squeeze", {}, input);
    se = b_.add("Reshape", k.name + "se_reshape", {{"target_shape", {1, 1, filters}}}, se);
    se = b_.add("Conv2D", k.name + "se_reduce", conv(filtersSe, 1, 1, true, "silu"), se);
    se = b_.add("Conv2D", k.name + "se_expand", conv(filters, 1, 1, true, "sigmoid"), se);
    return b_.add("Multiply", k.name + "se_excite", {}, {input, se});
  }

  std::string residual(const std::string& input, std::string x, const Block& k) {
    if (k.strides != 1 || k.filtersIn != k.filtersOut) return x;
    if (k.dropRate > 0)
      x = b_.add("Dropout", k.name + "drop",
                 {{"rate", k.dropRate}, {"noise_shape", {nullptr, 1, 1, 1}}}, x);
    return b_.add("Add", k.name + "add", {}, {x, input});
  }

  // MBConvBlock.
  std::string mbConv(const std::string& input, const Block& k) {
    std::string x = k.expandRatio != 1 ? expand(input, k, 1, 1) : input;
    x = b_.add("DepthwiseConv2D", k.name + "dwconv2",
               {{"kernel_size", {k.kernel, k.kernel}},
                {"strides", {k.strides, k.strides}},
                {"padding", "same"},
                {"use_bias", false}},
               x);
    x = batchNorm(k.name + "bn", x);
    x = b_.add("Activation", k.name + "activation", {{"activation", "silu"}}, x);
    x = squeezeExcite(x, k);
    x = b_.add("Conv2D", k.name + "project_conv", conv(k.filtersOut, 1), x);
    x = batchNorm(k.name + "project_bn", x);
    return residual(input, x, k);
  }

  // FusedMBConvBlock: the expansion is the k x k convolution; without one the projection is.
  std::string fusedMBConv(const std::string& input, const Block& k) {
    const bool expands = k.expandRatio != 1;
    std::string x = expands ? expand(input, k, k.kernel, k.strides) : input;
    x = squeezeExcite(x, k);
    x = b_.add("Conv2D", k.name + "project_conv",
               conv(k.filtersOut, expands ? 1 : k.kernel, expands ? 1 : k.strides), x);
    x = batchNorm(k.name + "project_bn", x);
    if (!expands)
      x = b_.add("Activation", k.name + "project_activation", {{"activation", "silu"}}, x);
    return residual(input, x, k);
  }

  GraphBuilder& b_;
  const EfficientNetVariant& v_;
  AutoNames names_{AutoNames::Style::TfKeras};
};

}  // namespace

const EfficientNetVariant& efficientNetV2Variant(const std::string& architecture) {
  // EfficientNetV2B0 .. L's (width_coefficient, depth_coefficient, default_size); every
  // dropout_rate is the default 0.2. `name` is Keras's model name.
  static const EfficientNetVariant variants[] = {{"efficientnetv2-b0", 1.0, 1.0, 224, kDropoutRate},
                                                 {"efficientnetv2-b1", 1.0, 1.1, 240, kDropoutRate},
                                                 {"efficientnetv2-b2", 1.1, 1.2, 260, kDropoutRate},
                                                 {"efficientnetv2-b3", 1.2, 1.4, 300, kDropoutRate},
                                                 {"efficientnetv2-s", 1.0, 1.0, 384, kDropoutRate},
                                                 {"efficientnetv2-m", 1.0, 1.0, 480, kDropoutRate},
                                                 {"efficientnetv2-l", 1.0, 1.0, 480, kDropoutRate}};
  // Zoo names drop the dash: efficientnetv2b0, efficientnetv2s.
  for (const auto& v : variants) {
    std::string zooName = v.name;
    zooName.erase(zooName.find('-'), 1);
    if (architecture == zooName) return v;
  }
  throw Error("not an EfficientNetV2: '" + architecture + "'");
}

Graph buildEfficientNetV2(const ZooOptions& options) {
  const EfficientNetVariant& variant = efficientNetV2Variant(options.architecture);
  const std::string name = variant.name;
  const char kind = name[name.find('-') + 1];  // b, s, m or l
  GraphBuilder b(variant.name);
  EfficientNetV2 net(b, variant);
  std::string x =
      net.stem(b.input("input_1", inputShapeFor(options)), options.includePreprocessing, kind);
  x = net.blocks(x, kind);
  x = net.top(x, options);
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
