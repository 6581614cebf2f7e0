// NASNetMobile and NASNetLarge (Zoph et al. 2018), ported from keras/src/applications/nasnet.py
// as Keras 3 builds them: stem_conv1 / stem_bn1, two stem reduction cells, then num_blocks
// normal cells, a reduction cell, num_blocks normal cells, a reduction cell and num_blocks
// normal cells (ids 0 .. 3N, reduce_N, reduce_2N), a last relu and the top. Cells are
// _normal_a_cell / _reduction_a_cell with _adjust_block (by the maps' widths and channels) and
// _separable_conv_block (relu, SeparableConv2D, BatchNormalization twice; a stride-2 block pads
// by correct_pad first). BatchNormalization momentum 0.9997, epsilon 1e-3; convolutions have no
// bias. The unnamed layers carry Keras 3's auto names in the order nasnet.py makes them: the
// relu Activations (activation, activation_1, ...), adjust_block's ZeroPadding2D, Cropping2D
// and concatenate, reduction block 4's add, global_average_pooling2d.
//
// NASNet's input size is always fixed (adjust_block compares spatial sizes): Keras uses 224
// (Mobile) or 331 (Large) without the top and no input_shape.
#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

struct Map {
  std::string name;
  int64_t size;  // spatial (square)
  int64_t channels;
};

class NASNet {
 public:
  explicit NASNet(GraphBuilder& b) : b_(b) {}

  Map relu(const Map& x, const std::string& name = "") {
    return {b_.add("Activation", name.empty() ? names_.next("activation") : name,
                   {{"activation", "relu"}}, x.name),
            x.size, x.channels};
  }

  Map batchNorm(const std::string& name, const Map& x) {
    return {b_.add("BatchNormalization", name,
                   {{"axis", -1}, {"momentum", 0.9997}, {"epsilon", 1e-3}}, x.name),
            x.size, x.channels};
  }

  Map conv(const std::string& name, int64_t filters, int kernel, int stride, bool same,
           const Map& x) {
    b_.add("Conv2D", name,
           {{"filters", filters},
            {"kernel_size", {kernel, kernel}},
            {"strides", {stride, stride}},
            {"padding", same ? "same" : "valid"},
            {"use_bias", false}},
           x.name);
    return {name, outSize(x.size, kernel, stride, same), filters};
  }

  Map separable(const std::string& name, int64_t filters, int kernel, int stride, bool same,
                const Map& x) {
    b_.add("SeparableConv2D", name,
           {{"filters", filters},
            {"kernel_size", {kernel, kernel}},
            {"strides", {stride, stride}},
            {"padding", same ? "same" : "valid"},
            {"depth_multiplier", 1},
            {"use_bias", false}},
           x.name);
    return {name, outSize(x.size, kernel, stride, same), filters};
  }

  Map pool(const std::string& cls, const std::string& name, int kernel, int stride, bool same,
           const Map& x) {
    b_.add(cls, name,
           {{"pool_size", {kernel, kernel}},
            {"strides", {stride, stride}},
            {"padding", same ? "same" : "valid"}},
           x.name);
    return {name, outSize(x.size, kernel, stride, same), x.channels};
  }

  Map pad(const std::string& name, const Json& padding, const Map& x) {
    b_.add("ZeroPadding2D", name, {{"padding", padding}}, x.name);
    return {name, x.size + padding[0][0].get<int64_t>() + padding[0][1].get<int64_t>(), x.channels};
  }

  Map add(const std::string& name, const Map& a, const Map& b) {
    return {b_.add("Add", name, {}, std::vector<std::string>{a.name, b.name}), a.size, a.channels};
  }

  Map concat(const std::string& name, const std::vector<Map>& parts) {
    std::vector<std::string> inputs;
    int64_t channels = 0;
    for (const Map& m : parts) {
      inputs.push_back(m.name);
      channels += m.channels;
    }
    return {b_.add("Concatenate", name, {{"axis", -1}}, inputs), parts[0].size, channels};
  }

  // imagenet_utils.correct_pad(x, kernel) for a known square size.
  static Json correctPad(const Map& x, int kernel) {
    const int64_t adjust = 1 - x.size % 2, c = kernel / 2;
    return {{c - adjust, c}, {c - adjust, c}};
  }

