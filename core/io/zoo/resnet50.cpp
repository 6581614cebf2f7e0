// ResNet50 (He et al. 2015) under its two Keras naming schemes, and ResNet101 / ResNet152, which
// Keras builds only with the tf.keras names (keras/src/applications/resnet.py: the same stem and
// stack_residual_blocks_v1 with 3, 4, 23, 3 and 3, 8, 36, 3 blocks). The two ResNet50 namings have
// the same weights (25,636,712 with the top) but different layer names, BatchNormalization epsilon
// and stem:
//
// keras-applications (Keras 2.1, the authority is keras-configs/resnet50_keras_applications.json):
//   conv1_pad, conv1, bn_conv1, activation_1, max_pooling2d_1 (no pool1_pad, so stage 2 is 55x55
//   at 224), res2a_branch2a / bn2a_branch2a ... res2a_branch1 (shortcut), add_N, activation_N;
//   BN epsilon 1e-3; top: AveragePooling2D(7) avg_pool + flatten_1 + Dense fc1000.
//   Without the top we follow Keras 2.2 (keras_applications >= 1.0.2, same layer names): the
//   model ends at the last block's feature map. Keras 2.1 still applied the 7x7 avg_pool there,
//   which only works from 197 pixels and leaves a new head a 1x1 map; the 2.2 form keeps every
//   input size from 32 usable and makes pooling avg/max (global_average_pooling2d_1 /
//   global_max_pooling2d_1, Keras 2 auto names) mean what it means for the other families.
//
// tf.keras (keras.applications.ResNet50 in TF2): conv1_pad, conv1_conv, conv1_bn, conv1_relu,
//   pool1_pad, pool1_pool, conv2_block1_0_conv (shortcut) / _1_conv / _2_conv / _3_conv with
//   _bn and _relu, conv2_block1_add, conv2_block1_out; BN epsilon 1.001e-5; top:
//   GlobalAveragePooling2D avg_pool + Dense predictions; without the top pooling avg/max gives
//   avg_pool / max_pool as Keras names them.
#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

// Filters of a bottleneck block's three convolutions; the last one is also the shortcut's.
struct Bottleneck {
  int squeeze;
  int expand;
};

// Stage 2..5: filters and block count, as both Keras versions define ResNet50.
struct Stage {
  int number;
  Bottleneck filters;
  int blocks;
  int stride;  // of the first block (its 1x1 convolutions)
};
constexpr Stage kStages[] = {
    {2, {64, 256}, 3, 1}, {3, {128, 512}, 4, 2}, {4, {256, 1024}, 6, 2}, {5, {512, 2048}, 3, 2}};

Json conv(int filters, int kernel, int stride, const char* padding) {
  return {{"filters", filters},
          {"kernel_size", {kernel, kernel}},
          {"strides", {stride, stride}},
          {"padding", padding}};
}

// ---- keras-applications (Keras 2.1) -------------------------------------------------------

class KerasApplicationsResNet {
 public:
  explicit KerasApplicationsResNet(GraphBuilder& b) : b_(b) {}

