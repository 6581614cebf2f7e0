// DenseNet121, DenseNet169 and DenseNet201 (Huang et al. 2017), ported from
// keras/src/applications/densenet.py: an unnamed ZeroPadding2D (TF2 auto name zero_padding2d),
// conv1_conv (7x7/2, no bias), conv1_bn, conv1_relu, a second unnamed ZeroPadding2D and the max
// pool pool1; then dense blocks conv2 .. conv5 (conv_block: _0_bn, _0_relu, _1_conv 1x1 128, _1_bn,
// _1_relu, _2_conv 3x3 32 'same', _concat of the block's input and the new 32 channels) with
// transitions pool2 .. pool4 between them (_bn, _relu, _conv 1x1 halving the channels, _pool
// AveragePooling2D 2/2); bn and relu at the end. No convolution has a bias; BatchNormalization
// epsilon is 1.001e-5. Top and pooling: avg_pool + predictions, avg_pool / max_pool.
#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

constexpr int kGrowthRate = 32;

class DenseNet {
 public:
  explicit DenseNet(GraphBuilder& b) : b_(b) {}

  std::string stem(const std::string& input) {
    std::string x = b_.add("ZeroPadding2D", names_.next("zero_padding2d"),
                           {{"padding", {{3, 3}, {3, 3}}}}, input);
    x = b_.add("Conv2D", "conv1_conv", conv(64, 7, 2, "valid"), x);
    x = bnRelu(x, "conv1_bn", "conv1_relu");
    x = b_.add("ZeroPadding2D", names_.next("zero_padding2d"), {{"padding", {{1, 1}, {1, 1}}}}, x);
    channels_ = 64;
    return b_.add("MaxPooling2D", "pool1",
                  {{"pool_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "valid"}}, x);
  }

  // Keras's dense_block: `blocks` conv_blocks, each adding kGrowthRate channels.
  std::string denseBlock(std::string x, int blocks, const std::string& name) {
    for (int i = 1; i <= blocks; ++i) {
      const std::string n = name + "_block" + std::to_string(i);
      std::string y = bnRelu(x, n + "_0_bn", n + "_0_relu");
      y = b_.add("Conv2D", n + "_1_conv", conv(4 * kGrowthRate, 1, 1, "valid"), y);
      y = bnRelu(y, n + "_1_bn", n + "_1_relu");
      y = b_.add("Conv2D", n + "_2_conv", conv(kGrowthRate, 3, 1, "same"), y);
      x = b_.add("Concatenate", n + "_concat", {{"axis", 3}}, {x, y});
      channels_ += kGrowthRate;
    }
    return x;
  }

  // Keras's transition_block with reduction 0.5: int(channels * 0.5) filters.
  std::string transition(const std::string& input, const std::string& name) {
    std::string x = bnRelu(input, name + "_bn", name + "_relu");
    channels_ = static_cast<int>(channels_ * 0.5);
    x = b_.add("Conv2D", name + "_conv", conv(channels_, 1, 1, "valid"), x);
    return b_.add("AveragePooling2D", name + "_pool",
                  {{"pool_size", {2, 2}}, {"strides", {2, 2}}, {"padding", "valid"}}, x);
  }

  std::string bnRelu(const std::string& x, const std::string& bn, const std::string& relu) {
    const std::string y = b_.add("BatchNormalization", bn, {{"axis", 3}, {"epsilon", 1.001e-5}}, x);
    return b_.add("Activation", relu, {{"activation", "relu"}}, y);
  }

 private:
  static Json conv(int filters, int kernel, int stride, const char* padding) {
    return {{"filters", filters},
            {"kernel_size", {kernel, kernel}},
            {"strides", {stride, stride}},
            {"padding", padding},
            {"use_bias", false}};
  }

  GraphBuilder& b_;
  AutoNames names_{AutoNames::Style::TfKeras};
  int channels_ = 0;
};

}  // namespace

Graph buildDenseNet(const ZooOptions& options, const std::array<int, 4>& blocks) {
  GraphBuilder b(options.architecture);
  DenseNet net(b);
  std::string x = net.stem(b.input("input_1", inputShapeFor(options)));
  x = net.transition(net.denseBlock(x, blocks[0], "conv2"), "pool2");
  x = net.transition(net.denseBlock(x, blocks[1], "conv3"), "pool3");
  x = net.transition(net.denseBlock(x, blocks[2], "conv4"), "pool4");
  x = net.bnRelu(net.denseBlock(x, blocks[3], "conv5"), "bn", "relu");
  if (options.includeTop) {
    x = b.add("GlobalAveragePooling2D", "avg_pool", {}, x);
    x = b.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}}, x);
  } else {
    x = addPooling(b, options, x, "avg_pool", "max_pool");
  }
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
