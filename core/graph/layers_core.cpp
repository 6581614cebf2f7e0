// InputLayer, Dense, Dropout and Rescaling.
#include "graph/layer_helpers.h"
#include "graph/rescaling.h"

namespace graft::layers {

void registerInputLayers(LayerRegistry& registry) {
  LayerType input;
  input.className = "InputLayer";
  input.category = LayerCategory::Input;
  input.summary = "the model's input tensor";
  input.defaults = {
      {"batch_input_shape", nullptr}, {"dtype", "float32"}, {"sparse", false}, {"ragged", false}};
  input.minInputs = input.maxInputs = 0;
  input.outputShape = [](const Json& c, const std::vector<Shape>&) {
    const Json& s = c.at("batch_input_shape");
    if (!s.is_array() || s.size() < 2)
      throw ShapeError(
          "batch_input_shape must list the batch and at least one more dimension, got " + s.dump());
    Shape shape;
    for (const auto& d : s) {
      if (d.is_null())
        shape.push_back(kUnknown);
      else if (d.is_number_integer() && d.get<int64_t>() > 0)
        shape.push_back(d.get<int64_t>());
      else
        throw ShapeError("batch_input_shape entries must be positive integers or null, got " +
                         s.dump());
    }
    return shape;
  };
  input.aliases = {{"batch_shape", "batch_input_shape"}};
  registry.add(input);
}

void registerCoreLayers(LayerRegistry& registry) {
  LayerType dense;
  dense.className = "Dense";
  dense.category = LayerCategory::Dense;
  dense.summary = "fully connected layer on the last axis";
  dense.defaults = {{"units", 32},
                    {"activation", "linear"},
                    {"use_bias", true},
                    {"activity_regularizer", nullptr}};
  dense.defaults.update(weightOptionDefaults("kernel", "GlorotUniform"));
  dense.defaults.update(weightOptionDefaults("bias", "Zeros"));
  dense.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    if (in[0].size() < 2)
      throw ShapeError("expects an input of rank 2 or more, got " + shapeToString(in[0]));
    requireKnownChannels(in[0]);
    requireKnownActivation(c);
    const Json& units = c.at("units");
    if (!units.is_number_integer() || units.get<int64_t>() < 1)
      throw ShapeError("config field 'units' must be a positive integer, got " + units.dump());
    Shape out = in[0];
    out.back() = units.get<int64_t>();
    return out;
  };
  dense.weights = [](const Json& c, const std::vector<Shape>& in) {
    int64_t units = c.at("units").get<int64_t>();
    std::vector<WeightSpec> w{{"kernel", {requireKnownChannels(in[0]), units}}};
    if (c.at("use_bias").get<bool>()) w.push_back({"bias", {units}});
    return w;
  };
  dense.aliases = {{"output_dim", "units"}};
  registry.add(dense);

  LayerType dropout;
  dropout.className = "Dropout";
  dropout.category = LayerCategory::Regularization;
  dropout.summary = "randomly zeroes inputs while training";
  dropout.defaults = {{"rate", 0.5}, {"noise_shape", nullptr}, {"seed", nullptr}};
  dropout.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const Json& rate = c.at("rate");
    if (!rate.is_number() || rate.get<double>() < 0 || rate.get<double>() >= 1)
      throw ShapeError("config field 'rate' must be a number in [0, 1), got " + rate.dump());
    // The mask is drawn at noise_shape and broadcast over the input: every entry is None (the
    // input's size), 1 (shared along that axis) or the input's size. Training failed on any
    // other at its first batch.
    const Json& noise = c.at("noise_shape");
    if (!noise.is_null()) {
      const std::string rule =
          ": each entry is None, 1 or the input's size along that axis, "
          "input " +
          shapeToString(in[0]);
      if (!noise.is_array() || noise.size() != in[0].size())
        throw ShapeError("config field 'noise_shape' must list " + std::to_string(in[0].size()) +
                         " entries, got " + noise.dump() + rule);
      for (size_t i = 0; i < noise.size(); ++i) {
        if (noise[i].is_null()) continue;
        const bool whole = noise[i].is_number_integer();
        const int64_t size = whole ? noise[i].get<int64_t>() : 0;
        // The batch axis (0) takes None or 1: a fixed batch size there failed at any other.
        const bool fits =
            size == 1 || (i > 0 && (in[0][i] == kUnknown ? size >= 1 : size == in[0][i]));
        if (!whole || !fits)
          throw ShapeError("config field 'noise_shape' entry " + std::to_string(i) + " is " +
                           noise[i].dump() + rule);
      }
    }
    return in[0];
  };
  dropout.aliases = {{"p", "rate"}};
  registry.add(dropout);

  LayerType rescaling;
  rescaling.className = "Rescaling";
  rescaling.category = LayerCategory::Preprocessing;
  rescaling.summary = "x * scale + offset (each one number, or one per last-axis entry)";
  rescaling.defaults = {{"scale", 1.0}, {"offset", 0.0}};
  rescaling.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    rescalingFactors(c, in[0]);
    return in[0];
  };
  registry.add(rescaling);
}

}  // namespace graft::layers
