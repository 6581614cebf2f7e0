// Inception-ResNet v2 (Szegedy et al. 2016), ported from
// keras/src/applications/inception_resnet_v2.py as Keras 3 builds it. Every conv2d_bn is a
// Conv2D without bias, a BatchNormalization with scale=False (Keras's default epsilon 1e-3 and
// momentum 0.99) and a ReLU Activation; unnamed ones take Keras 3's auto names (conv2d,
// conv2d_1, ..., batch_normalization_N, activation_N, max_pooling2d_N, average_pooling2d) in the
// order Keras creates them. The stem ends at 35x35x192 (for 299 px), then mixed_5b, ten block35
// (scale 0.17), mixed_6a, twenty block17 (0.1), mixed_7a, nine block8 (0.2) and block8_10 (scale
// 1, no activation), and conv_7b (1536). A block concatenates its branches (<block>_mixed),
// projects them with a biased 1x1 Conv2D to the block's input width (<block>_conv, no
// BatchNormalization) and adds them scaled: Keras 3's CustomScaleLayer (unnamed:
// custom_scale_layer, custom_scale_layer_1, ...; Keras <= 2.12 used a Lambda named <block>),
// followed by the ReLU <block>_ac. Top: avg_pool and predictions; pooling without the top is an
// unnamed global_average_pooling2d / global_max_pooling2d.
#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

class InceptionResNetV2 {
 public:
  explicit InceptionResNetV2(GraphBuilder& b) : b_(b) {}

  // Keras's conv2d_bn(x, filters, kernel_size, strides, padding, activation, use_bias, name).
  std::string convBnRect(const std::string& x, int filters, int rows, int cols, int stride = 1,
                         const char* padding = "same") {
    std::string y = b_.add("Conv2D", names_.next("conv2d"),
                           {{"filters", filters},
                            {"kernel_size", {rows, cols}},
                            {"strides", {stride, stride}},
                            {"padding", padding},
                            {"use_bias", false}},
                           x);
    y = b_.add("BatchNormalization", names_.next("batch_normalization"),
               {{"axis", 3}, {"scale", false}}, y);
    return b_.add("Activation", names_.next("activation"), {{"activation", "relu"}}, y);
  }
  std::string convBn(const std::string& x, int filters, int kernel, int stride = 1,
                     const char* padding = "same") {
    return convBnRect(x, filters, kernel, kernel, stride, padding);
  }

