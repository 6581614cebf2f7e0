// ConvNeXt Tiny/Small/Base/Large/XLarge (Liu et al. 2022), ported from
// keras/src/applications/convnext.py as Keras 3 builds them (name: convnext_tiny, ...).
//
// With include_preprocessing the PreStem is a Normalization `{name}_prestem_normalization`
// whose config holds ImageNet's mean and variance on pixels 0..255 (no weights). The stem is a
// nested Sequential `{name}_stem` (Conv2D 4x4 stride 4 `_stem_conv`, LayerNormalization
// `_stem_layernorm`); before stages 1-3 a Sequential `{name}_downsampling_block_{i}`
// (LayerNormalization `_downsampling_layernorm_{i}`, Conv2D 2x2 stride 2
// `_downsampling_conv_{i}`). A ConvNeXtBlock `{name}_stage_{i}_block_{j}`: `_depthwise_conv` (a
// 7x7 Conv2D with groups = channels, biased), `_layernorm`, `_pointwise_conv_1` (a Dense on the
// rank-4 map, 4 x channels), `_gelu` (Activation gelu, exact), `_pointwise_conv_2`,
// `_layer_scale` (LayerScale, init 1e-6) and, as drop_path_rate is 0 for every variant,
// Activation("linear") `_identity` rather than StochasticDepth; `inputs + x` is a Keras 3
// operation on symbolic tensors (keras.src.ops.numpy Add, auto-named add, add_1, ...), held as
// TFOpLambda math.add of two tensors. Every LayerNormalization has epsilon 1e-6. The top is
// `{name}_head_gap`, `_head_layernorm`, `_head_dense` (softmax); without it the optional
// unnamed pooling and an unnamed LayerNormalization (layer_normalization), pooled or not.
#include "io/zoo/auto_names.h"
#include "io/zoo/families.h"
#include "io/zoo/keras_layer_order.h"

namespace graft::zoo {
namespace {

Json layerNorm() {
  return {{"axis", -1}, {"epsilon", 1e-6}};
}

Json conv(int64_t filters, int kernel, int stride) {
  return {{"filters", filters},
          {"kernel_size", {kernel, kernel}},
          {"strides", {stride, stride}},
          {"padding", "valid"}};
}

class ConvNeXt {
 public:
  ConvNeXt(GraphBuilder& b, std::string name) : b_(b), name_(std::move(name)) {}

  // PreStem: Normalization(mean=[0.485 * 255, ...], variance=[(0.229 * 255) ** 2, ...]).
  std::string preStem(const std::string& x) {
    return b_.add("Normalization", name_ + "_prestem_normalization",
                  {{"axis", -1},
                   {"mean", {0.485 * 255, 0.456 * 255, 0.406 * 255}},
                   {"variance",
                    {(0.229 * 255) * (0.229 * 255), (0.224 * 255) * (0.224 * 255),
                     (0.225 * 255) * (0.225 * 255)}},
                   {"invert", false}},
                  x);
  }

  std::string stem(const std::string& input, int64_t filters) {
    const std::string group = name_ + "_stem";
    std::string x = add(group, "Conv2D", name_ + "_stem_conv", conv(filters, 4, 4), input);
    return add(group, "LayerNormalization", name_ + "_stem_layernorm", layerNorm(), x);
  }

  std::string downsample(const std::string& input, int i, int64_t filters) {
    const std::string n = std::to_string(i);
    const std::string group = name_ + "_downsampling_block_" + n;
    std::string x = add(group, "LayerNormalization", name_ + "_downsampling_layernorm_" + n,
                        layerNorm(), input);
    return add(group, "Conv2D", name_ + "_downsampling_conv_" + n, conv(filters, 2, 2), x);
  }

