// Xception (Chollet 2017) as today's Keras builds it. The structure and the named layers follow
// keras-configs/xception_keras1.json (Keras 1.1); two things differ from that file on purpose:
// - BatchNormalization epsilon is Keras's default 1e-3 (Keras 1's Xception used 1e-5);
// - the residual branches' layers, unnamed in Keras's code, get TF2 Keras's auto names:
//   conv2d, conv2d_1 .. conv2d_3, batch_normalization .. batch_normalization_3 and the twelve
//   sums add .. add_11 (Keras 1 called them convolution2d_1.., batchnormalization_1.., merge_1..).
#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

class Xception {
 public:
  explicit Xception(GraphBuilder& b) : b_(b) {}

  std::string entryConv(const std::string& x, const std::string& name, int filters, int stride) {
    std::string y = b_.add("Conv2D", name,
                           {{"filters", filters},
                            {"kernel_size", {3, 3}},
                            {"strides", {stride, stride}},
                            {"padding", "valid"},
                            {"use_bias", false}},
                           x);
    y = b_.add("BatchNormalization", name + "_bn", {}, y);
    return relu(y, name + "_act");
  }

  // SeparableConv2D + BatchNormalization, named blockB_sepconvI and blockB_sepconvI_bn.
  std::string sepConvBn(const std::string& x, int block, int index, int filters) {
    const std::string name = "block" + std::to_string(block) + "_sepconv" + std::to_string(index);
    std::string y = b_.add("SeparableConv2D", name,
                           {{"filters", filters},
                            {"kernel_size", {3, 3}},
                            {"strides", {1, 1}},
                            {"padding", "same"},
                            {"use_bias", false}},
                           x);
    return b_.add("BatchNormalization", name + "_bn", {}, y);
  }

  std::string sepAct(const std::string& x, int block, int index) {
    return relu(x, "block" + std::to_string(block) + "_sepconv" + std::to_string(index) + "_act");
  }

  // Blocks 2, 3, 4 and 13: two separable convolutions, a strided max pool, and a strided 1x1
  // projection of the block's input added to it. Block 2 starts from an activated tensor, so
  // it has no activation before its first convolution.
  std::string downsamplingBlock(const std::string& input, int block, int filters1, int filters2) {
    std::string residual = b_.add("Conv2D", names_.next("conv2d"),
                                  {{"filters", filters2},
                                   {"kernel_size", {1, 1}},
                                   {"strides", {2, 2}},
                                   {"padding", "same"},
                                   {"use_bias", false}},
                                  input);
    residual = b_.add("BatchNormalization", names_.next("batch_normalization"), {}, residual);
    std::string x = block == 2 ? input : sepAct(input, block, 1);
    x = sepConvBn(x, block, 1, filters1);
    x = sepAct(x, block, 2);
    x = sepConvBn(x, block, 2, filters2);
    x = b_.add("MaxPooling2D", "block" + std::to_string(block) + "_pool",
               {{"pool_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "same"}}, x);
    return b_.add("Add", names_.next("add"), {}, {x, residual});
  }

  // Blocks 5..12 (middle flow): three activated separable convolutions and an identity shortcut.
  std::string middleBlock(const std::string& input, int block) {
    std::string x = input;
    for (int i = 1; i <= 3; ++i) x = sepConvBn(sepAct(x, block, i), block, i, 728);
    return b_.add("Add", names_.next("add"), {}, {x, input});
  }

  // Block 14 (exit flow): separable convolutions followed, not preceded, by their activations.
  std::string exitBlock(const std::string& input) {
    std::string x = sepAct(sepConvBn(input, 14, 1, 1536), 14, 1);
    return sepAct(sepConvBn(x, 14, 2, 2048), 14, 2);
  }

 private:
  std::string relu(const std::string& x, const std::string& name) {
    return b_.add("Activation", name, {{"activation", "relu"}}, x);
  }

  GraphBuilder& b_;
  AutoNames names_{AutoNames::Style::TfKeras};
};

}  // namespace

Graph buildXception(const ZooOptions& options) {
  GraphBuilder b("xception");
  Xception net(b);
  std::string x = b.input("input_1", inputShapeFor(options));
  x = net.entryConv(x, "block1_conv1", 32, 2);
  x = net.entryConv(x, "block1_conv2", 64, 1);
  x = net.downsamplingBlock(x, 2, 128, 128);
  x = net.downsamplingBlock(x, 3, 256, 256);
  x = net.downsamplingBlock(x, 4, 728, 728);
  for (int block = 5; block <= 12; ++block) x = net.middleBlock(x, block);
  x = net.downsamplingBlock(x, 13, 728, 1024);
  x = net.exitBlock(x);
  if (options.includeTop) {
    x = b.add("GlobalAveragePooling2D", "avg_pool", {}, x);
    x = b.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}}, x);
  } else {
    // TF2 Keras auto names: the first layer of its class in the session.
    x = addPooling(b, options, x, "global_average_pooling2d", "global_max_pooling2d");
  }
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
