// Conv2D, DepthwiseConv2D, SeparableConv2D and Conv2DTranspose: Keras's configs, shapes and
// weights.
#include "graph/layer_helpers.h"

namespace graft::layers {
namespace {

Json convolutionDefaults() {
  Json j = {{"kernel_size", {3, 3}},   {"strides", {1, 1}},
            {"padding", "valid"},      {"data_format", "channels_last"},
            {"dilation_rate", {1, 1}}, {"activation", "linear"},
            {"use_bias", true},        {"activity_regularizer", nullptr}};
  j.update(weightOptionDefaults("bias", "Zeros"));
  return j;
}

// Spatial output size shared by the three convolutions.
Shape convolvedShape(const Json& c, const Shape& in, int64_t channels) {
  requireRank(in, 4, "(batch, h, w, c)");
  requireKnownActivation(c);
  auto [kh, kw] = intPair(c, "kernel_size");
  auto [sh, sw] = intPair(c, "strides");
  auto [dh, dw] = intPair(c, "dilation_rate");
  if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1))
    throw ShapeError("strides > 1 cannot be combined with dilation_rate > 1 (Keras refuses it)");
  const std::string padding = c.at("padding").get<std::string>();
  return {in[0], convOutputLength(in[1], kh, sh, dh, padding),
          convOutputLength(in[2], kw, sw, dw, padding), channels};
}

int64_t positive(const Json& c, const char* key) {
  const Json& v = c.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < 1)
    throw ShapeError(std::string("config field '") + key + "' must be a positive integer, got " +
                     v.dump());
  return v.get<int64_t>();
}

}  // namespace

