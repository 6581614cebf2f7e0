// ResNet50V2, ResNet101V2 and ResNet152V2 (He et al. 2016, pre-activation), ported from
// keras/src/applications/resnet.py (ResNet with preact=True, residual_block_v2,
// stack_residual_blocks_v2) and resnet_v2.py. The stem has no BatchNormalization (conv1_conv
// straight into pool1_pad); each block starts with _preact_bn/_preact_relu, its convolutions
// _1_conv and _2_conv have no bias, _3_conv has one and the block ends in the Add _out. The first
// block of a stack projects the pre-activated input (_0_conv); the last block of a stack carries
// the stride (stride1 2 for conv2 .. conv4, 1 for conv5), its shortcut an unnamed
// MaxPooling2D(1, strides=2) (TF2 auto names max_pooling2d, max_pooling2d_1, ...). After the
// stacks post_bn and post_relu; top and pooling as ResNet's (avg_pool, predictions, max_pool).
// BatchNormalization epsilon is 1.001e-5 throughout.
#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

Json conv(int filters, int kernel, int stride, bool bias) {
  return {{"filters", filters},
          {"kernel_size", {kernel, kernel}},
          {"strides", {stride, stride}},
          {"padding", "valid"},
          {"use_bias", bias}};
}

class ResNetV2 {
 public:
  explicit ResNetV2(GraphBuilder& b) : b_(b) {}

  std::string stem(const std::string& input) {
    std::string x = b_.add("ZeroPadding2D", "conv1_pad", {{"padding", {{3, 3}, {3, 3}}}}, input);
    x = b_.add("Conv2D", "conv1_conv", conv(64, 7, 2, true), x);
    x = b_.add("ZeroPadding2D", "pool1_pad", {{"padding", {{1, 1}, {1, 1}}}}, x);
    return b_.add("MaxPooling2D", "pool1_pool",
                  {{"pool_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "valid"}}, x);
  }

  // Keras's stack_residual_blocks_v2.
  std::string stack(std::string x, int filters, int blocks, int stride1, const std::string& name) {
    x = block(x, filters, 1, true, name + "_block1");
    for (int i = 2; i < blocks; ++i)
      x = block(x, filters, 1, false, name + "_block" + std::to_string(i));
    return block(x, filters, stride1, false, name + "_block" + std::to_string(blocks));
  }

  std::string post(const std::string& x) {
    return b_.add("Activation", "post_relu", {{"activation", "relu"}}, batchNorm("post_bn", x));
  }

 private:
  // Keras's residual_block_v2 (kernel_size 3).
  std::string block(const std::string& input, int filters, int stride, bool convShortcut,
                    const std::string& name) {
    std::string preact = batchNorm(name + "_preact_bn", input);
    preact = b_.add("Activation", name + "_preact_relu", {{"activation", "relu"}}, preact);
    std::string shortcut = input;
    if (convShortcut)
      shortcut = b_.add("Conv2D", name + "_0_conv", conv(4 * filters, 1, stride, true), preact);
    else if (stride > 1)
      shortcut = b_.add(
          "MaxPooling2D", names_.next("max_pooling2d"),
          {{"pool_size", {1, 1}}, {"strides", {stride, stride}}, {"padding", "valid"}}, input);
    std::string x = b_.add("Conv2D", name + "_1_conv", conv(filters, 1, 1, false), preact);
    x = b_.add("Activation", name + "_1_relu", {{"activation", "relu"}},
               batchNorm(name + "_1_bn", x));
    x = b_.add("ZeroPadding2D", name + "_2_pad", {{"padding", {{1, 1}, {1, 1}}}}, x);
    x = b_.add("Conv2D", name + "_2_conv", conv(filters, 3, stride, false), x);
    x = b_.add("Activation", name + "_2_relu", {{"activation", "relu"}},
               batchNorm(name + "_2_bn", x));
    x = b_.add("Conv2D", name + "_3_conv", conv(4 * filters, 1, 1, true), x);
    return b_.add("Add", name + "_out", {}, {shortcut, x});
  }

  std::string batchNorm(const std::string& name, const std::string& x) {
    return b_.add("BatchNormalization", name, {{"axis", 3}, {"epsilon", 1.001e-5}}, x);
  }

  GraphBuilder& b_;
  AutoNames names_{AutoNames::Style::TfKeras};
};

}  // namespace

Graph buildResNetV2(const ZooOptions& options, const std::array<int, 4>& blocks) {
  GraphBuilder b(options.architecture);
  ResNetV2 net(b);
  std::string x = net.stem(b.input("input_1", inputShapeFor(options)));
  x = net.stack(x, 64, blocks[0], 2, "conv2");
  x = net.stack(x, 128, blocks[1], 2, "conv3");
  x = net.stack(x, 256, blocks[2], 2, "conv4");
  x = net.post(net.stack(x, 512, blocks[3], 1, "conv5"));
  if (options.includeTop) {
    x = b.add("GlobalAveragePooling2D", "avg_pool", {}, x);
    x = b.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}}, x);
  } else {
    x = addPooling(b, options, x, "avg_pool", "max_pool");
  }
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
