// MobileNetV3Small and MobileNetV3Large (Howard et al. 2019), ported from
// keras/src/applications/mobilenet_v3.py as Keras 3 builds them. With include_preprocessing an
// unnamed Rescaling (1/127.5, offset -1) reads pixels 0..255; the stem conv has 16 filters
// whatever alpha (conv, conv_bn), then the stack of _inverted_res_block's (expanded_conv_ for
// block 0, expanded_conv_N_ after: _expand, _expand_bn; _depthwise_pad by correct_pad for a
// stride 2; _depthwise, _depthwise_bn; the squeeze-and-excitation _squeeze_excite_avg_pool
// (keepdims), _conv, _relu, _conv_1, hard-sigmoid and the broadcasting Multiply _mul; _project,
// _project_bn; _add when the block keeps its shape), conv_1 (_depth(channels * 6)) and
// conv_1_bn. The top is an unnamed GlobalAveragePooling2D(keepdims=True), conv_2 (1024 or 1280
// filters, more above alpha 1), an unnamed Dropout (identity at inference, left out at rate 0),
// logits (a biased 1x1 Conv2D), an unnamed Flatten and the softmax Activation predictions.
// Without the top, pooling is avg_pool / max_pool.
//
// Activations as Keras 3 writes them, with its auto names: relu an unnamed ReLU (re_lu_N);
// hard_swish an unnamed Activation whose config says hard_silu (activation_N); hard_sigmoid
// ReLU(6.)(x + 3.) * (1. / 6.), where the two operations on symbolic tensors are Keras 3
// operations (keras.src.ops.numpy Add and Multiply: add_N, multiply_N), which Graft holds as
// TFOpLambda math.add / math.multiply with a float32 constant. minimalistic: ReLU throughout,
// 3x3 kernels and no squeeze-and-excitation. BatchNormalization epsilon 1e-3, momentum 0.999.
#include <algorithm>

#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

// Keras's _depth(v, divisor=8): v rounded to a multiple of 8, never down by more than 10%.
int64_t depth(double v) {
  int64_t rounded = std::max<int64_t>(8, static_cast<int64_t>(v + 4.0) / 8 * 8);
  if (static_cast<double>(rounded) < 0.9 * v) rounded += 8;
  return rounded;
}

enum class Act { Relu, HardSwish };

Json conv1x1(int64_t filters, bool bias) {
  return {{"filters", filters},
          {"kernel_size", {1, 1}},
          {"strides", {1, 1}},
          {"padding", "same"},
          {"use_bias", bias}};
}

class MobileNetV3 {
 public:
  MobileNetV3(GraphBuilder& b, double alpha, int64_t size) : b_(b), alpha_(alpha), size_(size) {}

  std::string stem(const std::string& input, bool rescale, Act activation) {
    std::string x = input;
    if (rescale)
      x = b_.add("Rescaling", names_.next("rescaling"), {{"scale", 1.0 / 127.5}, {"offset", -1.0}},
                 x);
    x = b_.add("Conv2D", "conv",
               {{"filters", 16},
                {"kernel_size", {3, 3}},
                {"strides", {2, 2}},
                {"padding", "same"},
                {"use_bias", false}},
               x);
    size_ = halved(size_);
    channels_ = 16;
    return activate(activation, batchNorm("conv_bn", x));
  }

