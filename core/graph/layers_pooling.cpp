// MaxPooling2D, AveragePooling2D and their global forms.
#include "graph/layer_helpers.h"

namespace graft::layers {
namespace {

LayerType pooling(const std::string& className, const std::string& summary) {
  LayerType t;
  t.className = className;
  t.category = LayerCategory::Pooling;
  t.summary = summary;
  t.defaults = {{"pool_size", {2, 2}},
                {"padding", "valid"},
                {"strides", nullptr},  // None: same as pool_size
                {"data_format", "channels_last"}};
  t.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireRank(in[0], 4, "(batch, h, w, c)");
    auto [ph, pw] = intPair(c, "pool_size");
    auto [sh, sw] = c.at("strides").is_null() ? std::pair{ph, pw} : intPair(c, "strides");
    const std::string padding = c.at("padding").get<std::string>();
    return Shape{in[0][0], convOutputLength(in[0][1], ph, sh, 1, padding),
                 convOutputLength(in[0][2], pw, sw, 1, padding), in[0][3]};
  };
  t.aliases = {{"border_mode", "padding"}, {"dim_ordering", "data_format"}};
  return t;
}

LayerType globalPooling(const std::string& className, const std::string& summary) {
  LayerType t;
  t.className = className;
  t.category = LayerCategory::Pooling;
  t.summary = summary;
  t.defaults = {{"data_format", "channels_last"}, {"keepdims", false}};
  t.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireRank(in[0], 4, "(batch, h, w, c)");
    if (c.at("keepdims").get<bool>()) return Shape{in[0][0], 1, 1, in[0][3]};
    return Shape{in[0][0], in[0][3]};
  };
  t.aliases = {{"dim_ordering", "data_format"}};
  return t;
}

}  // namespace

void registerPoolingLayers(LayerRegistry& registry) {
  registry.add(pooling("MaxPooling2D", "maximum over each pool window"));
  registry.add(pooling("AveragePooling2D", "mean over each pool window (padding not counted)"));
  registry.add(globalPooling("GlobalAveragePooling2D", "mean over height and width"));
  registry.add(globalPooling("GlobalMaxPooling2D", "maximum over height and width"));
}

}  // namespace graft::layers