void registerConvolutionLayers(LayerRegistry& registry) {
  LayerType conv;
  conv.className = "Conv2D";
  conv.category = LayerCategory::Convolution;
  conv.summary = "2-D convolution over height and width";
  conv.defaults = convolutionDefaults();
  conv.defaults["filters"] = 32;
  conv.defaults["groups"] = 1;
  conv.defaults.update(weightOptionDefaults("kernel", "GlorotUniform"));
  conv.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    int64_t filters = positive(c, "filters"), groups = positive(c, "groups");
    if (filters % groups != 0)
      throw ShapeError("filters (" + std::to_string(filters) + ") must be divisible by groups (" +
                       std::to_string(groups) + ")");
    if (in[0].size() == 4 && in[0][3] != kUnknown && in[0][3] % groups != 0)
      throw ShapeError("input channels (" + std::to_string(in[0][3]) +
                       ") must be divisible by groups (" + std::to_string(groups) + ")");
    return convolvedShape(c, in[0], filters);
  };
  conv.weights = [](const Json& c, const std::vector<Shape>& in) {
    auto [kh, kw] = intPair(c, "kernel_size");
    int64_t cin = requireKnownChannels(in[0]);
    int64_t filters = c.at("filters").get<int64_t>();
    std::vector<WeightSpec> w{{"kernel", {kh, kw, cin / c.at("groups").get<int64_t>(), filters}}};
    if (c.at("use_bias").get<bool>()) w.push_back({"bias", {filters}});
    return w;
  };
  conv.aliases = {{"nb_filter", "filters"},
                  {"subsample", "strides"},
                  {"border_mode", "padding"},
                  {"dim_ordering", "data_format"}};
  registry.add(conv);

  LayerType depthwise;
  depthwise.className = "DepthwiseConv2D";
  depthwise.category = LayerCategory::Convolution;
  depthwise.summary = "per-channel 2-D convolution (depth_multiplier outputs per channel)";
  depthwise.defaults = convolutionDefaults();
  depthwise.defaults["depth_multiplier"] = 1;
  depthwise.defaults.update(weightOptionDefaults("depthwise", "GlorotUniform"));
  depthwise.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    int64_t mult = positive(c, "depth_multiplier");
    requireRank(in[0], 4, "(batch, h, w, c)");
    int64_t cin = requireKnownChannels(in[0]);
    return convolvedShape(c, in[0], cin * mult);
  };
  depthwise.weights = [](const Json& c, const std::vector<Shape>& in) {
    auto [kh, kw] = intPair(c, "kernel_size");
    int64_t cin = requireKnownChannels(in[0]);
    int64_t mult = c.at("depth_multiplier").get<int64_t>();
    std::vector<WeightSpec> w{{"depthwise_kernel", {kh, kw, cin, mult}}};
    if (c.at("use_bias").get<bool>()) w.push_back({"bias", {cin * mult}});
    return w;
  };
  registry.add(depthwise);

  LayerType separable;
  separable.className = "SeparableConv2D";
  separable.category = LayerCategory::Convolution;
  separable.summary = "depthwise convolution followed by a 1x1 pointwise convolution";
  separable.defaults = convolutionDefaults();
  separable.defaults["filters"] = 32;
  separable.defaults["depth_multiplier"] = 1;
  separable.defaults.update(weightOptionDefaults("depthwise", "GlorotUniform"));
  separable.defaults.update(weightOptionDefaults("pointwise", "GlorotUniform"));
  separable.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    positive(c, "depth_multiplier");
    return convolvedShape(c, in[0], positive(c, "filters"));
  };
  separable.weights = [](const Json& c, const std::vector<Shape>& in) {
    auto [kh, kw] = intPair(c, "kernel_size");
    int64_t cin = requireKnownChannels(in[0]);
    int64_t mult = c.at("depth_multiplier").get<int64_t>();
    int64_t filters = c.at("filters").get<int64_t>();
    std::vector<WeightSpec> w{{"depthwise_kernel", {kh, kw, cin, mult}},
                              {"pointwise_kernel", {1, 1, cin * mult, filters}}};
    if (c.at("use_bias").get<bool>()) w.push_back({"bias", {filters}});
    return w;
  };
  registry.add(separable);

  // Keras's kernel (kh, kw, filters, in): the transpose of a Conv2D kernel from `filters`
  // channels to `in`.
  LayerType transpose;
  transpose.className = "Conv2DTranspose";
  transpose.category = LayerCategory::Convolution;
  transpose.summary = "transposed 2-D convolution (learned upsampling by the strides)";
  transpose.defaults = convolutionDefaults();
  transpose.defaults["filters"] = 32;
  transpose.defaults["output_padding"] = nullptr;
  transpose.defaults.update(weightOptionDefaults("kernel", "GlorotUniform"));
  transpose.outputShape = [](const Json& c, const std::vector<Shape>& in) {
    const int64_t filters = positive(c, "filters");
    requireRank(in[0], 4, "(batch, h, w, c)");
    requireKnownActivation(c);
    auto [kh, kw] = intPair(c, "kernel_size");
    auto [sh, sw] = intPair(c, "strides");
    auto [dh, dw] = intPair(c, "dilation_rate");
    auto [oh, ow] = outputPaddingPair(c);
    if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1))
      throw ShapeError(
          "strides > 1 cannot be combined with dilation_rate > 1 (TensorFlow refuses it)");
    const std::string padding = c.at("padding").get<std::string>();
    return Shape{in[0][0], deconvOutputLength(in[0][1], kh, sh, dh, padding, oh),
                 deconvOutputLength(in[0][2], kw, sw, dw, padding, ow), filters};
  };
  transpose.weights = [](const Json& c, const std::vector<Shape>& in) {
    auto [kh, kw] = intPair(c, "kernel_size");
    const int64_t filters = c.at("filters").get<int64_t>();
    std::vector<WeightSpec> w{{"kernel", {kh, kw, filters, requireKnownChannels(in[0])}}};
    if (c.at("use_bias").get<bool>()) w.push_back({"bias", {filters}});
    return w;
  };
  transpose.aliases = {{"dim_ordering", "data_format"}};
  registry.add(transpose);
}

}  // namespace graft::layers
