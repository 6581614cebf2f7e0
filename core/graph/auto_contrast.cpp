#include "graph/auto_contrast.h"

#include <algorithm>

#include "graph/layer_helpers.h"

namespace graft::layers {

AutoContrastRange autoContrastRange(const Json& config) {
  const Json& range = config.at("value_range");
  if (!range.is_array() || range.size() != 2 || !range[0].is_number() || !range[1].is_number())
    throw ShapeError("config field 'value_range' must be a list of two numbers, got " +
                     range.dump());
  AutoContrastRange r;
  r.low = std::min(range[0].get<double>(), range[1].get<double>());
  r.high = std::max(range[0].get<double>(), range[1].get<double>());
  if (r.low == r.high)
    throw ShapeError("config field 'value_range' " + range.dump() +
                     " has two equal ends; Keras would divide by zero mapping it to [0, 255]");
  return r;
}

void registerAutoContrastLayer(LayerRegistry& registry) {
  LayerType autoContrast;
  autoContrast.className = "AutoContrast";
  autoContrast.category = LayerCategory::Preprocessing;
  autoContrast.summary =
      "stretches each image's channels to fill value_range (their min and max, as Keras 3)";
  autoContrast.defaults = {{"value_range", {0, 255}}};
  autoContrast.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    // Keras takes the min and max over axes 1 and 2: height and width of a batch of images.
    requireRank(in[0], 4, "(batch, h, w, c)");
    autoContrastRange(c);
    return in[0];
  };
  registry.add(autoContrast);
}

}  // namespace graft::layers