  // Keras's _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio,
  // activation, block_id); `filters` before alpha (the stack's depth(d) applies it).
  std::string block(const std::string& input, double expansion, int filters, int kernel, int stride,
                    bool squeeze, Act activation, int id) {
    const int64_t infilters = channels_;
    const int64_t expanded = depth(static_cast<double>(infilters) * expansion);
    const int64_t out = depth(filters * alpha_);
    std::string prefix = "expanded_conv_";
    std::string x = input;
    if (id) {
      prefix += std::to_string(id) + "_";
      x = b_.add("Conv2D", prefix + "expand", conv1x1(expanded, false), x);
      x = activate(activation, batchNorm(prefix + "expand_bn", x));
    }
    if (stride == 2) {
      // imagenet_utils.correct_pad(x, kernel_size).
      const int64_t adjust = size_ == kUnknown ? 1 : 1 - size_ % 2;
      const int64_t c = kernel / 2;
      x = b_.add("ZeroPadding2D", prefix + "depthwise_pad",
                 {{"padding", {{c - adjust, c}, {c - adjust, c}}}}, x);
    }
    x = b_.add("DepthwiseConv2D", prefix + "depthwise",
               {{"kernel_size", {kernel, kernel}},
                {"strides", {stride, stride}},
                {"padding", stride == 1 ? "same" : "valid"},
                {"depth_multiplier", 1},
                {"use_bias", false}},
               x);
    if (stride == 2) size_ = halved(size_);
    x = activate(activation, batchNorm(prefix + "depthwise_bn", x));
    if (squeeze) x = squeezeExcite(x, expanded, prefix);
    x = b_.add("Conv2D", prefix + "project", conv1x1(out, false), x);
    x = batchNorm(prefix + "project_bn", x);
    channels_ = out;
    if (stride == 1 && infilters == out) return b_.add("Add", prefix + "add", {}, {input, x});
    return x;
  }

  // conv_1 and, with the top, conv_2 .. predictions.
  std::string head(const std::string& input, Act activation, int64_t lastPoint,
                   const ZooOptions& options) {
    std::string x = b_.add("Conv2D", "conv_1", conv1x1(depth(channels_ * 6.0), false), input);
    x = activate(activation, batchNorm("conv_1_bn", x));
    if (!options.includeTop) return addPooling(b_, options, x, "avg_pool", "max_pool");
    if (alpha_ > 1.0) lastPoint = depth(static_cast<double>(lastPoint) * alpha_);
    x = b_.add("GlobalAveragePooling2D", names_.next("global_average_pooling2d"),
               {{"keepdims", true}}, x);
    x = activate(activation, b_.add("Conv2D", "conv_2", conv1x1(lastPoint, true), x));
    if (options.dropoutRate > 0)
      x = b_.add("Dropout", names_.next("dropout"), {{"rate", options.dropoutRate}}, x);
    x = b_.add("Conv2D", "logits", conv1x1(options.classes, true), x);
    x = b_.add("Flatten", names_.next("flatten"), {}, x);
    return b_.add("Activation", "predictions", {{"activation", "softmax"}}, x);
  }

 private:
  static int64_t halved(int64_t n) { return n == kUnknown ? kUnknown : (n + 1) / 2; }

  std::string batchNorm(const std::string& name, const std::string& x) {
    return b_.add("BatchNormalization", name,
                  {{"axis", -1}, {"epsilon", 1e-3}, {"momentum", 0.999}}, x);
  }

  std::string activate(Act activation, const std::string& x) {
    if (activation == Act::Relu) return b_.add("ReLU", names_.next("re_lu"), {}, x);
    // Activation("hard_swish"), which Keras 3 serializes by the function's name.
    return b_.add("Activation", names_.next("activation"), {{"activation", "hard_silu"}}, x);
  }

  // ReLU(6.0)(x + 3.0) * (1.0 / 6.0): the ReLU layer is made before x + 3.0 runs.
  std::string hardSigmoid(const std::string& input) {
    const std::string relu6 = names_.next("re_lu");
    std::string x = b_.add("TFOpLambda", names_.next("add"),
                           {{"function", "math.add"}, {"operands", {nullptr, 3.0}}}, input);
    x = b_.add("ReLU", relu6, {{"max_value", 6.0}}, x);
    return b_.add("TFOpLambda", names_.next("multiply"),
                  {{"function", "math.multiply"}, {"operands", {nullptr, 1.0 / 6.0}}}, x);
  }

