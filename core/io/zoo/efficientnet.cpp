// EfficientNetB0 .. B7 (Tan and Le 2019), ported from keras/src/applications/efficientnet.py as
// Keras 3 builds them with weights="imagenet" (the default, and what the zoo loads). The stem
// reads pixels 0..255: an unnamed Rescaling(1/255) (rescaling), an unnamed Normalization(axis=3)
// whose mean and variance are weights (normalization: the published files hold ImageNet's), and
// the Rescaling Keras adds for the ImageNet weights (rescaling_1: 1/sqrt(stddev) per channel,
// because the original divided by the variance, not the deviation); stem_conv_pad (correct_pad),
// stem_conv, stem_bn, stem_activation. Then the MBConv blocks block{stage}{a, b, ...}_:
// expand_conv / expand_bn / expand_activation (when expand_ratio != 1), dwconv_pad for a stride
// 2, dwconv, bn, activation, the squeeze-and-excitation se_squeeze, se_reshape, se_reduce (swish),
// se_expand (sigmoid) and the broadcasting Multiply se_excite, project_conv, project_bn and, when
// the block keeps its shape, drop (stochastic depth: Dropout with noise_shape (None, 1, 1, 1), at
// drop_connect_rate 0.2 * b / blocks, so none for the first block; identity at inference) and
// add. Then top_conv, top_bn, top_activation and, with the top, avg_pool, top_dropout (the
// variant's dropout_rate) and the softmax Dense predictions; without it avg_pool / max_pool.
//
// width_coefficient scales every filter count (round_filters: to a multiple of 8, never down by
// more than 10%), depth_coefficient the repeats of each stage (round_repeats: ceil). swish is
// written as Keras 3 serializes it, "silu". BatchNormalization: axis 3, Keras's defaults.
#include <cmath>

#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

struct Stage {
  int kernel, repeats, filtersIn, filtersOut, expandRatio, strides;
};

// DEFAULT_BLOCKS_ARGS (id_skip True and se_ratio 0.25 throughout).
constexpr Stage kStages[] = {{3, 1, 32, 16, 1, 1},  {3, 2, 16, 24, 6, 2},  {5, 2, 24, 40, 6, 2},
                             {3, 3, 40, 80, 6, 2},  {5, 3, 80, 112, 6, 1}, {5, 4, 112, 192, 6, 2},
                             {3, 1, 192, 320, 6, 1}};
constexpr double kSeRatio = 0.25;
constexpr double kDropConnectRate = 0.2;

// IMAGENET_STDDEV_RGB.
constexpr double kStddev[] = {0.229, 0.224, 0.225};

Json conv(int64_t filters, int kernel, int strides, const char* padding, bool bias,
          const char* activation = "linear") {
  return {{"filters", filters},
          {"kernel_size", {kernel, kernel}},
          {"strides", {strides, strides}},
          {"padding", padding},
          {"use_bias", bias},
          {"activation", activation}};
}

Json batchNorm() {
  return {{"axis", 3}};
}

class EfficientNet {
 public:
  EfficientNet(GraphBuilder& b, const EfficientNetVariant& v, int64_t size)
      : b_(b), v_(v), size_(size) {}

  // round_filters(filters).
  int64_t roundFilters(double filters) const {
    filters *= v_.width;
    int64_t rounded = std::max<int64_t>(8, static_cast<int64_t>(filters + 4) / 8 * 8);
    if (static_cast<double>(rounded) < 0.9 * filters) rounded += 8;
    return rounded;
  }

  int roundRepeats(int repeats) const { return static_cast<int>(std::ceil(v_.depth * repeats)); }

  std::string stem(const std::string& input) {
    std::string x = b_.add("Rescaling", names_.next("rescaling"), {{"scale", 1.0 / 255.0}}, input);
    x = b_.add("Normalization", names_.next("normalization"), {{"axis", Json::array({3})}}, x);
    Json scale = Json::array();
    for (double s : kStddev) scale.push_back(1.0 / std::sqrt(s));
    x = b_.add("Rescaling", names_.next("rescaling"), {{"scale", scale}}, x);
    x = b_.add("ZeroPadding2D", "stem_conv_pad", {{"padding", correctPad(3)}}, x);
    x = b_.add("Conv2D", "stem_conv", conv(roundFilters(32), 3, 2, "valid", false), x);
    size_ = halved(size_);
    x = b_.add("BatchNormalization", "stem_bn", batchNorm(), x);
    return b_.add("Activation", "stem_activation", {{"activation", "silu"}}, x);
  }

  std::string blocks(std::string x) {
    int total = 0;
    for (const Stage& s : kStages) total += roundRepeats(s.repeats);
    int b = 0;
    for (size_t i = 0; i < std::size(kStages); ++i) {
      const Stage& s = kStages[i];
      const int64_t in = roundFilters(s.filtersIn), out = roundFilters(s.filtersOut);
      for (int j = 0; j < roundRepeats(s.repeats); ++j, ++b) {
        const std::string name = "block" + std::to_string(i + 1) + static_cast<char>('a' + j) + "_";
        x = block(x, kDropConnectRate * b / total, name, j ? out : in, out, s.kernel,
                  j ? 1 : s.strides, s.expandRatio);
      }
    }
    return x;
  }

