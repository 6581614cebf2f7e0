// Inception V3 (Szegedy et al. 2015) as Keras 2.2 builds it; the authority is
// keras-configs/inception_v3.json. Every convolution is Keras's conv2d_bn: Conv2D without bias,
// BatchNormalization with scale=False (a ReLU follows, so gamma would be redundant) and a ReLU
// Activation, all three auto-named (conv2d_N, batch_normalization_N, activation_N) in the order
// Keras creates them. The eleven blocks are concatenations named mixed0 .. mixed10 (mixed9_0 and
// mixed9_1 inside mixed9 and mixed10, with the unnamed concatenate_1 / concatenate_2 beside them).
#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

class InceptionV3 {
 public:
  explicit InceptionV3(GraphBuilder& b) : b_(b) {}

  // Keras's conv2d_bn(x, filters, num_row, num_col, padding, strides).
  std::string convBn(const std::string& x, int filters, int rows, int cols,
                     const char* padding = "same", int stride = 1) {
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

  std::string maxPool(const std::string& x) {
    return b_.add("MaxPooling2D", names_.next("max_pooling2d"),
                  {{"pool_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "valid"}}, x);
  }
  std::string avgPool(const std::string& x) {
    return b_.add("AveragePooling2D", names_.next("average_pooling2d"),
                  {{"pool_size", {3, 3}}, {"strides", {1, 1}}, {"padding", "same"}}, x);
  }
  std::string concat(const std::vector<std::string>& inputs, const std::string& name = "") {
    return b_.add("Concatenate", name.empty() ? names_.next("concatenate") : name, {{"axis", 3}},
                  inputs);
  }

  std::string stem(const std::string& input) {
    std::string x = convBn(input, 32, 3, 3, "valid", 2);
    x = convBn(x, 32, 3, 3, "valid");
    x = convBn(x, 64, 3, 3);
    x = maxPool(x);
    x = convBn(x, 80, 1, 1, "valid");
    x = convBn(x, 192, 3, 3, "valid");
    return maxPool(x);
  }

  // mixed0..mixed2 (35x35): 1x1, 5x5, double 3x3 and pooled branches.
  std::string block35(const std::string& x, int poolFilters, const std::string& name) {
    std::string b1x1 = convBn(x, 64, 1, 1);
    std::string b5x5 = convBn(convBn(x, 48, 1, 1), 64, 5, 5);
    std::string b3x3dbl = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    std::string pool = convBn(avgPool(x), poolFilters, 1, 1);
    return concat({b1x1, b5x5, b3x3dbl, pool}, name);
  }

  // mixed3: 35x35 -> 17x17.
  std::string reduction17(const std::string& x) {
    std::string b3x3 = convBn(x, 384, 3, 3, "valid", 2);
    std::string b3x3dbl = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, "valid", 2);
    std::string pool = maxPool(x);
    return concat({b3x3, b3x3dbl, pool}, "mixed3");
  }

  // mixed4..mixed7 (17x17): factorized 7x7 branches with `width` inner filters.
  std::string block17(const std::string& x, int width, const std::string& name) {
    std::string b1x1 = convBn(x, 192, 1, 1);
    std::string b7x7 = convBn(convBn(convBn(x, width, 1, 1), width, 1, 7), 192, 7, 1);
    std::string b7x7dbl = convBn(x, width, 1, 1);
    b7x7dbl = convBn(b7x7dbl, width, 7, 1);
    b7x7dbl = convBn(b7x7dbl, width, 1, 7);
    b7x7dbl = convBn(b7x7dbl, width, 7, 1);
    b7x7dbl = convBn(b7x7dbl, 192, 1, 7);
    std::string pool = convBn(avgPool(x), 192, 1, 1);
    return concat({b1x1, b7x7, b7x7dbl, pool}, name);
  }

  // mixed8: 17x17 -> 8x8.
  std::string reduction8(const std::string& x) {
    std::string b3x3 = convBn(convBn(x, 192, 1, 1), 320, 3, 3, "valid", 2);
    std::string b7x7x3 = convBn(x, 192, 1, 1);
    b7x7x3 = convBn(b7x7x3, 192, 1, 7);
    b7x7x3 = convBn(b7x7x3, 192, 7, 1);
    b7x7x3 = convBn(b7x7x3, 192, 3, 3, "valid", 2);
    std::string pool = maxPool(x);
    return concat({b3x3, b7x7x3, pool}, "mixed8");
  }

  // mixed9, mixed10 (8x8): expanded filter bank; `index` is 0 or 1.
  std::string block8(const std::string& x, int index) {
    std::string b1x1 = convBn(x, 320, 1, 1);
    std::string b3x3 = convBn(x, 384, 1, 1);
    std::string b3x3a = convBn(b3x3, 384, 1, 3);
    std::string b3x3b = convBn(b3x3, 384, 3, 1);
    b3x3 = concat({b3x3a, b3x3b}, "mixed9_" + std::to_string(index));
    std::string dbl = convBn(convBn(x, 448, 1, 1), 384, 3, 3);
    std::string dbla = convBn(dbl, 384, 1, 3);
    std::string dblb = convBn(dbl, 384, 3, 1);
    dbl = concat({dbla, dblb});
    std::string pool = convBn(avgPool(x), 192, 1, 1);
    return concat({b1x1, b3x3, dbl, pool}, "mixed" + std::to_string(9 + index));
  }

 private:
  GraphBuilder& b_;
  AutoNames names_{AutoNames::Style::Keras2};
};

}  // namespace

Graph buildInceptionV3(const ZooOptions& options) {
  GraphBuilder b("inception_v3");
  InceptionV3 net(b);
  std::string x = net.stem(b.input("input_1", inputShapeFor(options)));
  x = net.block35(x, 32, "mixed0");
  x = net.block35(x, 64, "mixed1");
  x = net.block35(x, 64, "mixed2");
  x = net.reduction17(x);
  x = net.block17(x, 128, "mixed4");
  x = net.block17(x, 160, "mixed5");
  x = net.block17(x, 160, "mixed6");
  x = net.block17(x, 192, "mixed7");
  x = net.reduction8(x);
  x = net.block8(x, 0);
  x = net.block8(x, 1);
  if (options.includeTop) {
    x = b.add("GlobalAveragePooling2D", "avg_pool", {}, x);
    x = b.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}}, x);
  } else {
    // Keras 2 auto names: the first layer of its class in the session.
    x = addPooling(b, options, x, "global_average_pooling2d_1", "global_max_pooling2d_1");
  }
  return inKerasLayerOrder(b.build({x}));
}

}  // namespace graft::zoo
