// Activation, ReLU, LeakyReLU, ELU, PReLU and Softmax layers.
#include "graph/layer_helpers.h"

namespace graft::layers {
namespace {

Shape sameShape(const Json&, const std::vector<Shape>& in) {
  return in[0];
}

// PReLU's alpha: one value per input position (batch excluded), with size 1 along each of
// Keras's shared_axes (1-based input axes; an integer means one axis), as PReLU.build does.
Shape preluAlphaShape(const Json& c, const Shape& input) {
  if (input.size() < 2)
    throw ShapeError("expects an input of rank 2 or more, got " + shapeToString(input));
  const Json& shared = c.at("shared_axes");
  std::vector<bool> isShared(input.size(), false);
  if (!shared.is_null()) {
    const Json list = shared.is_array() ? shared : Json::array({shared});
    for (const auto& a : list) {
      if (!a.is_number_integer() || a.get<int64_t>() < 1 ||
          a.get<int64_t>() >= static_cast<int64_t>(input.size()))
        throw ShapeError("config field 'shared_axes' must list input axes from 1 to " +
                         std::to_string(input.size() - 1) + ", got " + shared.dump());
      isShared[static_cast<size_t>(a.get<int64_t>())] = true;
    }
  }
  Shape alpha;
  for (size_t d = 1; d < input.size(); ++d) {
    if (!isShared[d] && input[d] == kUnknown)
      throw ShapeError("axis " + std::to_string(d) + " of the input " + shapeToString(input) +
                       " must be known for alpha, or listed in 'shared_axes'");
    alpha.push_back(isShared[d] ? 1 : input[d]);
  }
  return alpha;
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

  LayerType elu;
  elu.className = "ELU";
  elu.category = LayerCategory::Activation;
  elu.summary = "x if x > 0 else alpha * (exp(x) - 1)";
  elu.defaults = {{"alpha", 1.0}};
  elu.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    if (!c.at("alpha").is_number())
      throw ShapeError("config field 'alpha' must be a number, got " + c.at("alpha").dump());
    return in[0];
  };
  registry.add(elu);

  LayerType prelu;
  prelu.className = "PReLU";
  prelu.category = LayerCategory::Activation;
  prelu.summary = "x if x > 0 else alpha * x, with a learned alpha per position or channel";
  prelu.defaults = weightOptionDefaults("alpha", "Zeros");
  prelu.defaults["shared_axes"] = nullptr;
  prelu.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    preluAlphaShape(c, in[0]);
    return in[0];
  };
  prelu.weights = [](const Json& c, const std::vector<Shape>& in) {
    return std::vector<WeightSpec>{{"alpha", preluAlphaShape(c, in[0])}};
  };
  registry.add(prelu);

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