  Map separableBlock(const Map& input, int64_t filters, int kernel, int stride,
                     const std::string& id) {
    Map x = relu(input);
    if (stride == 2) {
      x = pad("separable_conv_1_pad_" + id, correctPad(x, kernel), x);
      x = separable("separable_conv_1_" + id, filters, kernel, 2, false, x);
    } else {
      x = separable("separable_conv_1_" + id, filters, kernel, 1, true, x);
    }
    x = relu(batchNorm("separable_conv_1_bn_" + id, x));
    x = separable("separable_conv_2_" + id, filters, kernel, 1, true, x);
    return batchNorm("separable_conv_2_bn_" + id, x);
  }

  Map adjust(const std::optional<Map>& previous, const Map& ip, int64_t filters,
             const std::string& id) {
    if (!previous) return ip;
    Map p = *previous;
    if (p.size != ip.size) {
      p = relu(p, "adjust_relu_1_" + id);
      Map p1 = pool("AveragePooling2D", "adjust_avg_pool_1_" + id, 1, 2, false, p);
      p1 = conv("adjust_conv_1_" + id, filters / 2, 1, 1, true, p1);
      Map p2 = pad(names_.next("zero_padding2d"), {{0, 1}, {0, 1}}, p);
      const std::string crop = names_.next("cropping2d");
      b_.add("Cropping2D", crop, {{"cropping", {{1, 0}, {1, 0}}}}, p2.name);
      p2 = {crop, p2.size - 1, p2.channels};
      p2 = pool("AveragePooling2D", "adjust_avg_pool_2_" + id, 1, 2, false, p2);
      p2 = conv("adjust_conv_2_" + id, filters / 2, 1, 1, true, p2);
      return batchNorm("adjust_bn_" + id, concat(names_.next("concatenate"), {p1, p2}));
    }
    if (p.channels != filters) {
      p = conv("adjust_conv_projection_" + id, filters, 1, 1, true, relu(p));
      return batchNorm("adjust_bn_" + id, p);
    }
    return p;
  }

  // Returns the cell's output; `previous` becomes the cell's input.
  Map normalCell(const Map& ip, std::optional<Map>& previous, int64_t filters,
                 const std::string& id) {
    const Map p = adjust(previous, ip, filters, id);
    Map h = conv("normal_conv_1_" + id, filters, 1, 1, true, relu(ip));
    h = batchNorm("normal_bn_1_" + id, h);
    const Map x1_1 = separableBlock(h, filters, 5, 1, "normal_left1_" + id);
    const Map x1_2 = separableBlock(p, filters, 3, 1, "normal_right1_" + id);
    const Map x1 = add("normal_add_1_" + id, x1_1, x1_2);
    const Map x2_1 = separableBlock(p, filters, 5, 1, "normal_left2_" + id);
    const Map x2_2 = separableBlock(p, filters, 3, 1, "normal_right2_" + id);
    const Map x2 = add("normal_add_2_" + id, x2_1, x2_2);
    Map x3 = pool("AveragePooling2D", "normal_left3_" + id, 3, 1, true, h);
    x3 = add("normal_add_3_" + id, x3, p);
    const Map x4_1 = pool("AveragePooling2D", "normal_left4_" + id, 3, 1, true, p);
    const Map x4_2 = pool("AveragePooling2D", "normal_right4_" + id, 3, 1, true, p);
    const Map x4 = add("normal_add_4_" + id, x4_1, x4_2);
    Map x5 = separableBlock(h, filters, 3, 1, "normal_left5_" + id);
    x5 = add("normal_add_5_" + id, x5, h);
    previous = ip;
    return concat("normal_concat_" + id, {p, x1, x2, x3, x4, x5});
  }

