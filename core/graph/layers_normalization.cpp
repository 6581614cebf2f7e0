// Normalization (keras.layers.Normalization, a preprocessing layer): mean, variance and count,
// never trainable, in that order (Keras 2 and 3 alike; count is an integer scalar Keras keeps
// for older saves), shaped like the kept axes; or no weights when the config gives `mean` and
// `variance` itself.
// LayerNormalization: gamma then beta (as Keras builds them), shaped like the normalized axes
// (one or several: the sizes of the listed axes, in the config's order).
// BatchNormalization: weights in Keras's order (gamma, beta, moving_mean, moving_variance), with
// gamma absent when scale=False and beta absent when center=False. The moving statistics are
// never trainable, as Keras counts them.
#include "graph/layer_helpers.h"

namespace graft::layers {

void registerNormalizationLayers(LayerRegistry& registry) {
  LayerType bn;
  bn.className = "BatchNormalization";
  bn.category = LayerCategory::Normalization;
  bn.summary = "normalizes each channel with batch (training) or moving (inference) statistics";
  bn.defaults = {
      {"axis", -1}, {"momentum", 0.99}, {"epsilon", 0.001}, {"center", true}, {"scale", true}};
  for (auto [prefix, init] : {std::pair{"beta", "Zeros"}, std::pair{"gamma", "Ones"}}) {
    bn.defaults[std::string(prefix) + "_initializer"] = {{"class_name", init},
                                                         {"config", Json::object()}};
    bn.defaults[std::string(prefix) + "_regularizer"] = nullptr;
    bn.defaults[std::string(prefix) + "_constraint"] = nullptr;
  }
  bn.defaults["moving_mean_initializer"] = {{"class_name", "Zeros"}, {"config", Json::object()}};
  bn.defaults["moving_variance_initializer"] = {{"class_name", "Ones"}, {"config", Json::object()}};
  bn.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    int64_t axis = resolveAxis(c.at("axis"), in[0].size());
    if (axis != static_cast<int64_t>(in[0].size()) - 1)
      throw ShapeError("only the channel axis (last, channels_last) can be normalized, got axis " +
                       c.at("axis").dump());
    requireKnownChannels(in[0]);
    if (!c.at("epsilon").is_number() || c.at("epsilon").get<double>() <= 0)
      throw ShapeError("config field 'epsilon' must be a positive number");
    // moving = momentum * moving + (1 - momentum) * batch: outside [0, 1] the moving statistics
    // diverge the first time the layer trains (Keras does not check; a typo would show there).
    const Json& momentum = c.at("momentum");
    if (!momentum.is_number() || !(momentum.get<double>() >= 0 && momentum.get<double>() <= 1))
      throw ShapeError(
          "config field 'momentum' must be a number from 0 to 1 (the share of the "
          "moving statistics kept at each training step), got " +
          momentum.dump());
    return in[0];
  };
  bn.weights = [](const Json& c, const std::vector<Shape>& in) {
    int64_t channels = requireKnownChannels(in[0]);
    std::vector<WeightSpec> w;
    if (c.at("scale").get<bool>()) w.push_back({"gamma", {channels}, true});
    if (c.at("center").get<bool>()) w.push_back({"beta", {channels}, true});
    w.push_back({"moving_mean", {channels}, false});
    w.push_back({"moving_variance", {channels}, false});
    return w;
  };
  registry.add(bn);

  LayerType ln;
  ln.className = "LayerNormalization";
  ln.category = LayerCategory::Normalization;
  ln.summary =
      "normalizes each sample over one or more axes (mean 0, variance 1), then gamma and beta";
  ln.defaults = {{"axis", -1}, {"epsilon", 0.001}, {"center", true}, {"scale", true}};
  for (auto [prefix, init] : {std::pair{"beta", "Zeros"}, std::pair{"gamma", "Ones"}})
    ln.defaults.update(weightOptionDefaults(prefix, init));
  ln.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    layerNormalizationAxes(c.at("axis"), in[0]);
    if (!c.at("epsilon").is_number() || c.at("epsilon").get<double>() <= 0)
      throw ShapeError("config field 'epsilon' must be a positive number");
    // Keras 3's deprecated rms_scaling (it scales by the variance): not computed here.
    if (c.contains("rms_scaling") && c.at("rms_scaling") != false)
      throw ShapeError("config field 'rms_scaling' is not supported (Keras deprecates it)");
    return in[0];
  };
  ln.weights = [](const Json& c, const std::vector<Shape>& in) {
    Shape shape;
    for (int64_t axis : layerNormalizationAxes(c.at("axis"), in[0]))
      shape.push_back(in[0][static_cast<size_t>(axis)]);
    std::vector<WeightSpec> w;
    if (c.at("scale").get<bool>()) w.push_back({"gamma", shape, true});
    if (c.at("center").get<bool>()) w.push_back({"beta", shape, true});
    return w;
  };
  registry.add(ln);

  LayerType norm;
  norm.className = "Normalization";
  norm.category = LayerCategory::Preprocessing;
  norm.summary = "(x - mean) / sqrt(variance) per kept axis (mean and variance from adapt())";
  norm.defaults = {{"axis", -1}, {"mean", nullptr}, {"variance", nullptr}, {"invert", false}};
  norm.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const NormalizationAxes axes = normalizationAxes(c, in[0]);
    normalizationConstants(c, axes.keptShape);
    if (!c.at("invert").is_boolean())
      throw ShapeError("config field 'invert' must be true or false, got " + c.at("invert").dump());
    return in[0];
  };
  norm.weights = [](const Json& c, const std::vector<Shape>& in) {
    if (!c.at("mean").is_null()) return std::vector<WeightSpec>{};
    const Shape kept = normalizationAxes(c, in[0]).keptShape;
    return std::vector<WeightSpec>{
        {"mean", kept, false}, {"variance", kept, false}, {"count", {}, false}};
  };
  registry.add(norm);
}

}  // namespace graft::layers
