// MobileNet v1 (Howard et al. 2017) as Keras 2.2 builds it; the authority is
// keras-configs/mobilenet.json (alpha 1.0, 224). Strided 3x3 convolutions pad explicitly with
// ZeroPadding2D ((0, 1), (0, 1)) (conv1_pad, conv_pad_N) and use 'valid', as Keras 2.2.4 does;
// Keras 2.0/2.1 used padding 'same' instead, which gives the same weights and, for even sizes,
// the same padding, so the older weight files (mobilenet_2_5_224_tf_no_top.h5) load by name.
// Every width is int(filters * alpha) like Keras's Python int(); depth_multiplier is 1.
#include <cstdio>

#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

class MobileNet {
 public:
  MobileNet(GraphBuilder& b, double alpha) : b_(b), alpha_(alpha) {}

  // Python's int() of a positive float truncates, as the cast does.
  int64_t width(int filters) const { return static_cast<int64_t>(filters * alpha_); }

  // Keras's _conv_block: the full 3x3 convolution of the stem, stride 2.
  std::string stem(const std::string& input) {
    std::string x = b_.add("ZeroPadding2D", "conv1_pad", {{"padding", {{0, 1}, {0, 1}}}}, input);
    x = b_.add("Conv2D", "conv1",
               {{"filters", width(32)},
                {"kernel_size", {3, 3}},
                {"strides", {2, 2}},
                {"padding", "valid"},
                {"use_bias", false}},
               x);
    return bnRelu6(x, "conv1");
  }

  // Keras's _depthwise_conv_block: depthwise 3x3 then pointwise 1x1, each with BN and ReLU6.
  std::string block(const std::string& input, int pointwiseFilters, int stride, int id) {
    const std::string n = std::to_string(id);
    std::string x = input;
    if (stride != 1)
      x = b_.add("ZeroPadding2D", "conv_pad_" + n, {{"padding", {{0, 1}, {0, 1}}}}, x);
    x = b_.add("DepthwiseConv2D", "conv_dw_" + n,
               {{"kernel_size", {3, 3}},
                {"strides", {stride, stride}},
                {"padding", stride == 1 ? "same" : "valid"},
                {"depth_multiplier", 1},
                {"use_bias", false}},
               x);
    x = bnRelu6(x, "conv_dw_" + n);
    x = b_.add("Conv2D", "conv_pw_" + n,
               {{"filters", width(pointwiseFilters)},
                {"kernel_size", {1, 1}},
                {"strides", {1, 1}},
                {"padding", "same"},
                {"use_bias", false}},
               x);
    return bnRelu6(x, "conv_pw_" + n);
  }

  // The classifier as a 1x1 convolution over the pooled (1, 1, C) map, as Keras 2 has it.
  std::string top(const std::string& x, int64_t classes) {
    std::string y = b_.add("GlobalAveragePooling2D", "global_average_pooling2d_1", {}, x);
    y = b_.add("Reshape", "reshape_1", {{"target_shape", {1, 1, width(1024)}}}, y);
    y = b_.add("Dropout", "dropout", {{"rate", 1e-3}}, y);
    y = b_.add("Conv2D", "conv_preds",
               {{"filters", classes},
                {"kernel_size", {1, 1}},
                {"strides", {1, 1}},
                {"padding", "same"},
                {"use_bias", true}},
               y);
    y = b_.add("Activation", "act_softmax", {{"activation", "softmax"}}, y);
    return b_.add("Reshape", "reshape_2", {{"target_shape", {classes}}}, y);
  }

 private:
  std::string bnRelu6(const std::string& x, const std::string& name) {
    std::string y = b_.add("BatchNormalization", name + "_bn", {}, x);
    return b_.add("ReLU", name + "_relu", {{"max_value", 6.0}}, y);
  }

  GraphBuilder& b_;
  double alpha_;
};

// Keras's model name, 'mobilenet_%0.2f_%s' % (alpha, rows): "mobilenet_0.25_224".
std::string modelName(const ZooOptions& options, const Shape& input) {
  char alpha[32];
  std::snprintf(alpha, sizeof alpha, "%0.2f", options.alpha);
  return "mobilenet_" + std::string(alpha) + "_" +
         (input[1] == kUnknown ? std::string("None") : std::to_string(input[1]));
}

}  // namespace

Graph buildMobileNet(const ZooOptions& options) {
  const Shape input = inputShapeFor(options);
  GraphBuilder b(modelName(options, input));
  MobileNet net(b, options.alpha);
  std::string x = net.stem(b.input("input_1", input));
  // (pointwise filters, stride) of blocks 1..13.
  constexpr std::pair<int, int> kBlocks[] = {{64, 1},  {128, 2},  {128, 1}, {256, 2}, {256, 1},
                                             {512, 2}, {512, 1},  {512, 1}, {512, 1}, {512, 1},
                                             {512, 1}, {1024, 2}, {1024, 1}};
  int id = 1;
  for (auto [filters, stride] : kBlocks) x = net.block(x, filters, stride, id++);
  if (options.includeTop) {
    x = net.top(x, options.classes);
  } else {
    // Keras 2 auto names, as in mobilenet_2_5_224_tf_no_top.h5's layer list.
    x = addPooling(b, options, x, "global_average_pooling2d_1", "global_max_pooling2d_1");
  }
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