  // ConvNeXtBlock(projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6).
  std::string block(const std::string& input, int stage, int index, int64_t dim) {
    const std::string p =
        name_ + "_stage_" + std::to_string(stage) + "_block_" + std::to_string(index);
    std::string x = b_.add("Conv2D", p + "_depthwise_conv",
                           {{"filters", dim},
                            {"kernel_size", {7, 7}},
                            {"strides", {1, 1}},
                            {"padding", "same"},
                            {"groups", dim}},
                           input);
    x = b_.add("LayerNormalization", p + "_layernorm", layerNorm(), x);
    x = b_.add("Dense", p + "_pointwise_conv_1", {{"units", 4 * dim}}, x);
    x = b_.add("Activation", p + "_gelu", {{"activation", "gelu"}}, x);
    x = b_.add("Dense", p + "_pointwise_conv_2", {{"units", dim}}, x);
    x = b_.add("LayerScale", p + "_layer_scale", {{"init_values", 1e-6}, {"projection_dim", dim}},
               x);
    x = b_.add("Activation", p + "_identity", {{"activation", "linear"}}, x);
    return b_.add("TFOpLambda", names_.next("add"),
                  {{"function", "math.add"}, {"operands", {nullptr, nullptr}}},
                  std::vector<std::string>{input, x});
  }

  std::string top(const std::string& input, int64_t classes) {
    std::string x = b_.add("GlobalAveragePooling2D", name_ + "_head_gap", {}, input);
    x = b_.add("LayerNormalization", name_ + "_head_layernorm", layerNorm(), x);
    return b_.add("Dense", name_ + "_head_dense", {{"units", classes}, {"activation", "softmax"}},
                  x);
  }

  std::string noTop(const std::string& input, const ZooOptions& options) {
    const std::string x = addPooling(b_, options, input, names_.next("global_average_pooling2d"),
                                     names_.next("global_max_pooling2d"));
    return b_.add("LayerNormalization", names_.next("layer_normalization"), layerNorm(), x);
  }

  // The layers of the nested Sequential models, by name.
  const std::map<std::string, std::string>& groupOf() const { return groupOf_; }

 private:
  std::string add(const std::string& group, const std::string& cls, const std::string& name,
                  const Json& config, const std::string& x) {
    groupOf_[name] = group;
    return b_.add(cls, name, config, x);
  }

  GraphBuilder& b_;
  std::string name_;
  AutoNames names_{AutoNames::Style::TfKeras};
  std::map<std::string, std::string> groupOf_;
};

}  // namespace

Graph buildConvNeXt(const ZooOptions& options, const ConvNeXtConfig& config) {
  GraphBuilder b(config.name);
  ConvNeXt net(b, config.name);
  std::string x = b.input("input_1", inputShapeFor(options));
  if (options.includePreprocessing) x = net.preStem(x);  // the input has 3 channels
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t dim = config.projectionDims[static_cast<size_t>(stage)];
    x = stage == 0 ? net.stem(x, dim) : net.downsample(x, stage - 1, dim);
    for (int j = 0; j < config.depths[static_cast<size_t>(stage)]; ++j)
      x = net.block(x, stage, j, dim);
  }
  x = options.includeTop ? net.top(x, options.classes) : net.noTop(x, options);
  const Graph built = inKerasLayerOrder(b.build({x}));

  // The stem and downsampling blocks are nested Sequential models in Keras.
  std::vector<Node> nodes = built.nodes();
  std::vector<NodeGroup> groups;
  for (Node& node : nodes) {
    const auto it = net.groupOf().find(node.name);
    if (it == net.groupOf().end()) continue;
    node.group = it->second;
    if (groups.empty() || groups.back().path != it->second)
      groups.push_back({it->second, "Sequential"});
  }
  return Graph(built.name(), std::move(nodes), built.outputs(), std::move(groups));
}

const ConvNeXtConfig& convNeXtConfig(const std::string& canonical) {
  // convnext.py's MODEL_CONFIGS and the variants' names.
  static const std::vector<std::pair<std::string, ConvNeXtConfig>> configs = {
      {"convnexttiny", {"convnext_tiny", {3, 3, 9, 3}, {96, 192, 384, 768}}},
      {"convnextsmall", {"convnext_small", {3, 3, 27, 3}, {96, 192, 384, 768}}},
      {"convnextbase", {"convnext_base", {3, 3, 27, 3}, {128, 256, 512, 1024}}},
      {"convnextlarge", {"convnext_large", {3, 3, 27, 3}, {192, 384, 768, 1536}}},
      {"convnextxlarge", {"convnext_xlarge", {3, 3, 27, 3}, {256, 512, 1024, 2048}}}};
  for (const auto& [name, config] : configs)
    if (name == canonical) return config;
  throw Error("not a ConvNeXt variant: '" + canonical + "'");
}

}  // namespace graft::zoo
