// MobileNetV2 (Sandler et al. 2018), ported from keras/src/applications/mobilenet_v2.py: Conv1
// (3x3/2 'same', _make_divisible(32 * alpha, 8) filters, no bias), bn_Conv1, Conv1_relu
// (ReLU(6.)); 17 inverted residual blocks (block 0 named expanded_conv_ has no expansion, the
// others block_N_expand/_expand_BN/_expand_relu; _depthwise, _depthwise_BN, _depthwise_relu;
// _project, _project_BN; _add when the block keeps its shape). A stride-2 block pads first with
// ZeroPadding2D _pad by imagenet_utils.correct_pad (((0, 1), (0, 1)) for an even or unknown size,
// ((1, 1), (1, 1)) for an odd one) and runs its depthwise convolution 'valid'. Then Conv_1
// (1280 filters, _make_divisible(1280 * alpha, 8) above alpha 1), Conv_1_bn and out_relu; the top
// is an unnamed GlobalAveragePooling2D (TF2 auto name) and predictions. BatchNormalization has
// epsilon 1e-3 and momentum 0.999; no convolution has a bias.
#include <algorithm>
#include <cstdio>

#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

// Keras's _make_divisible(v, divisor) with min_value = divisor.
int64_t makeDivisible(double v, int64_t divisor) {
  int64_t rounded = static_cast<int64_t>(v + static_cast<double>(divisor) / 2) / divisor * divisor;
  rounded = std::max(divisor, rounded);
  if (static_cast<double>(rounded) < 0.9 * v) rounded += divisor;
  return rounded;
}

Json conv1x1(int64_t filters) {
  return {{"filters", filters},
          {"kernel_size", {1, 1}},
          {"strides", {1, 1}},
          {"padding", "same"},
          {"use_bias", false}};
}

class MobileNetV2 {
 public:
  MobileNetV2(GraphBuilder& b, double alpha, int64_t size) : b_(b), alpha_(alpha), size_(size) {}

  std::string stem(const std::string& input) {
    channels_ = makeDivisible(32 * alpha_, 8);
    std::string x = b_.add("Conv2D", "Conv1",
                           {{"filters", channels_},
                            {"kernel_size", {3, 3}},
                            {"strides", {2, 2}},
                            {"padding", "same"},
                            {"use_bias", false}},
                           input);
    size_ = halved(size_);
    x = batchNorm("bn_Conv1", x);
    return relu6("Conv1_relu", x);
  }

  // Keras's _inverted_res_block.
  std::string block(const std::string& input, int expansion, int stride, int filters, int id) {
    // int(filters * alpha) as Python's int() truncates, then made divisible by 8.
    const int64_t pointwise =
        makeDivisible(static_cast<double>(static_cast<int64_t>(filters * alpha_)), 8);
    std::string prefix = "block_" + std::to_string(id) + "_";
    std::string x = input;
    if (id) {
      x = b_.add("Conv2D", prefix + "expand", conv1x1(expansion * channels_), x);
      x = relu6(prefix + "expand_relu", batchNorm(prefix + "expand_BN", x));
    } else {
      prefix = "expanded_conv_";
    }
    if (stride == 2) {
      // imagenet_utils.correct_pad(x, 3).
      const int64_t adjust = size_ == kUnknown ? 1 : 1 - size_ % 2;
      x = b_.add("ZeroPadding2D", prefix + "pad", {{"padding", {{1 - adjust, 1}, {1 - adjust, 1}}}},
                 x);
    }
    x = b_.add("DepthwiseConv2D", prefix + "depthwise",
               {{"kernel_size", {3, 3}},
                {"strides", {stride, stride}},
                {"padding", stride == 1 ? "same" : "valid"},
                {"depth_multiplier", 1},
                {"use_bias", false}},
               x);
    if (stride == 2) size_ = halved(size_);
    x = relu6(prefix + "depthwise_relu", batchNorm(prefix + "depthwise_BN", x));
    x = b_.add("Conv2D", prefix + "project", conv1x1(pointwise), x);
    x = batchNorm(prefix + "project_BN", x);
    const bool residual = channels_ == pointwise && stride == 1;
    channels_ = pointwise;
    if (residual) return b_.add("Add", prefix + "add", {}, {input, x});
    return x;
  }

  std::string head(const std::string& input) {
    const int64_t filters = alpha_ > 1.0 ? makeDivisible(1280 * alpha_, 8) : 1280;
    std::string x = b_.add("Conv2D", "Conv_1", conv1x1(filters), input);
    return relu6("out_relu", batchNorm("Conv_1_bn", x));
  }

 private:
  // 'same' stride 2, or correct_pad + 'valid': ceil(n / 2) either way.
  static int64_t halved(int64_t n) { return n == kUnknown ? kUnknown : (n + 1) / 2; }

  std::string batchNorm(const std::string& name, const std::string& x) {
    return b_.add("BatchNormalization", name,
                  {{"axis", -1}, {"epsilon", 1e-3}, {"momentum", 0.999}}, x);
  }
  std::string relu6(const std::string& name, const std::string& x) {
    return b_.add("ReLU", name, {{"max_value", 6.0}}, x);
  }

  GraphBuilder& b_;
  double alpha_;
  int64_t size_;  // spatial size of the current map, kUnknown without a fixed input
  int64_t channels_ = 0;
};

// Keras's model name, f"mobilenetv2_{alpha:0.2f}_{rows}": "mobilenetv2_1.00_224".
std::string modelName(double alpha, const Shape& input) {
  char text[32];
  std::snprintf(text, sizeof text, "%0.2f", alpha);
  return "mobilenetv2_" + std::string(text) + "_" +
         (input[1] == kUnknown ? std::string("None") : std::to_string(input[1]));
}

}  // namespace

Graph buildMobileNetV2(const ZooOptions& options) {
  const Shape input = inputShapeFor(options);
  GraphBuilder b(modelName(options.alpha, input));
  MobileNetV2 net(b, options.alpha, input[1]);
  std::string x = net.stem(b.input("input_1", input));
  struct Block {
    int filters, stride, expansion;
  };
  // Blocks 0 .. 16 as mobilenet_v2.py lists them.
  constexpr Block kBlocks[] = {{16, 1, 1},  {24, 2, 6}, {24, 1, 6}, {32, 2, 6},  {32, 1, 6},
                               {32, 1, 6},  {64, 2, 6}, {64, 1, 6}, {64, 1, 6},  {64, 1, 6},
                               {96, 1, 6},  {96, 1, 6}, {96, 1, 6}, {160, 2, 6}, {160, 1, 6},
                               {160, 1, 6}, {320, 1, 6}};
  int id = 0;
  for (const Block& block : kBlocks)
    x = net.block(x, block.expansion, block.stride, block.filters, id++);
  x = net.head(x);
  if (options.includeTop) {
    x = b.add("GlobalAveragePooling2D", "global_average_pooling2d", {}, x);
    x = b.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}}, x);
  } else {
    x = addPooling(b, options, x, "global_average_pooling2d", "global_max_pooling2d");
  }
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
