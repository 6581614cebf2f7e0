// SpatialDropout2D, GaussianNoise, GaussianDropout and StochasticDepth (keras.applications'
// convnext.py class): identity at inference, noise in training (Dropout, the oldest of them, is
// with the core layers). Keras requires `rate` and `stddev`
// (no default); the values here are what a layer added in the editor or a recipe starts with,
// as Dropout's rate 0.5 is.
#include "graph/layer_helpers.h"

namespace graft::layers {
namespace {

// A number in [0, 1): 1 would drop everything (Dropout) or make the noise infinite
// (GaussianDropout's stddev sqrt(rate / (1 - rate))).
void requireRate(const Json& c) {
  const Json& rate = c.at("rate");
  if (!rate.is_number() || rate.get<double>() < 0 || rate.get<double>() >= 1)
    throw ShapeError("config field 'rate' must be a number in [0, 1), got " + rate.dump());
}

}  // namespace

void registerRegularizationLayers(LayerRegistry& registry) {
  LayerType spatial;
  spatial.className = "SpatialDropout2D";
  spatial.category = LayerCategory::Regularization;
  spatial.summary = "randomly zeroes whole channels while training";
  spatial.defaults = {{"rate", 0.5}, {"seed", nullptr}, {"data_format", "channels_last"}};
  spatial.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireRank(in[0], 4, "(batch, h, w, c)");
    requireRate(c);
    return in[0];
  };
  spatial.aliases = {{"p", "rate"}, {"dim_ordering", "data_format"}};
  registry.add(spatial);

  LayerType noise;
  noise.className = "GaussianNoise";
  noise.category = LayerCategory::Regularization;
  noise.summary = "adds normal noise (mean 0, stddev) while training";
  noise.defaults = {{"stddev", 0.1}, {"seed", nullptr}};
  noise.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const Json& stddev = c.at("stddev");
    // Keras 3 accepts [0, 1] only; Keras 2 any value, so its files open with a larger one.
    if (!stddev.is_number() || stddev.get<double>() < 0)
      throw ShapeError("config field 'stddev' must be a non-negative number, got " + stddev.dump());
    return in[0];
  };
  noise.aliases = {{"sigma", "stddev"}};
  registry.add(noise);

  LayerType gaussianDropout;
  gaussianDropout.className = "GaussianDropout";
  gaussianDropout.category = LayerCategory::Regularization;
  gaussianDropout.summary = "multiplies by normal noise (mean 1) while training";
  gaussianDropout.defaults = {{"rate", 0.5}, {"seed", nullptr}};
  gaussianDropout.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    requireRate(c);
    return in[0];
  };
  gaussianDropout.aliases = {{"p", "rate"}};
  registry.add(gaussianDropout);

  // ConvNeXt's residual-path drop (timm's DropPath): a whole sample's branch is zeroed with
  // probability drop_path_rate while training, the rest divided by 1 - rate. Keras's ConvNeXt
  // adds it only for a non-zero rate (an Activation("linear") otherwise).
  LayerType stochastic;
  stochastic.className = "StochasticDepth";
  stochastic.category = LayerCategory::Regularization;
  stochastic.summary = "drops a whole sample's residual branch while training (ConvNeXt)";
  stochastic.defaults = {{"drop_path_rate", 0.1}};
  stochastic.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const Json& rate = c.at("drop_path_rate");
    if (!rate.is_number() || rate.get<double>() < 0 || rate.get<double>() >= 1)
      throw ShapeError("config field 'drop_path_rate' must be a number in [0, 1), got " +
                       rate.dump());
    return in[0];
  };
  registry.add(stochastic);
}

}  // namespace graft::layers