  // Keras's _se_block(inputs, filters, se_ratio=0.25, prefix).
  std::string squeezeExcite(const std::string& input, int64_t filters, const std::string& prefix) {
    std::string x = b_.add("GlobalAveragePooling2D", prefix + "squeeze_excite_avg_pool",
                           {{"keepdims", true}}, input);
    x = b_.add("Conv2D", prefix + "squeeze_excite_conv",
               conv1x1(depth(static_cast<double>(filters) * 0.25), true), x);
    x = b_.add("ReLU", prefix + "squeeze_excite_relu", {}, x);
    x = b_.add("Conv2D", prefix + "squeeze_excite_conv_1", conv1x1(filters, true), x);
    x = hardSigmoid(x);
    return b_.add("Multiply", prefix + "squeeze_excite_mul", {}, {input, x});
  }

  GraphBuilder& b_;
  AutoNames names_{AutoNames::Style::TfKeras};
  double alpha_;
  int64_t size_;  // spatial size of the current map, kUnknown without a fixed input
  int64_t channels_ = 0;
};

struct Block {
  double expansion;
  int filters, kernel, stride;  // kernel 0: the variant's (5, or 3 when minimalistic)
  bool squeeze;                 // with the variant's se_ratio (none when minimalistic)
  bool hardSwish;               // the variant's activation, else relu
};

// MobileNetV3Small's and MobileNetV3Large's stack_fn, block by block.
const std::vector<Block>& smallBlocks() {
  static const std::vector<Block> blocks = {{1, 16, 3, 2, true, false},
                                            {72.0 / 16, 24, 3, 2, false, false},
                                            {88.0 / 24, 24, 3, 1, false, false},
                                            {4, 40, 0, 2, true, true},
                                            {6, 40, 0, 1, true, true},
                                            {6, 40, 0, 1, true, true},
                                            {3, 48, 0, 1, true, true},
                                            {3, 48, 0, 1, true, true},
                                            {6, 96, 0, 2, true, true},
                                            {6, 96, 0, 1, true, true},
                                            {6, 96, 0, 1, true, true}};
  return blocks;
}

const std::vector<Block>& largeBlocks() {
  static const std::vector<Block> blocks = {
      {1, 16, 3, 1, false, false},  {4, 24, 3, 2, false, false},  {3, 24, 3, 1, false, false},
      {3, 40, 0, 2, true, false},   {3, 40, 0, 1, true, false},   {3, 40, 0, 1, true, false},
      {6, 80, 3, 2, false, true},   {2.5, 80, 3, 1, false, true}, {2.3, 80, 3, 1, false, true},
      {2.3, 80, 3, 1, false, true}, {6, 112, 3, 1, true, true},   {6, 112, 3, 1, true, true},
      {6, 160, 0, 2, true, true},   {6, 160, 0, 1, true, true},   {6, 160, 0, 1, true, true}};
  return blocks;
}

}  // namespace

Graph buildMobileNetV3(const ZooOptions& options, bool large) {
  // Keras leaves the size open without input_shape, with the top too (the top is 1x1 convs on
  // a kept-dims average); its weights are for 224.
  Shape input = inputShapeFor(options);
  if (!options.inputSize) input = {kUnknown, kUnknown, kUnknown, 3};
  GraphBuilder b(large ? "MobileNetV3Large" : "MobileNetV3Small");
  MobileNetV3 net(b, options.alpha, input[1]);
  const bool minimalistic = options.minimalistic;
  const Act activation = minimalistic ? Act::Relu : Act::HardSwish;
  std::string x = net.stem(b.input("input_1", input), options.includePreprocessing, activation);
  int id = 0;
  for (const Block& block : large ? largeBlocks() : smallBlocks()) {
    const int kernel = block.kernel ? block.kernel : (minimalistic ? 3 : 5);
    x = net.block(x, block.expansion, block.filters, kernel, block.stride,
                  block.squeeze && !minimalistic, block.hardSwish ? activation : Act::Relu, id++);
  }
  x = net.head(x, activation, large ? 1280 : 1024, options);
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