  std::string stem(const std::string& input) {
    std::string x = b_.add("ZeroPadding2D", "conv1_pad", {{"padding", {{3, 3}, {3, 3}}}}, input);
    x = b_.add("Conv2D", "conv1", conv(64, 7, 2, "valid"), x);
    x = batchNorm("bn_conv1", x);
    x = relu(x);
    return b_.add("MaxPooling2D", names_.next("max_pooling2d"),
                  {{"pool_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "valid"}}, x);
  }

  // Keras's conv_block (block 'a', with a projection shortcut) and identity_block.
  std::string block(const std::string& input, const Stage& stage, char block) {
    const bool projection = block == 'a';
    const int stride = projection ? stage.stride : 1;
    const std::string id = std::to_string(stage.number) + block;
    std::string x = b_.add("Conv2D", "res" + id + "_branch2a",
                           conv(stage.filters.squeeze, 1, stride, "valid"), input);
    x = relu(batchNorm("bn" + id + "_branch2a", x));
    x = b_.add("Conv2D", "res" + id + "_branch2b", conv(stage.filters.squeeze, 3, 1, "same"), x);
    x = relu(batchNorm("bn" + id + "_branch2b", x));
    x = b_.add("Conv2D", "res" + id + "_branch2c", conv(stage.filters.expand, 1, 1, "valid"), x);
    x = batchNorm("bn" + id + "_branch2c", x);
    std::string shortcut = input;
    if (projection) {
      shortcut = b_.add("Conv2D", "res" + id + "_branch1",
                        conv(stage.filters.expand, 1, stride, "valid"), input);
      shortcut = batchNorm("bn" + id + "_branch1", shortcut);
    }
    x = b_.add("Add", names_.next("add"), {}, {x, shortcut});
    return relu(x);
  }

  std::string top(const std::string& x, int64_t classes) {
    std::string y = b_.add("AveragePooling2D", "avg_pool",
                           {{"pool_size", {7, 7}}, {"strides", {7, 7}}, {"padding", "valid"}}, x);
    y = b_.add("Flatten", names_.next("flatten"), {}, y);
    return b_.add("Dense", "fc1000", {{"units", classes}, {"activation", "softmax"}}, y);
  }

  // Keras 2 auto names: each is the first layer of its class in the session.
  std::string pooling(const ZooOptions& options, const std::string& x) {
    return addPooling(b_, options, x, "global_average_pooling2d_1", "global_max_pooling2d_1");
  }

 private:
  std::string batchNorm(const std::string& name, const std::string& x) {
    return b_.add("BatchNormalization", name, {{"axis", 3}, {"epsilon", 1e-3}}, x);
  }
  std::string relu(const std::string& x) {
    return b_.add("Activation", names_.next("activation"), {{"activation", "relu"}}, x);
  }

  GraphBuilder& b_;
  AutoNames names_{AutoNames::Style::Keras2};
};

// The keras-applications top pools a fixed 7x7 window, so the last feature map must be at
// least 7x7: Keras 2.1 asked for 197 pixels (conv1 /2, max pool /2 without padding, three /2).
constexpr int64_t kKerasApplicationsTopMinimum = 197;

Graph buildKerasApplications(const ZooOptions& options) {
  if (options.includeTop && options.inputSize && *options.inputSize < kKerasApplicationsTopMinimum)
    throw Error("resnet50: input size " + std::to_string(*options.inputSize) +
                " is below the minimum of " + std::to_string(kKerasApplicationsTopMinimum) +
                " for the keras-applications top Graft builds under this name (its 7x7 "
                "AveragePooling2D 'avg_pool' needs a 7x7 feature map); use --no-top (a head "
                "can be added), or open a tf.keras ResNet50 .h5 (layers named like "
                "conv2_block1_1_conv), whose top pools globally and takes 32 px and more");
  GraphBuilder b("resnet50");
  KerasApplicationsResNet net(b);
  std::string x = net.stem(b.input("input_1", inputShapeFor(options)));
  for (const Stage& stage : kStages)
    for (int i = 0; i < stage.blocks; ++i) x = net.block(x, stage, static_cast<char>('a' + i));
  x = options.includeTop ? net.top(x, options.classes) : net.pooling(options, x);
  return inKerasLayerOrder(b.build({x}));
}

// ---- tf.keras (TF2) ------------------------------------------------------------------------

class TfKerasResNet {
 public:
  explicit TfKerasResNet(GraphBuilder& b) : b_(b) {}

  std::string stem(const std::string& input) {
    std::string x = b_.add("ZeroPadding2D", "conv1_pad", {{"padding", {{3, 3}, {3, 3}}}}, input);
    x = convBnRelu(x, "conv1", conv(64, 7, 2, "valid"));
    x = b_.add("ZeroPadding2D", "pool1_pad", {{"padding", {{1, 1}, {1, 1}}}}, x);
    return b_.add("MaxPooling2D", "pool1_pool",
                  {{"pool_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "valid"}}, x);
  }

  // Keras's block1: the first block of a stack has the 1x1 projection shortcut (_0_conv).
  std::string block(const std::string& input, const Stage& stage, int block) {
    const std::string name =
        "conv" + std::to_string(stage.number) + "_block" + std::to_string(block);
    const bool projection = block == 1;
    const int stride = projection ? stage.stride : 1;
    std::string shortcut = input;
    if (projection) {
      shortcut =
          b_.add("Conv2D", name + "_0_conv", conv(stage.filters.expand, 1, stride, "valid"), input);
      shortcut = batchNorm(name + "_0_bn", shortcut);
    }
    std::string x = convBnRelu(input, name + "_1", conv(stage.filters.squeeze, 1, stride, "valid"));
    x = convBnRelu(x, name + "_2", conv(stage.filters.squeeze, 3, 1, "same"));
    x = b_.add("Conv2D", name + "_3_conv", conv(stage.filters.expand, 1, 1, "valid"), x);
    x = batchNorm(name + "_3_bn", x);
    x = b_.add("Add", name + "_add", {}, {shortcut, x});
    return b_.add("Activation", name + "_out", {{"activation", "relu"}}, x);
  }

 private:
  std::string convBnRelu(const std::string& x, const std::string& name, const Json& config) {
    std::string y = b_.add("Conv2D", name + "_conv", config, x);
    y = batchNorm(name + "_bn", y);
    return b_.add("Activation", name + "_relu", {{"activation", "relu"}}, y);
  }
  std::string batchNorm(const std::string& name, const std::string& x) {
    return b_.add("BatchNormalization", name, {{"axis", 3}, {"epsilon", 1.001e-5}}, x);
  }

  GraphBuilder& b_;
};

Graph buildTfKeras(const ZooOptions& options, const std::array<int, 4>& blocks) {
  GraphBuilder b(options.architecture);
  TfKerasResNet net(b);
  std::string x = net.stem(b.input("input_1", inputShapeFor(options)));
  for (size_t s = 0; s < blocks.size(); ++s)
    for (int i = 1; i <= blocks[s]; ++i) x = net.block(x, kStages[s], i);
  if (options.includeTop) {
    x = b.add("GlobalAveragePooling2D", "avg_pool", {}, x);
    x = b.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}}, x);
  } else {
    x = addPooling(b, options, x, "avg_pool", "max_pool");
  }
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace

Graph buildResNet50(const ZooOptions& options) {
  if (options.resnetNaming == "tf.keras") return buildTfKeras(options, {3, 4, 6, 3});
  return buildKerasApplications(options);
}

Graph buildResNetV1(const ZooOptions& options, const std::array<int, 4>& blocks) {
  return buildTfKeras(options, blocks);
}

}  // namespace graft::zoo
