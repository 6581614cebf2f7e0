// Activation, ReLU, LeakyReLU and Softmax layers.
#include "graph/layer_helpers.h"

namespace graft::layers {
namespace {

Shape sameShape(const Json&, const std::vector<Shape>& in) {
  return in[0];
}

}  // namespace

void registerActivationLayers(LayerRegistry& registry) {
  LayerType activation;
  activation.className = "Activation";
  activation.category = LayerCategory::Activation;
  activation.summary = "applies a named activation function";
  activation.defaults = {{"activation", "linear"}};
  activation.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireKnownActivation(c);
    return in[0];
  };
  registry.add(activation);

  LayerType relu;
  relu.className = "ReLU";
  relu.category = LayerCategory::Activation;
  relu.summary = "max(x, 0), with optional cap, slope below threshold and threshold";
  relu.defaults = {{"max_value", nullptr}, {"negative_slope", 0.0}, {"threshold", 0.0}};
  relu.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const Json& m = c.at("max_value");
    if (!m.is_null() && (!m.is_number() || m.get<double>() < 0))
      throw ShapeError("config field 'max_value' must be null or a non-negative number");
    if (!c.at("negative_slope").is_number() || c.at("negative_slope").get<double>() < 0)
      throw ShapeError("config field 'negative_slope' must be a non-negative number");
    if (!c.at("threshold").is_number())
      throw ShapeError("config field 'threshold' must be a number");
    return in[0];
  };
  registry.add(relu);

  LayerType leaky;
  leaky.className = "LeakyReLU";
  leaky.category = LayerCategory::Activation;
  leaky.summary = "x if x > 0 else alpha * x";
  leaky.defaults = {{"alpha", 0.3}};
  leaky.outputShape = sameShape;
  leaky.aliases = {{"negative_slope", "alpha"}};
  registry.add(leaky);

  LayerType softmax;
  softmax.className = "Softmax";
  softmax.category = LayerCategory::Activation;
  softmax.summary = "softmax over an axis";
  softmax.defaults = {{"axis", -1}};
  softmax.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    resolveAxis(c.at("axis"), in[0].size());
    return in[0];
  };
  registry.add(softmax);
}

}  // namespace graft::layers