  std::string top(const std::string& input, const ZooOptions& options) {
    std::string x =
        b_.add("Conv2D", "top_conv", conv(roundFilters(1280), 1, 1, "same", false), input);
    x = b_.add("BatchNormalization", "top_bn", batchNorm(), x);
    x = b_.add("Activation", "top_activation", {{"activation", "silu"}}, x);
    if (!options.includeTop) return addPooling(b_, options, x, "avg_pool", "max_pool");
    x = b_.add("GlobalAveragePooling2D", "avg_pool", {}, x);
    if (v_.dropoutRate > 0) x = b_.add("Dropout", "top_dropout", {{"rate", v_.dropoutRate}}, x);
    return b_.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}},
                  x);
  }

 private:
  static int64_t halved(int64_t n) { return n == kUnknown ? kUnknown : (n + 1) / 2; }

  // imagenet_utils.correct_pad(x, kernel_size) for the current spatial size.
  Json correctPad(int kernel) const {
    const int64_t adjust = size_ == kUnknown ? 1 : 1 - size_ % 2;
    const int64_t c = kernel / 2;
    return {{c - adjust, c}, {c - adjust, c}};
  }

  // efficientnet.py's block(inputs, activation, drop_rate, name, filters_in, filters_out,
  // kernel_size, strides, expand_ratio, se_ratio=0.25, id_skip=True).
  std::string block(const std::string& input, double dropRate, const std::string& name,
                    int64_t filtersIn, int64_t filtersOut, int kernel, int strides,
                    int expandRatio) {
    const int64_t filters = filtersIn * expandRatio;
    std::string x = input;
    if (expandRatio != 1) {
      x = b_.add("Conv2D", name + "expand_conv", conv(filters, 1, 1, "same", false), x);
      x = b_.add("BatchNormalization", name + "expand_bn", batchNorm(), x);
      x = b_.add("Activation", name + "expand_activation", {{"activation", "silu"}}, x);
    }
    const char* padding = "same";
    if (strides == 2) {
      x = b_.add("ZeroPadding2D", name + "dwconv_pad", {{"padding", correctPad(kernel)}}, x);
      padding = "valid";
    }
    x = b_.add("DepthwiseConv2D", name + "dwconv",
               {{"kernel_size", {kernel, kernel}},
                {"strides", {strides, strides}},
                {"padding", padding},
                {"use_bias", false}},
               x);
    if (strides == 2) size_ = halved(size_);
    x = b_.add("BatchNormalization", name + "bn", batchNorm(), x);
    x = b_.add("Activation", name + "activation", {{"activation", "silu"}}, x);

    const int64_t filtersSe =
        std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(filtersIn) * kSeRatio));
    std::string se = b_.add("GlobalAveragePooling2D", name + "se_squeeze", {}, x);
    se = b_.add("Reshape", name + "se_reshape", {{"target_shape", {1, 1, filters}}}, se);
    se = b_.add("Conv2D", name + "se_reduce", conv(filtersSe, 1, 1, "same", true, "silu"), se);
    se = b_.add("Conv2D", name + "se_expand", conv(filters, 1, 1, "same", true, "sigmoid"), se);
    x = b_.add("Multiply", name + "se_excite", {}, {x, se});

    x = b_.add("Conv2D", name + "project_conv", conv(filtersOut, 1, 1, "same", false), x);
    x = b_.add("BatchNormalization", name + "project_bn", batchNorm(), x);
    if (strides == 1 && filtersIn == filtersOut) {
      if (dropRate > 0)
        x = b_.add("Dropout", name + "drop",
                   {{"rate", dropRate}, {"noise_shape", {nullptr, 1, 1, 1}}}, x);
      x = b_.add("Add", name + "add", {}, {x, input});
    }
    return x;
  }

  GraphBuilder& b_;
  const EfficientNetVariant& v_;
  AutoNames names_{AutoNames::Style::TfKeras};
  int64_t size_;  // spatial size of the current map, kUnknown without a fixed input
};

}  // namespace

const EfficientNetVariant& efficientNetVariant(const std::string& architecture) {
  // EfficientNetB0 .. B7's (width_coefficient, depth_coefficient, default_size, dropout_rate).
  static const EfficientNetVariant variants[] = {
      {"efficientnetb0", 1.0, 1.0, 224, 0.2}, {"efficientnetb1", 1.0, 1.1, 240, 0.2},
      {"efficientnetb2", 1.1, 1.2, 260, 0.3}, {"efficientnetb3", 1.2, 1.4, 300, 0.3},
      {"efficientnetb4", 1.4, 1.8, 380, 0.4}, {"efficientnetb5", 1.6, 2.2, 456, 0.4},
      {"efficientnetb6", 1.8, 2.6, 528, 0.5}, {"efficientnetb7", 2.0, 3.1, 600, 0.5}};
  for (const auto& v : variants)
    if (architecture == v.name) return v;
  throw Error("not an EfficientNet: '" + architecture + "'");
}

Graph buildEfficientNet(const ZooOptions& options) {
  const EfficientNetVariant& variant = efficientNetVariant(options.architecture);
  const Shape input = inputShapeFor(options);
  GraphBuilder b(variant.name);
  EfficientNet net(b, variant, input[1]);
  std::string x = net.stem(b.input("input_1", input));
  x = net.blocks(x);
  x = net.top(x, options);
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