  std::string maxPool(const std::string& x) {
    return b_.add("MaxPooling2D", names_.next("max_pooling2d"),
                  {{"pool_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "valid"}}, x);
  }

  // Stem and Mixed 5b (Inception-A): 35 x 35 x 320 for 299 px.
  std::string stem(const std::string& input) {
    std::string x = convBn(input, 32, 3, 2, "valid");
    x = convBn(x, 32, 3, 1, "valid");
    x = convBn(x, 64, 3);
    x = maxPool(x);
    x = convBn(x, 80, 1, 1, "valid");
    x = convBn(x, 192, 3, 1, "valid");
    x = maxPool(x);
    const std::string branch0 = convBn(x, 96, 1);
    const std::string branch1 = convBn(convBn(x, 48, 1), 64, 5);
    const std::string branch2 = convBn(convBn(convBn(x, 64, 1), 96, 3), 96, 3);
    const std::string pool =
        b_.add("AveragePooling2D", names_.next("average_pooling2d"),
               {{"pool_size", {3, 3}}, {"strides", {1, 1}}, {"padding", "same"}}, x);
    const std::string branchPool = convBn(pool, 64, 1);
    channels_ = 96 + 64 + 96 + 64;
    return concat({branch0, branch1, branch2, branchPool}, "mixed_5b");
  }

  // Keras's inception_resnet_block; `relu` false only for block8_10.
  std::string block(const std::string& x, double scale, const std::string& type, int index,
                    bool relu = true) {
    std::vector<std::string> branches;
    if (type == "block35") {
      branches.push_back(convBn(x, 32, 1));
      branches.push_back(convBn(convBn(x, 32, 1), 32, 3));
      branches.push_back(convBn(convBn(convBn(x, 32, 1), 48, 3), 64, 3));
    } else if (type == "block17") {
      branches.push_back(convBn(x, 192, 1));
      branches.push_back(convBnRect(convBnRect(convBn(x, 128, 1), 160, 1, 7), 192, 7, 1));
    } else {  // block8
      branches.push_back(convBn(x, 192, 1));
      branches.push_back(convBnRect(convBnRect(convBn(x, 192, 1), 224, 1, 3), 256, 3, 1));
    }
    const std::string name = type + "_" + std::to_string(index);
    const std::string mixed = concat(branches, name + "_mixed");
    // conv2d_bn(mixed, x.shape[channel_axis], 1, activation=None, use_bias=True): no BN.
    const std::string up = b_.add("Conv2D", name + "_conv",
                                  {{"filters", channels_},
                                   {"kernel_size", {1, 1}},
                                   {"strides", {1, 1}},
                                   {"padding", "same"},
                                   {"use_bias", true}},
                                  mixed);
    std::string y =
        b_.add("CustomScaleLayer", names_.next("custom_scale_layer"), {{"scale", scale}}, {x, up});
    if (relu) y = b_.add("Activation", name + "_ac", {{"activation", "relu"}}, y);
    return y;
  }

  // Mixed 6a (Reduction-A): 17 x 17 x 1088.
  std::string reductionA(const std::string& x) {
    const std::string branch0 = convBn(x, 384, 3, 2, "valid");
    const std::string branch1 = convBn(convBn(convBn(x, 256, 1), 256, 3), 384, 3, 2, "valid");
    const std::string pool = maxPool(x);
    channels_ = 384 + 384 + channels_;
    return concat({branch0, branch1, pool}, "mixed_6a");
  }

  // Mixed 7a (Reduction-B): 8 x 8 x 2080.
  std::string reductionB(const std::string& x) {
    const std::string branch0 = convBn(convBn(x, 256, 1), 384, 3, 2, "valid");
    const std::string branch1 = convBn(convBn(x, 256, 1), 288, 3, 2, "valid");
    const std::string branch2 = convBn(convBn(convBn(x, 256, 1), 288, 3), 320, 3, 2, "valid");
    const std::string pool = maxPool(x);
    channels_ = 384 + 288 + 320 + channels_;
    return concat({branch0, branch1, branch2, pool}, "mixed_7a");
  }

  // conv2d_bn(x, 1536, 1, name="conv_7b"): conv_7b, conv_7b_bn, conv_7b_ac.
  std::string head(const std::string& x) {
    std::string y = b_.add("Conv2D", "conv_7b",
                           {{"filters", 1536},
                            {"kernel_size", {1, 1}},
                            {"strides", {1, 1}},
                            {"padding", "same"},
                            {"use_bias", false}},
                           x);
    y = b_.add("BatchNormalization", "conv_7b_bn", {{"axis", 3}, {"scale", false}}, y);
    return b_.add("Activation", "conv_7b_ac", {{"activation", "relu"}}, y);
  }

 private:
  std::string concat(const std::vector<std::string>& inputs, const std::string& name) {
    return b_.add("Concatenate", name, {{"axis", 3}}, inputs);
  }

  GraphBuilder& b_;
  AutoNames names_{AutoNames::Style::TfKeras};
  int channels_ = 0;  // of the current map, which the blocks' _conv projects back to
};

}  // namespace

Graph buildInceptionResNetV2(const ZooOptions& options) {
  GraphBuilder b("inception_resnet_v2");
  InceptionResNetV2 net(b);
  std::string x = net.stem(b.input("input_1", inputShapeFor(options)));
  for (int i = 1; i <= 10; ++i) x = net.block(x, 0.17, "block35", i);
  x = net.reductionA(x);
  for (int i = 1; i <= 20; ++i) x = net.block(x, 0.1, "block17", i);
  x = net.reductionB(x);
  for (int i = 1; i <= 9; ++i) x = net.block(x, 0.2, "block8", i);
  x = net.block(x, 1.0, "block8", 10, false);
  x = net.head(x);
  if (options.includeTop) {
    x = b.add("GlobalAveragePooling2D", "avg_pool", {}, x);
    x = b.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}}, x);
  } else {
    x = addPooling(b, options, x, "global_average_pooling2d", "global_max_pooling2d");
  }
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