  Map reductionCell(const Map& ip, std::optional<Map>& previous, int64_t filters,
                    const std::string& id) {
    const Map p = adjust(previous, ip, filters, id);
    Map h = conv("reduction_conv_1_" + id, filters, 1, 1, true, relu(ip));
    h = batchNorm("reduction_bn_1_" + id, h);
    const Map h3 = pad("reduction_pad_1_" + id, correctPad(h, 3), h);
    const Map x1_1 = separableBlock(h, filters, 5, 2, "reduction_left1_" + id);
    const Map x1_2 = separableBlock(p, filters, 7, 2, "reduction_right1_" + id);
    const Map x1 = add("reduction_add_1_" + id, x1_1, x1_2);
    const Map x2_1 = pool("MaxPooling2D", "reduction_left2_" + id, 3, 2, false, h3);
    const Map x2_2 = separableBlock(p, filters, 7, 2, "reduction_right2_" + id);
    const Map x2 = add("reduction_add_2_" + id, x2_1, x2_2);
    const Map x3_1 = pool("AveragePooling2D", "reduction_left3_" + id, 3, 2, false, h3);
    const Map x3_2 = separableBlock(p, filters, 5, 2, "reduction_right3_" + id);
    const Map x3 = add("reduction_add3_" + id, x3_1, x3_2);
    Map x4 = pool("AveragePooling2D", "reduction_left4_" + id, 3, 1, true, x1);
    x4 = add(names_.next("add"), x2, x4);
    const Map x5_1 = separableBlock(x1, filters, 3, 1, "reduction_left4_" + id);
    const Map x5_2 = pool("MaxPooling2D", "reduction_right5_" + id, 3, 2, false, h3);
    const Map x5 = add("reduction_add4_" + id, x5_1, x5_2);
    previous = ip;
    return concat("reduction_concat_" + id, {x2, x3, x4, x5});
  }

  AutoNames& names() { return names_; }

 private:
  static int64_t outSize(int64_t n, int kernel, int stride, bool same) {
    return same ? (n + stride - 1) / stride : (n - kernel) / stride + 1;
  }

  GraphBuilder& b_;
  AutoNames names_{AutoNames::Style::TfKeras};
};

}  // namespace

Graph buildNASNet(const ZooOptions& options, const NASNetConfig& config) {
  GraphBuilder b(config.name);
  NASNet net(b);
  // Keras: input_shape (default_size, default_size, 3) whenever none is given.
  const int64_t size = options.inputSize.value_or(config.defaultSize);
  const Map input{b.input("input_1", {kUnknown, size, size, 3}), size, 3};
  const int64_t filters = config.penultimateFilters / 24, m = 2;  // filter_multiplier
  const int n = config.numBlocks;
  Map x = net.conv("stem_conv1", config.stemBlockFilters, 3, 2, false, input);
  x = net.batchNorm("stem_bn1", x);
  std::optional<Map> p;
  x = net.reductionCell(x, p, filters / (m * m), "stem_1");
  x = net.reductionCell(x, p, filters / m, "stem_2");
  for (int i = 0; i < n; ++i) x = net.normalCell(x, p, filters, std::to_string(i));
  // skip_reduction keeps the cell before the reduction as the next cell's `p`.
  std::optional<Map> kept = p;
  x = net.reductionCell(x, p, filters * m, "reduce_" + std::to_string(n));
  if (config.skipReduction) p = kept;
  for (int i = 0; i < n; ++i) x = net.normalCell(x, p, filters * m, std::to_string(n + i + 1));
  kept = p;
  x = net.reductionCell(x, p, filters * m * m, "reduce_" + std::to_string(2 * n));
  if (config.skipReduction) p = kept;
  for (int i = 0; i < n; ++i)
    x = net.normalCell(x, p, filters * m * m, std::to_string(2 * n + i + 1));
  x = net.relu(x);
  std::string out = x.name;
  if (options.includeTop) {
    out = b.add("GlobalAveragePooling2D", net.names().next("global_average_pooling2d"), {}, out);
    out =
        b.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}}, out);
  } else {
    out = addPooling(b, options, out, net.names().next("global_average_pooling2d"),
                     net.names().next("global_max_pooling2d"));
  }
  return inKerasLayerOrder(b.build({out}));
}

const NASNetConfig& nasNetConfig(const std::string& canonical) {
  // NASNetMobile's and NASNetLarge's arguments to NASNet().
  static const NASNetConfig mobile{"nasnet_mobile", 1056, 4, 32, false, 224};
  static const NASNetConfig large{"nasnet_large", 4032, 6, 96, true, 331};
  if (canonical == "nasnetmobile") return mobile;
  if (canonical == "nasnetlarge") return large;
  throw Error("not a NASNet variant: '" + canonical + "'");
}

}  // namespace graft::zoo
