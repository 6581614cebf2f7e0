// One emitter per Keras class. Tensors are NCHW between layers, as in GraphModule; Keras's
// channels-last semantics (Flatten, Reshape, Dense on feature maps) are written out with
// Transposes, and `same` padding as explicit, possibly asymmetric, pads.
#include "export/onnx_emitters.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "export/export_geometry.h"
#include "export/export_weights.h"
#include "graph/auto_contrast.h"
#include "graph/image_resize.h"
#include "graph/keras_op_layers.h"
#include "graph/layer_helpers.h"
#include "graph/rescaling.h"
#include "runtime/layers/op_helpers.h"

namespace graft::exporting::onnx_export {

std::string NameTable::unique(const std::string& wanted) {
  std::string name = wanted;
  for (int n = 2; used_.count(name); ++n) name = wanted + "_" + std::to_string(n);
  used_.insert(name);
  return name;
}

onnx::NodeProto& LayerNodes::node(const std::string& op, const std::vector<std::string>& inputs,
                                  const std::string& suffix) {
  onnx::NodeProto& n = *graph_.add_node();
  n.set_op_type(op);
  for (const auto& i : inputs) n.add_input(i);
  const std::string output = names_.unique(suffix.empty() ? out : layer.name() + "/" + suffix);
  n.add_output(output);
  n.set_name(output);
  return n;
}

std::string LayerNodes::op(const std::string& type, const std::vector<std::string>& inputs,
                           const std::string& suffix) {
  return node(type, inputs, suffix).output(0);
}

std::string LayerNodes::weight(const std::string& name, const torch::Tensor& value) {
  const torch::Tensor t = value.to(torch::kFloat32).contiguous();
  onnx::TensorProto& init = *graph_.add_initializer();
  init.set_name(names_.unique(layer.name() + "/" + name));
  init.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : t.sizes()) init.add_dims(d);
  init.set_raw_data(t.data_ptr<float>(), static_cast<size_t>(t.numel()) * sizeof(float));
  return init.name();
}

std::string LayerNodes::scalar(const std::string& name, float value) {
  onnx::TensorProto& init = *graph_.add_initializer();
  init.set_name(names_.unique(layer.name() + "/" + name));
  init.set_data_type(onnx::TensorProto::FLOAT);
  init.add_float_data(value);
  return init.name();
}

std::string LayerNodes::ints(const std::string& name, const std::vector<int64_t>& values) {
  onnx::TensorProto& init = *graph_.add_initializer();
  init.set_name(names_.unique(layer.name() + "/" + name));
  init.set_data_type(onnx::TensorProto::INT64);
  init.add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) init.add_int64_data(v);
  return init.name();
}

void attribute(onnx::NodeProto& node, const std::string& name, int64_t value) {
  onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(value);
}

void attribute(onnx::NodeProto& node, const std::string& name, float value) {
  onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(value);
}

void attribute(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& value) {
  onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INTS);
  for (int64_t v : value) a.add_ints(v);
}

namespace {

using Ints = std::vector<int64_t>;

// ---- pieces several layers share ----

// min(x, m) for x >= 0 as m - relu(m - x): exact up to one rounding of m - x (|error| <=
// ulp(m) / 2), whatever the size of x. OpenCV 4.6 reads neither opset-13 Clip nor Min.
std::string capAt(LayerNodes& c, const std::string& x, double m, const std::string& suffix) {
  const std::string base = suffix.empty() ? "cap" : suffix;
  const std::string cap = c.scalar(base + "_value", static_cast<float>(m));
  const std::string room = c.op("Relu", {c.op("Sub", {cap, x}, base + "_room")}, base + "_over");
  return c.op("Sub", {cap, room}, suffix);
}

// relu(x) + log(1 + exp(-|x|)): LibTorch's softplus for every x; OpenCV's Softplus computes
// log(1 + exp(x)) as written, which overflows to inf above x = 88.
template <class Part>
std::string stableSoftplus(LayerNodes& c, const std::string& x, const std::string& suffix,
                           const Part& part) {
  const std::string e =
      c.op("Exp", {c.op("Neg", {c.op("Abs", {x}, part("abs"))}, part("neg_abs"))}, part("exp"));
  const std::string log =
      c.op("Log", {c.op("Add", {e, c.scalar(part("one"), 1.0f)}, part("one_plus"))}, part("log"));
  return c.op("Add", {c.op("Relu", {x}, part("relu")), log}, suffix);
}

template <class Part>
std::string stableLogSoftmax(LayerNodes& c, const std::string& x, const std::string& suffix,
                             const Part& part);

// Keras's named activations, as runtime/layers/activations.cpp computes them. `suffix` empty:
// the last node is the layer's result.
std::string activation(LayerNodes& c, const std::string& name, const std::string& x,
                       const std::string& suffix) {
  auto part = [&](const std::string& p) { return (suffix.empty() ? "act" : suffix) + "_" + p; };
  if (name == "linear") return x;
  if (name == "relu") return c.op("Relu", {x}, suffix);
  if (name == "relu6") return capAt(c, c.op("Relu", {x}, part("relu")), 6.0, suffix);
  if (name == "sigmoid") return c.op("Sigmoid", {x}, suffix);
  if (name == "tanh") return c.op("Tanh", {x}, suffix);
  if (name == "hard_sigmoid") {  // Keras 2: clip(0.2 x + 0.5, 0, 1)
    onnx::NodeProto& n = c.node("HardSigmoid", {x}, suffix);
    attribute(n, "alpha", 0.2f);
    attribute(n, "beta", 0.5f);
    return n.output(0);
  }
  if (name == "softmax") {  // over channels: dimension 1 of NCHW, else the last axis
    onnx::NodeProto& n = c.node("Softmax", {x}, suffix);
    attribute(n, "axis", int64_t{c.layer.outputShape.size() == 4 ? 1 : -1});
    return n.output(0);
  }
  if (name == "log_softmax") return stableLogSoftmax(c, x, suffix, part);
  if (name == "elu") return c.op("Elu", {x}, suffix);
  if (name == "selu") return c.op("Selu", {x}, suffix);  // ONNX's defaults are Keras's constants
  if (name == "swish" || name == "silu")
    return c.op("Mul", {x, c.op("Sigmoid", {x}, part("sigmoid"))}, suffix);
  if (name == "softplus") return stableSoftplus(c, x, suffix, part);
  if (name == "mish") {  // x tanh(softplus(x))
    const std::string sp = stableSoftplus(c, x, part("softplus"), part);
    return c.op("Mul", {x, c.op("Tanh", {sp}, part("tanh"))}, suffix);
  }
  if (name == "hard_sigmoid_keras3") {  // relu6(x + 3) / 6, as Keras 3 writes it
    const std::string shifted = c.op(
        "Relu", {c.op("Add", {x, c.scalar(part("three"), 3.0f)}, part("plus3"))}, part("relu"));
    return c.op("Div", {capAt(c, shifted, 6.0, part("relu6")), c.scalar(part("six"), 6.0f)},
                suffix);
  }
  if (name == "hard_silu" || name == "hard_swish") {  // x relu6(x + 3) / 6, as Keras 3 writes it
    const std::string shifted = c.op(
        "Relu", {c.op("Add", {x, c.scalar(part("three"), 3.0f)}, part("plus3"))}, part("relu"));
    const std::string relu6 = capAt(c, shifted, 6.0, part("relu6"));
    return c.op("Mul", {x, c.op("Div", {relu6, c.scalar(part("six"), 6.0f)}, part("hard_sigmoid"))},
                suffix);
  }
  if (name == "leaky_relu") {  // Keras 3's activation: slope 0.2
    onnx::NodeProto& n = c.node("LeakyRelu", {x}, suffix);
    attribute(n, "alpha", 0.2f);
    return n.output(0);
  }
  if (name == "softsign") return c.op("Softsign", {x}, suffix);
  if (name == "exponential") return c.op("Exp", {x}, suffix);
  if (name == "gelu") {  // exact (Keras's default approximate=False): x/2 (1 + erf(x / sqrt 2))
    const std::string e =
        c.op("Erf",
             {c.op("Mul", {x, c.scalar(part("rsqrt2"), 0.70710678118654752440f)}, part("scaled"))},
             part("erf"));
    const std::string onePlus = c.op("Add", {e, c.scalar(part("one"), 1.0f)}, part("one_plus"));
    return c.op("Mul", {c.op("Mul", {x, onePlus}, part("product")), c.scalar(part("half"), 0.5f)},
                suffix);
  }
  throw Error(Diagnostic{c.layer.name(), "activation '" + name + "' has no ONNX form"});
}

void activate(LayerNodes& c, const std::string& preActivation) {
  c.result = activation(c, activationName(c.layer), preActivation, "");
}

// The op before the activation gets the layer's name when there is no activation.
std::string preActivationSuffix(const LayerNodes& c) {
  return activationName(c.layer) == "linear" ? "" : "linear";
}

Ints onnxPads(const Pads& p) {
  return {p.top, p.left, p.bottom, p.right};
}

Pads padsOf(const ExportLayer& layer, const Window& w) {
  const Shape& s = layer.inputShapes[0];
  return windowPads(w, s[1], s[2]);
}

std::string conv(LayerNodes& c, const std::string& x, const std::string& kernel,
                 const std::string& bias, const Window& w, int64_t groups,
                 const std::string& suffix) {
  std::vector<std::string> inputs{x, kernel};
  if (!bias.empty()) inputs.push_back(bias);
  onnx::NodeProto& n = c.node("Conv", inputs, suffix);
  attribute(n, "kernel_shape", Ints{w.kernel.h, w.kernel.w});
  attribute(n, "strides", Ints{w.stride.h, w.stride.w});
  attribute(n, "dilations", Ints{w.dilation.h, w.dilation.w});
  attribute(n, "pads", onnxPads(padsOf(c.layer, w)));
  attribute(n, "group", groups);
  return n.output(0);
}

std::string optionalBias(LayerNodes& c, size_t index) {
  return c.layer.config.at("use_bias").get<bool>()
             ? c.weight("bias", fromKeras(c.layer.weight(index)))
             : "";
}

std::string transpose(LayerNodes& c, const std::string& x, const Ints& perm,
                      const std::string& suffix) {
  onnx::NodeProto& n = c.node("Transpose", {x}, suffix);
  attribute(n, "perm", perm);
  return n.output(0);
}
const Ints kToNhwc{0, 2, 3, 1}, kToNchw{0, 3, 1, 2};

// x repeated `rows` times along dimension 2 and `columns` times along dimension 3 by a nearest
// Resize, whose copies are exact: OpenCV 4.6 multiplies or adds two tensors of one shape only,
// so a per-image statistic (N, C, 1, 1) is brought to full size this way.
std::string repeated(LayerNodes& c, const std::string& x, int64_t rows, int64_t columns,
                     const std::string& suffix) {
  const torch::Tensor scales =
      torch::tensor({1.0f, 1.0f, static_cast<float>(rows), static_cast<float>(columns)});
  onnx::NodeProto& n = c.node("Resize",
                              {x, c.weight(suffix + "_roi", torch::empty({0}, torch::kFloat32)),
                               c.weight(suffix + "_scales", scales)},
                              suffix);
  onnx::AttributeProto* mode = n.add_attribute();
  mode->set_name("mode");
  mode->set_type(onnx::AttributeProto::STRING);
  mode->set_s("nearest");
  return n.output(0);
}

// log_softmax over the channels of a map (the last axis of another rank, run as a (M, C, 1, 1)
// map), as x - m - log(sum(exp(x - m))) with m the maximum: finite wherever LibTorch's is.
// ONNX's LogSoftmax would be one node, but OpenCV 4.6 (the export's check) computes it as
// log(softmax), -inf once a class trails the best by ~104, as raw pixels do. OpenCV has no
// ReduceMax over the channels and no broadcasting Sub, so the maximum is a MaxPool of the
// channels moved last, brought back to every channel by a 1x1 Conv of ones (C x 1); the sum
// likewise by an AveragePool times C. Every tensor then keeps the input's shape.
template <class Part>
std::string stableLogSoftmax(LayerNodes& c, const std::string& x, const std::string& suffix,
                             const Part& part) {
  const Shape& keras = c.layer.outputShape;
  const bool map = keras.size() == 4;
  const int64_t channels = keras.back();
  const std::string in =
      map ? x
          : c.op("Reshape", {x, c.ints(part("map_shape"), {-1, channels, 1, 1})}, part("as_map"));
  auto overChannels = [&](const std::string& op, const std::string& value, float scale,
                          const std::string& name) {
    onnx::NodeProto& pool =
        c.node(op, {transpose(c, value, kToNhwc, part(name + "_last"))}, part(name + "_pooled"));
    attribute(pool, "kernel_shape", Ints{1, channels});
    attribute(pool, "strides", Ints{1, 1});
    const std::string one = transpose(c, pool.output(0), kToNchw, part(name + "_one"));
    const std::string spread =
        c.weight(part(name + "_spread"), torch::full({channels, 1, 1, 1}, scale));
    onnx::NodeProto& conv = c.node("Conv", {one, spread}, part(name));
    attribute(conv, "kernel_shape", Ints{1, 1});
    return conv.output(0);
  };
  const std::string shifted =
      c.op("Sub", {in, overChannels("MaxPool", in, 1.0f, "max")}, part("shifted"));
  const std::string sum = overChannels("AveragePool", c.op("Exp", {shifted}, part("exp")),
                                       static_cast<float>(channels), "sum");
  const std::string y = c.op("Sub", {shifted, c.op("Log", {sum}, part("log_sum"))},
                             map ? suffix : part("as_map_out"));
  if (map) return y;
  Ints back{-1};
  for (size_t d = 1; d < keras.size(); ++d) back.push_back(keras[d]);
  return c.op("Reshape", {y, c.ints(part("shape"), back)}, suffix);
}

// ---- the layers ----

void alias(LayerNodes& c) {
  c.result = c.in[0];
}  // InputLayer; Dropout, SpatialDropout2D, GaussianNoise, GaussianDropout, StochasticDepth

void conv2d(LayerNodes& c) {
  const Window w = convolutionWindow(c.layer);
  activate(
      c, conv(c, c.in[0], c.weight("kernel", convKernel(c.layer.weight(0))), optionalBias(c, 1), w,
              c.layer.config.at("groups").get<int64_t>(), preActivationSuffix(c)));
}

void depthwiseConv2d(LayerNodes& c) {
  const Window w = convolutionWindow(c.layer);
  activate(c, conv(c, c.in[0], c.weight("depthwise_kernel", depthwiseKernel(c.layer.weight(0))),
                   optionalBias(c, 1), w, c.layer.inputShapes[0][3], preActivationSuffix(c)));
}

void separableConv2d(LayerNodes& c) {
  const Window w = convolutionWindow(c.layer);
  const std::string d =
      conv(c, c.in[0], c.weight("depthwise_kernel", depthwiseKernel(c.layer.weight(0))), "", w,
           c.layer.inputShapes[0][3], "depthwise");
  const Window pointwise{{1, 1}, {1, 1}, {1, 1}, false};
  activate(c, conv(c, d, c.weight("pointwise_kernel", convKernel(c.layer.weight(1))),
                   optionalBias(c, 2), pointwise, 1, preActivationSuffix(c)));
}

// ConvTranspose without pads gives the full transposed convolution, output_padding appends the
// zero cells TensorFlow appends (the bias is added to every cell, as TensorFlow adds it), and a
// Slice keeps TensorFlow's cells: OpenCV 4.6 reads neither asymmetric pads nor dilation here.
void conv2dTranspose(LayerNodes& c) {
  const TransposeWindow t = transposeWindow(c.layer);
  const Window& w = t.window;
  std::vector<std::string> inputs{c.in[0], c.weight("kernel", transposeKernel(c.layer.weight(0)))};
  if (c.layer.config.at("use_bias").get<bool>())
    inputs.push_back(c.weight("bias", fromKeras(c.layer.weight(1))));
  const bool crop = t.crop.top > 0 || t.crop.left > 0 || t.crop.bottom > 0 || t.crop.right > 0;
  onnx::NodeProto& n = c.node("ConvTranspose", inputs, crop ? "full" : preActivationSuffix(c));
  attribute(n, "kernel_shape", Ints{w.kernel.h, w.kernel.w});
  attribute(n, "strides", Ints{w.stride.h, w.stride.w});
  attribute(n, "pads", Ints{0, 0, 0, 0});
  attribute(n, "output_padding",
            Ints{std::max<int64_t>(-t.crop.bottom, 0), std::max<int64_t>(-t.crop.right, 0)});
  std::string y = n.output(0);
  if (crop) {
    const Shape& out = c.layer.outputShape;  // (N, H, W, C), sizes known for ONNX
    y = c.op("Slice",
             {y, c.ints("starts", {t.crop.top, t.crop.left}),
              c.ints("ends", {t.crop.top + out[1], t.crop.left + out[2]}), c.ints("axes", {2, 3})},
             preActivationSuffix(c));
  }
  activate(c, y);
}

std::string refuseDilatedTranspose(const ExportLayer& layer) {
  const Window w = convolutionWindow(layer);
  if (w.dilation.h == 1 && w.dilation.w == 1) return "";
  return "dilation_rate " + layer.config.at("dilation_rate").dump() +
         ": OpenCV's DNN module 4.6 computes a transposed convolution without its dilation; "
         "export to TorchScript instead";
}

// (N, C) -> Gemm with the kernel stored (out, in); on a feature map Keras applies the kernel to
// the channels at every position, which is a 1x1 convolution; other ranks: MatMul on the last
// axis.
void dense(LayerNodes& c) {
  const torch::Tensor kernel = fromKeras(c.layer.weight(0));  // (in, out)
  const bool useBias = c.layer.config.at("use_bias").get<bool>();
  const torch::Tensor bias =
      useBias ? fromKeras(c.layer.weight(1)) : torch::zeros({kernel.size(1)}, torch::kFloat32);
  const std::string suffix = preActivationSuffix(c);
  const size_t rank = c.layer.inputRank();
  if (rank == 2) {
    onnx::NodeProto& n =
        c.node("Gemm", {c.in[0], c.weight("kernel", kernel.t()), c.weight("bias", bias)}, suffix);
    attribute(n, "transB", int64_t{1});
    activate(c, n.output(0));
  } else if (rank == 4) {
    const std::string k =
        c.weight("kernel", kernel.t().reshape({kernel.size(1), kernel.size(0), 1, 1}));
    const Window w{{1, 1}, {1, 1}, {1, 1}, false};
    activate(c, conv(c, c.in[0], k, c.weight("bias", bias), w, 1, suffix));
  } else {
    const std::string m = c.op("MatMul", {c.in[0], c.weight("kernel", kernel)}, "matmul");
    activate(c, c.op("Add", {m, c.weight("bias", bias)}, suffix));
  }
}

// x * scale + shift per channel as a BatchNormalization (mean 0, variance 1, epsilon 0): the
// per-channel constant OpenCV's DNN module broadcasts (channels at dimension 1: ranks 2 and 4).
std::string perChannelAffine(LayerNodes& c, const std::string& x, const torch::Tensor& scale,
                             const torch::Tensor& shift, const std::string& suffix) {
  const torch::Tensor zeros = torch::zeros_like(scale), ones = torch::ones_like(scale);
  onnx::NodeProto& n = c.node("BatchNormalization",
                              {x, c.weight("scale", scale), c.weight("shift", shift),
                               c.weight("mean", zeros), c.weight("variance", ones)},
                              suffix);
  attribute(n, "epsilon", 0.0f);
  return n.output(0);
}

void rescaling(LayerNodes& c) {
  const layers::RescalingFactors f =
      layers::rescalingFactors(c.layer.config, c.layer.inputShapes.at(0));
  if (!f.perChannel()) {
    const std::string scaled =
        c.op("Mul", {c.in[0], c.scalar("scale", static_cast<float>(f.scale[0]))}, "scaled");
    c.result = c.op("Add", {scaled, c.scalar("offset", static_cast<float>(f.offset[0]))}, "");
    return;
  }
  const auto floats = [](const std::vector<double>& v) {
    return torch::tensor(v, torch::kFloat64).to(torch::kFloat32);
  };
  c.result = perChannelAffine(c, c.in[0], floats(f.scale), floats(f.offset), "");
}

std::string refusePerChannelRescalingOfOtherRanks(const ExportLayer& layer) {
  if (!layers::rescalingFactors(layer.config, layer.inputShapes.at(0)).perChannel() ||
      layer.inputRank() == 2 || layer.inputRank() == 4)
    return "";
  return "a per-channel scale on the last axis of a rank-" + std::to_string(layer.inputRank()) +
         " input (OpenCV broadcasts a per-channel constant only at dimension 1 of ranks 2 and 4)";
}

// Inference statistics. ONNX's BatchNormalization wants the channels at dimension 1, where
// ranks 2 and 4 have them; other ranks (channels last) are transposed there and back (OpenCV
// cannot broadcast a per-channel constant over the last axis of a rank-3 tensor).
void batchNormalization(LayerNodes& c) {
  size_t i = 0;
  const auto& cfg = c.layer.config;
  const int64_t channels = c.layer.inputShapes[0].back();
  const torch::Tensor gamma =
      cfg.at("scale").get<bool>() ? fromKeras(c.layer.weight(i++)) : torch::ones({channels});
  const torch::Tensor beta =
      cfg.at("center").get<bool>() ? fromKeras(c.layer.weight(i++)) : torch::zeros({channels});
  const torch::Tensor mean = fromKeras(c.layer.weight(i++));
  const torch::Tensor variance = fromKeras(c.layer.weight(i++));
  const auto rank = static_cast<int64_t>(c.layer.inputRank());
  const bool channelsLast = rank != 2 && rank != 4;
  Ints toFront{0, rank - 1}, toBack{0};
  for (int64_t d = 1; d < rank - 1; ++d) toFront.push_back(d);
  for (int64_t d = 2; d < rank; ++d) toBack.push_back(d);
  toBack.push_back(1);
  const std::string x = channelsLast ? transpose(c, c.in[0], toFront, "channels_first") : c.in[0];
  onnx::NodeProto& n =
      c.node("BatchNormalization",
             {x, c.weight("gamma", gamma), c.weight("beta", beta), c.weight("moving_mean", mean),
              c.weight("moving_variance", variance)},
             channelsLast ? "normalized" : "");
  attribute(n, "epsilon", static_cast<float>(cfg.at("epsilon").get<double>()));
  c.result = channelsLast ? transpose(c, n.output(0), toBack, "") : n.output(0);
}

void activationLayer(LayerNodes& c) {
  const std::string name = activationName(c.layer);
  c.result = name == "linear" ? c.op("Identity", {c.in[0]}, "") : activation(c, name, c.in[0], "");
}

// keras.backend.relu(x, alpha=negative_slope, max_value, threshold):
//   y = x where x > threshold else 0; y = clip(y, 0, max_value); y -= slope * relu(threshold - x).
// x > threshold is relu(sign(x - threshold)): x - t is 0 only when x == t (IEEE subtraction).
void relu(LayerNodes& c) {
  const auto& cfg = c.layer.config;
  const double slope = cfg.at("negative_slope").get<double>();
  const double threshold = cfg.at("threshold").get<double>();
  const bool hasMax = !cfg.at("max_value").is_null();
  const std::string x = c.in[0];
  if (threshold == 0.0 && !hasMax) {
    if (slope == 0.0) {
      c.result = c.op("Relu", {x}, "");
    } else {
      onnx::NodeProto& n = c.node("LeakyRelu", {x}, "");
      attribute(n, "alpha", static_cast<float>(slope));
      c.result = n.output(0);
    }
    return;
  }
  const bool last = slope == 0.0;  // the cap (or the threshold) is the final step
  std::string y;
  if (threshold == 0.0) {
    y = c.op("Relu", {x}, hasMax || !last ? "kept" : "");
  } else {
    const std::string t = c.scalar("threshold", static_cast<float>(threshold));
    const std::string above =
        c.op("Relu", {c.op("Sign", {c.op("Sub", {x, t}, "from_threshold")}, "sign")}, "above");
    y = c.op("Mul", {x, above}, hasMax || !last ? "kept" : "");
    if (hasMax) y = c.op("Relu", {y}, "non_negative");
  }
  if (hasMax) y = capAt(c, y, cfg.at("max_value").get<double>(), last ? "" : "capped");
  if (!last) {
    const std::string t =
        threshold == 0.0 ? "" : c.scalar("threshold_low", static_cast<float>(threshold));
    const std::string below = threshold == 0.0
                                  ? c.op("Relu", {c.op("Neg", {x}, "negated")}, "below")
                                  : c.op("Relu", {c.op("Sub", {t, x}, "to_threshold")}, "below");
    const std::string leak =
        c.op("Mul", {below, c.scalar("slope", static_cast<float>(slope))}, "leak");
    y = c.op("Sub", {y, leak}, "");
  }
  c.result = y;
}

void leakyRelu(LayerNodes& c) {
  onnx::NodeProto& n = c.node("LeakyRelu", {c.in[0]}, "");
  attribute(n, "alpha", static_cast<float>(c.layer.config.at("alpha").get<double>()));
  c.result = n.output(0);
}

void elu(LayerNodes& c) {
  onnx::NodeProto& n = c.node("Elu", {c.in[0]}, "");
  attribute(n, "alpha", static_cast<float>(c.layer.config.at("alpha").get<double>()));
  c.result = n.output(0);
}

// PRelu computes Keras's relu(x) - alpha * relu(-x) exactly (alpha * x below 0). The slope in
// the runtime layout: (C, H, W) for a feature map, broadcast from the last axes.
void prelu(LayerNodes& c) {
  torch::Tensor alpha = fromKeras(c.layer.weight(0));
  if (c.layer.inputRank() == 4) alpha = alpha.permute({2, 0, 1}).contiguous();
  c.result = c.op("PRelu", {c.in[0], c.weight("alpha", alpha)}, "");
}

// OpenCV 4.6 reads PRelu's slope as one value per channel: an alpha that varies along H or W
// would be computed wrongly there, so it is refused.
std::string refusePositionalPRelu(const ExportLayer& layer) {
  const Shape& alpha = layer.weight(0).shape;
  if (layer.inputRank() == 4 && (alpha[0] != 1 || alpha[1] != 1))
    return "alpha varies along height or width (shared_axes " +
           layer.config.at("shared_axes").dump() +
           "); OpenCV's DNN module reads only one alpha per channel (shared_axes [1, 2])";
  if (layer.inputRank() != 4 && layer.inputRank() != 2)
    return "PReLU on a rank-" + std::to_string(layer.inputRank()) +
           " input is not written (OpenCV's DNN module reads one alpha per channel)";
  return "";
}

void softmax(LayerNodes& c) {
  onnx::NodeProto& n = c.node("Softmax", {c.in[0]}, "");
  attribute(n, "axis", runtimeAxis(c.layer.config.at("axis"), c.layer.inputRank()));
  c.result = n.output(0);
}

// ONNX pooling pads are ignored by MaxPool and, with count_include_pad = 0, left out of
// AveragePool's mean: exactly Keras's `same` pooling.
void pooling(LayerNodes& c, const char* op) {
  const Window w = poolingWindow(c.layer);
  onnx::NodeProto& n = c.node(op, {c.in[0]}, "");
  attribute(n, "kernel_shape", Ints{w.kernel.h, w.kernel.w});
  attribute(n, "strides", Ints{w.stride.h, w.stride.w});
  attribute(n, "pads", onnxPads(padsOf(c.layer, w)));
  if (std::string(op) == "AveragePool") attribute(n, "count_include_pad", int64_t{0});
  c.result = n.output(0);
}
void maxPooling2d(LayerNodes& c) {
  pooling(c, "MaxPool");
}
void averagePooling2d(LayerNodes& c) {
  pooling(c, "AveragePool");
}

void globalPooling(LayerNodes& c, const char* op) {
  const bool keep = c.layer.config.at("keepdims").get<bool>();
  const std::string pooled = c.op(op, {c.in[0]}, keep ? "" : "pooled");  // (N, C, 1, 1)
  if (keep) {
    c.result = pooled;
    return;
  }
  onnx::NodeProto& n = c.node("Flatten", {pooled}, "");
  attribute(n, "axis", int64_t{1});
  c.result = n.output(0);
}
void globalAveragePooling2d(LayerNodes& c) {
  globalPooling(c, "GlobalAveragePool");
}
void globalMaxPooling2d(LayerNodes& c) {
  globalPooling(c, "GlobalMaxPool");
}

// OpenCV 4.6 multiplies or adds two tensors of one shape only: an input whose height and width
// are 1 where the result's are not (a squeeze-and-excitation gate) is first repeated to full
// size.
std::vector<std::string> fullSizeInputs(LayerNodes& c) {
  std::vector<std::string> in = c.in;
  const Shape& out = c.layer.outputShape;
  for (size_t i = 0; i < in.size(); ++i) {
    const Shape& s = c.layer.inputShapes.at(i);
    if (s == out) continue;
    in[i] = repeated(c, in[i], out[1] / s[1], out[2] / s[2], "full_size_" + std::to_string(i));
  }
  return in;
}

// What fullSizeInputs cannot repeat: broadcasting along channels or on other ranks.
std::string refuseBroadcast(const ExportLayer& layer) {
  const Shape& out = layer.outputShape;
  for (size_t i = 0; i < layer.inputShapes.size(); ++i) {
    const Shape& s = layer.inputShapes[i];
    if (s == out) continue;
    const bool spatial = s.size() == 4 && s[3] == out[3] && (s[1] == out[1] || s[1] == 1) &&
                         (s[2] == out[2] || s[2] == 1);
    if (!spatial)
      return "input " + std::to_string(i + 1) + " of shape " + shapeToString(s) +
             " is broadcast to " + shapeToString(out) +
             "; OpenCV's DNN module 4.6 combines tensors of one shape, which Graft writes only "
             "by repeating a feature map's height and width";
  }
  return "";
}

void chain(LayerNodes& c, const char* op) {
  const std::vector<std::string> in = fullSizeInputs(c);
  std::string y = in[0];
  for (size_t i = 1; i < in.size(); ++i)
    y = c.op(op, {y, in[i]}, i + 1 == in.size() ? "" : "partial_" + std::to_string(i));
  c.result = y;
}
void add(LayerNodes& c) {
  chain(c, "Add");
}
void multiply(LayerNodes& c) {
  chain(c, "Mul");
}
void subtract(LayerNodes& c) {
  chain(c, "Sub");
}
// Summed left to right, then divided by the count, as AverageOp does.
void average(LayerNodes& c) {
  const std::vector<std::string> in = fullSizeInputs(c);
  std::string y = in[0];
  for (size_t i = 1; i < in.size(); ++i) y = c.op("Add", {y, in[i]}, "sum_" + std::to_string(i));
  c.result = c.op("Div", {y, c.scalar("count", static_cast<float>(in.size()))}, "");
}
// OpenCV 4.6 reads no Max / Min: max(a, b) = a + relu(b - a), min(a, b) = a - relu(a - b), folded
// left to right (exact up to one rounding of the sum).
void extremum(LayerNodes& c, bool maximum) {
  const std::vector<std::string> in = fullSizeInputs(c);
  std::string y = in[0];
  for (size_t i = 1; i < in.size(); ++i) {
    const std::string step = std::to_string(i);
    const std::string gap =
        maximum ? c.op("Sub", {in[i], y}, "gap_" + step) : c.op("Sub", {y, in[i]}, "gap_" + step);
    const std::string over = c.op("Relu", {gap}, "over_" + step);
    y = c.op(maximum ? "Add" : "Sub", {y, over}, i + 1 == in.size() ? "" : "partial_" + step);
  }
  c.result = y;
}
void maximum(LayerNodes& c) {
  extremum(c, true);
}
void minimum(LayerNodes& c) {
  extremum(c, false);
}

void concatenate(LayerNodes& c) {
  onnx::NodeProto& n = c.node("Concat", c.in, "");
  attribute(n, "axis", runtimeAxis(c.layer.config.at("axis"), c.layer.inputRank()));
  c.result = n.output(0);
}

void zeroPadding2d(LayerNodes& c) {
  const Pads p = padsFromConfig(c.layer, "padding");
  c.result =
      c.op("Pad", {c.in[0], c.ints("pads", {0, 0, p.top, p.left, 0, 0, p.bottom, p.right})}, "");
}

void cropping2d(LayerNodes& c) {
  const Pads p = padsFromConfig(c.layer, "cropping");
  const Shape& s = c.layer.inputShapes[0];  // (N, H, W, C), sizes known for ONNX
  c.result = c.op("Slice",
                  {c.in[0], c.ints("starts", {p.top, p.left}),
                   c.ints("ends", {s[1] - p.bottom, s[2] - p.right}), c.ints("axes", {2, 3})},
                  "");
}

// Keras flattens in H, W, C order.
void flatten(LayerNodes& c) {
  const std::string x =
      c.layer.inputRank() == 4 ? transpose(c, c.in[0], kToNhwc, "channels_last") : c.in[0];
  onnx::NodeProto& n = c.node("Flatten", {x}, "");
  attribute(n, "axis", int64_t{1});
  c.result = n.output(0);
}

// In Keras's layout; 0 keeps the (dynamic) batch size.
void reshape(LayerNodes& c) {
  Ints target{0};
  for (const auto& d : c.layer.config.at("target_shape")) target.push_back(d.get<int64_t>());
  const bool toFeatureMap = target.size() == 4;
  const std::string x =
      c.layer.inputRank() == 4 ? transpose(c, c.in[0], kToNhwc, "channels_last") : c.in[0];
  const std::string r = c.op("Reshape", {x, c.ints("shape", target)}, toFeatureMap ? "nhwc" : "");
  c.result = toFeatureMap ? transpose(c, r, kToNchw, "") : r;
}

// Resize by the integer factors: `nearest` with asymmetric coordinates and floor (source row
// dst / fh: rows repeated), `bilinear` with half-pixel centres (tf.image.resize's bilinear).
void upSampling2d(LayerNodes& c) {
  const auto& size = c.layer.config.at("size");
  const bool bilinear = c.layer.config.at("interpolation") == "bilinear";
  const torch::Tensor scales =
      torch::tensor({1.0f, 1.0f, static_cast<float>(size.at(0).get<int64_t>()),
                     static_cast<float>(size.at(1).get<int64_t>())});
  onnx::NodeProto& n = c.node(
      "Resize",
      {c.in[0], c.weight("roi", torch::empty({0}, torch::kFloat32)), c.weight("scales", scales)},
      "");
  onnx::AttributeProto* mode = n.add_attribute();
  mode->set_name("mode");
  mode->set_type(onnx::AttributeProto::STRING);
  mode->set_s(bilinear ? "linear" : "nearest");
  onnx::AttributeProto* coordinates = n.add_attribute();
  coordinates->set_name("coordinate_transformation_mode");
  coordinates->set_type(onnx::AttributeProto::STRING);
  coordinates->set_s(bilinear ? "half_pixel" : "asymmetric");
  if (!bilinear) {
    onnx::AttributeProto* rounding = n.add_attribute();
    rounding->set_name("nearest_mode");
    rounding->set_type(onnx::AttributeProto::STRING);
    rounding->set_s("floor");
  }
  c.result = n.output(0);
}

// One axis of a resize as a matrix (input length x output length, to multiply from the right):
// output i reads the window [start, start + length) of the input as TensorFlow's half-pixel
// kernels do (resize_bilinear_op.cc compute_interpolation_weights, resize_nearest_neighbor_op.cc
// with HalfPixelScalerForNN), float32 scale and source coordinates.
torch::Tensor resizeAxis(int64_t inputLength, int64_t start, int64_t length, int64_t output,
                         layers::ResizeInterpolation interpolation) {
  torch::Tensor m = torch::zeros({inputLength, output}, torch::kFloat32);
  auto a = m.accessor<float, 2>();
  const float scale = static_cast<float>(length) / static_cast<float>(output);
  for (int64_t i = 0; i < output; ++i) {
    if (interpolation == layers::ResizeInterpolation::Nearest) {
      const auto source = static_cast<int64_t>(std::floor((static_cast<float>(i) + 0.5f) * scale));
      a[start + std::clamp<int64_t>(source, 0, length - 1)][i] = 1.0f;
      continue;
    }
    const float source = (static_cast<float>(i) + 0.5f) * scale - 0.5f;
    const float below = std::floor(source);
    const int64_t lower = std::max<int64_t>(static_cast<int64_t>(below), 0);
    const int64_t upper = std::min<int64_t>(static_cast<int64_t>(std::ceil(source)), length - 1);
    const float lerp = source - below;
    a[start + lower][i] += 1.0f - lerp;
    a[start + upper][i] += lerp;
  }
  return m;
}

// Resizing and CenterCrop with the input's size known (as ONNX needs): the padding (a Pad with
// the fill value), then each axis as a matrix product (the window's cut is in the matrices),
// width first as in TensorFlow's kernel. Plain MatMul and Transpose: every ONNX runtime, OpenCV's
// DNN included, computes them; Resize's own modes differ between runtimes.
void imageResize(LayerNodes& c) {
  const layers::ImageResize r = layers::imageResizeOf(c.layer.className(), c.layer.config);
  const Shape& s = c.layer.inputShapes[0];  // (N, H, W, C), sizes known for ONNX
  layers::ResizeWindow box = r.window(s[1], s[2]);
  std::string x = c.in[0];
  int64_t height = s[1], width = s[2];
  if (box.pads()) {
    const int64_t top = -box.top, left = -box.left;
    const int64_t bottom = box.height - height - top, right = box.width - width - left;
    x = c.op("Pad",
             {x, c.ints("pads", {0, 0, top, left, 0, 0, bottom, right}),
              c.scalar("fill", static_cast<float>(r.fill))},
             "pad");
    height = box.height;
    width = box.width;
    box.top = box.left = 0;
  }
  const layers::ResizeInterpolation mode =
      r.resizes(s[1], s[2]) ? r.interpolation : layers::ResizeInterpolation::Bilinear;
  const std::string across = c.op(
      "MatMul", {x, c.weight("columns", resizeAxis(width, box.left, box.width, r.width, mode))},
      "columns");
  const std::string down =
      c.op("MatMul",
           {transpose(c, across, {0, 1, 3, 2}, "rows_last"),
            c.weight("rows", resizeAxis(height, box.top, box.height, r.height, mode))},
           "rows");
  c.result = transpose(c, down, {0, 1, 3, 2}, "");
}

void permute(LayerNodes& c) {
  c.result = transpose(
      c, c.in[0],
      runtime::runtimePermutation(layers::permuteDims(c.layer.config, c.layer.inputRank())), "");
}

// sqrt(variance + epsilon), LayerNormalization's divisor.
std::string layerNormalizationDeviation(LayerNodes& c, const std::string& variance) {
  const auto epsilon = static_cast<float>(c.layer.config.at("epsilon").get<double>());
  return c.op("Sqrt", {c.op("Add", {variance, c.scalar("epsilon", epsilon)}, "variance_epsilon")},
              "deviation");
}

// The mean of each row of a (rows, S, 1, 1) tensor as (rows, 1, 1, 1), S = `first` x the rest:
// GlobalAveragePool of (rows, first, S / first, 1), then of those means laid along height. Two
// short sums: OpenCV sums a pool in float32 one element after another, which over a whole
// 56 x 56 x 96 sample drifted by 2e-5 of the output; two stages by 2e-7.
std::string rowMean(LayerNodes& c, const std::string& x, int64_t size, int64_t first,
                    const std::string& suffix) {
  const std::string split =
      c.op("Reshape", {x, c.ints(suffix + "_split_shape", {-1, first, size / first, 1})},
           suffix + "_split");
  const std::string partial = c.op("GlobalAveragePool", {split}, suffix + "_partial");
  const std::string laid = c.op(
      "Reshape", {partial, c.ints(suffix + "_laid_shape", {-1, 1, first, 1})}, suffix + "_laid");
  return c.op("GlobalAveragePool", {laid}, suffix);
}

// A LayerNormalization over several axes, or over one axis of a rank other than 2 and 4, as
// LayerNormalizationOp computes it in Keras 3's order: inv = rsqrt(variance + epsilon) * gamma,
// y = x * inv + (-mean * inv + beta). The input is transposed so that the normalized dimensions
// come last and reshaped to (rows, S, 1, 1), one row per sample and kept position, S the
// normalized values; the statistics are rowMeans, repeated to (rows, 1, S, 1) and reshaped back
// to (rows, S, 1, 1) (OpenCV 4.6 combines tensors of one shape only), and gamma and beta, one
// value per normalized position, become per-channel BatchNormalizations (x * gamma + 0 and
// x * 1 + beta, exact).
void layerNormalizationOverRows(LayerNodes& c) {
  const auto& cfg = c.layer.config;
  const Shape& keras = c.layer.inputShapes[0];
  const auto rank = static_cast<int64_t>(keras.size());
  std::vector<bool> normalized(keras.size(), false);
  for (int64_t axis : layers::layerNormalizationAxes(cfg.at("axis"), keras))
    normalized[static_cast<size_t>(runtime::runtimeAxis(axis, rank))] = true;
  Shape sizes = keras;  // the runtime layout's sizes
  if (rank == 4) sizes = {keras[0], keras[3], keras[1], keras[2]};
  Ints perm{0}, laid{-1};       // kept dimensions, then normalized ones; the sizes after perm
  int64_t size = 1, first = 0;  // S, and the size of the first normalized dimension
  for (bool last : {false, true})
    for (int64_t d = 1; d < rank; ++d) {
      if (normalized[static_cast<size_t>(d)] != last) continue;
      const int64_t n = sizes[static_cast<size_t>(d)];
      perm.push_back(d);
      laid.push_back(n);
      if (!last) continue;
      if (first == 0) first = n;
      size *= n;
    }
  Ints identity(perm.size());
  for (size_t d = 0; d < identity.size(); ++d) identity[d] = static_cast<int64_t>(d);
  const bool moved = perm != identity;
  const Ints rowShape{-1, size, 1, 1};
  const std::string x = c.op("Reshape",
                             {moved ? transpose(c, c.in[0], perm, "normalized_last") : c.in[0],
                              c.ints("rows_shape", rowShape)},
                             "rows");
  auto spread = [&](const std::string& statistic, const std::string& suffix) {
    return c.op("Reshape",
                {repeated(c, statistic, size, 1, suffix + "_repeated"),
                 c.ints(suffix + "_shape", rowShape)},
                suffix);
  };
  // One value per normalized position: gamma or beta laid out as the rows are.
  auto perPosition = [&](size_t index) {
    return layerNormalizationWeight(c.layer, index).permute(perm).flatten().contiguous();
  };
  const std::string mean = spread(rowMean(c, x, size, first, "mean"), "mean_rows");
  const std::string centred = c.op("Sub", {x, mean}, "centred");
  const std::string variance =
      rowMean(c, c.op("Mul", {centred, centred}, "squared"), size, first, "variance");
  const std::string deviation = layerNormalizationDeviation(c, variance);
  std::string inv =
      spread(c.op("Div", {c.scalar("one", 1.0f), deviation}, "reciprocal_deviation"), "inv_rows");
  size_t i = 0;
  if (cfg.at("scale").get<bool>())
    inv = perChannelAffine(c, inv, perPosition(i++), torch::zeros({size}), "inv");
  std::string shift = c.op("Mul", {c.op("Neg", {mean}, "negated_mean"), inv}, "shift");
  if (cfg.at("center").get<bool>())
    shift = perChannelAffine(c, shift, torch::ones({size}), perPosition(i++), "shift_beta");
  const std::string y = c.op("Add", {c.op("Mul", {x, inv}, "scaled"), shift}, "normalized");
  const std::string back = c.op("Reshape", {y, c.ints("laid_shape", laid)}, moved ? "laid" : "");
  if (!moved) {
    c.result = back;
    return;
  }
  Ints inverse(perm.size());
  for (size_t d = 0; d < perm.size(); ++d)
    inverse[static_cast<size_t>(perm[d])] = static_cast<int64_t>(d);
  c.result = transpose(c, back, inverse, "");
}

// opset 13 has no LayerNormalization, and OpenCV 4.6's DNN module cannot run ReduceMean over
// the channels nor divide with broadcasting. So over one axis of a rank-2 or rank-4 input the
// mean and the biased variance along the channels come from a 1x1 convolution whose C x C kernel
// is 1 / C: each channel receives the mean, every tensor keeps the input's shape, and Sub / Mul /
// Div are plain element-wise. gamma and beta become a per-channel BatchNormalization. A feature
// map normalized along height or width has that axis moved to the channels and back; a vector
// is reshaped to a 1x1 map and back. Several axes and other ranks: layerNormalizationOverRows.
void layerNormalization(LayerNodes& c) {
  const auto& cfg = c.layer.config;
  const size_t rank = c.layer.inputRank();
  if ((rank != 2 && rank != 4) ||
      layers::layerNormalizationAxes(cfg.at("axis"), c.layer.inputShapes[0]).size() > 1) {
    layerNormalizationOverRows(c);
    return;
  }
  const int64_t dim = runtimeAxis(cfg.at("axis"), rank);
  Ints swap;
  for (int64_t d = 0; d < static_cast<int64_t>(rank); ++d) swap.push_back(d);
  std::swap(swap[1], swap[static_cast<size_t>(dim)]);
  const bool moved = dim != 1;
  const size_t kerasDim = rank == 4 ? std::array<size_t, 4>{0, 3, 1, 2}[static_cast<size_t>(dim)]
                                    : static_cast<size_t>(dim);
  const int64_t channels = c.layer.inputShapes[0][kerasDim];
  // A rank-2 input runs as a (N, C, 1, 1) map: OpenCV's Gemm path did not reproduce it.
  const std::string x =
      moved       ? transpose(c, c.in[0], swap, "to_channels")
      : rank == 2 ? c.op("Reshape", {c.in[0], c.ints("map_shape", {-1, channels, 1, 1})}, "as_map")
                  : c.in[0];
  const std::string kernel = c.weight(
      "averaging", torch::full({channels, channels, 1, 1}, 1.0f / static_cast<float>(channels)));
  auto mean = [&](const std::string& input, const std::string& suffix) {
    const Window w{{1, 1}, {1, 1}, {1, 1}, false};
    return conv(c, input, kernel, "", w, 1, suffix);
  };
  const std::string centred = c.op("Sub", {x, mean(x, "mean")}, "centred");
  const std::string variance = mean(c.op("Mul", {centred, centred}, "squared"), "variance");
  const std::string deviation = layerNormalizationDeviation(c, variance);
  const bool scale = cfg.at("scale").get<bool>(), center = cfg.at("center").get<bool>();
  const bool reshaped = moved || rank == 2;
  std::string y =
      c.op("Div", {centred, deviation}, scale || center || reshaped ? "normalized" : "");
  if (scale || center) {
    size_t i = 0;
    const torch::Tensor gamma =
        scale ? fromKeras(c.layer.weight(i++)).flatten() : torch::ones({channels});
    const torch::Tensor beta =
        center ? fromKeras(c.layer.weight(i++)).flatten() : torch::zeros({channels});
    y = perChannelAffine(c, y, gamma, beta, reshaped ? "affine" : "");
  }
  c.result = moved       ? transpose(c, y, swap, "")
             : rank == 2 ? c.op("Reshape", {y, c.ints("vector_shape", {-1, channels})}, "")
                         : y;
}

// One mean and variance for everything: (x - mean) / deviation, or mean + x * deviation (invert)
// with scalar initializers. Per channel (rank 2 or 4): a BatchNormalization with variance 1 and
// epsilon 0 whose scale is 1 / deviation (or deviation, around mean 0, inverted), OpenCV's
// DNN module running it as x * scale + shift (within a rounding or two of NormalizationOp).
void normalization(LayerNodes& c) {
  const NormalizationStatistics s = normalizationStatistics(c.layer);
  const bool invert = c.layer.config.at("invert").get<bool>();
  if (s.mean.numel() == 1) {
    const std::string mean = c.scalar("mean", s.mean.item<float>());
    const std::string deviation = c.scalar("deviation", s.deviation.item<float>());
    c.result = invert ? c.op("Add", {c.op("Mul", {c.in[0], deviation}, "scaled"), mean}, "")
                      : c.op("Div", {c.op("Sub", {c.in[0], mean}, "centred"), deviation}, "");
    return;
  }
  // (x - mean) / deviation = x * (1 / deviation) - mean / deviation.
  const torch::Tensor mean = s.mean.flatten(), deviation = s.deviation.flatten();
  c.result = invert ? perChannelAffine(c, c.in[0], deviation, mean, "")
                    : perChannelAffine(c, c.in[0], 1.0 / deviation, -mean / deviation, "");
}

// OpenCV 4.6 broadcasts a constant only per channel (or a scalar): statistics kept along
// height or width, or on the last axis of another rank, are refused.
std::string refusePositionalNormalization(const ExportLayer& layer) {
  const std::vector<int64_t> kept =
      layers::normalizationAxes(layer.config, layer.inputShapes.at(0)).kept;
  const auto last = static_cast<int64_t>(layer.inputRank()) - 1;
  if (kept.empty() ||
      (kept.size() == 1 && kept[0] == last && (layer.inputRank() == 2 || layer.inputRank() == 4)))
    return "";
  return "mean and variance kept along axes " + layer.config.at("axis").dump() + " of a rank-" +
         std::to_string(layer.inputRank()) +
         " input: OpenCV's DNN module 4.6 broadcasts constants only per channel; export to "
         "TorchScript instead";
}

// Scalar constants as float32 initializers; max(a, b) = a + relu(b - a), min(a, b) =
// a - relu(a - b) (OpenCV 4.6 reads no Max / Min).
void tfOpLambda(LayerNodes& c) {
  const OpFunction* f = findOpFunction(c.layer.config.at("function").get<std::string>());
  const auto operands = layers::opOperands(c.layer.config, c.layer.inputRank());
  const std::vector<std::string> in = fullSizeInputs(c);
  std::vector<std::string> x;
  size_t next = 0;
  for (size_t i = 0; i < operands.size(); ++i)
    x.push_back(operands[i].input ? in[next++]
                                  : c.scalar("operand_" + std::to_string(i),
                                             static_cast<float>(operands[i].values.at(0))));
  if (f->arity == 1) {
    c.result = activation(c, f->activation, x[0], "");
    return;
  }
  const std::string& op = f->operation;
  if (op == "maximum" || op == "minimum") {
    const bool maximum = op == "maximum";
    const std::string gap =
        maximum ? c.op("Sub", {x[1], x[0]}, "gap") : c.op("Sub", {x[0], x[1]}, "gap");
    const std::string over = c.op("Relu", {gap}, "over");
    c.result = c.op(maximum ? "Add" : "Sub", {x[0], over}, "");
    return;
  }
  const char* type = op == "add"        ? "Add"
                     : op == "subtract" ? "Sub"
                     : op == "multiply" ? "Mul"
                                        : "Div";
  c.result = c.op(type, {x[0], x[1]}, "");
}

// OpenCV 4.6 broadcasts constants only as scalars here.
std::string refuseArrayConstant(const ExportLayer& layer) {
  for (const auto& o : layers::opOperands(layer.config, layer.inputRank()))
    if (!o.input && o.values.size() != 1)
      return "a constant operand of shape " + shapeToString(o.shape) +
             ": OpenCV's DNN module 4.6 reads only scalar constants in this form; export to "
             "TorchScript instead";
  return refuseBroadcast(layer);
}

void customScale(LayerNodes& c) {
  const auto scale = static_cast<float>(c.layer.config.at("scale").get<double>());
  const std::vector<std::string> in = fullSizeInputs(c);
  c.result = c.op("Add", {in[0], c.op("Mul", {in[1], c.scalar("scale", scale)}, "scaled")}, "");
}

// x * gamma per channel, as a BatchNormalization with scale gamma, mean and shift 0, variance 1
// and epsilon 0, which OpenCV 4.6 runs per channel. Ranks 2 and 4 have the channels at
// dimension 1; other ranks (channels last) are transposed there and back, as
// batchNormalization does.
void layerScale(LayerNodes& c) {
  const torch::Tensor gamma = fromKeras(c.layer.weight(0));
  const torch::Tensor zeros = torch::zeros_like(gamma), ones = torch::ones_like(gamma);
  const auto rank = static_cast<int64_t>(c.layer.inputRank());
  const bool channelsLast = rank != 2 && rank != 4;
  Ints toFront{0, rank - 1}, toBack{0};
  for (int64_t d = 1; d < rank - 1; ++d) toFront.push_back(d);
  for (int64_t d = 2; d < rank; ++d) toBack.push_back(d);
  toBack.push_back(1);
  const std::string x = channelsLast ? transpose(c, c.in[0], toFront, "channels_first") : c.in[0];
  onnx::NodeProto& n = c.node("BatchNormalization",
                              {x, c.weight("gamma", gamma), c.weight("shift", zeros),
                               c.weight("mean", zeros), c.weight("variance", ones)},
                              channelsLast ? "scaled" : "");
  attribute(n, "epsilon", 0.0f);
  c.result = channelsLast ? transpose(c, n.output(0), toBack, "") : n.output(0);
}

// (N, F) reshaped to (N, 1, F), then n copies concatenated along axis 1 (OpenCV 4.6 reads
// Concat and Reshape surely; Tile and Expand it may not).
void repeatVector(LayerNodes& c) {
  const int64_t features = c.layer.inputShapes[0][1];
  const std::string row = c.op("Reshape", {c.in[0], c.ints("shape", {0, 1, features})}, "row");
  const std::vector<std::string> copies(static_cast<size_t>(c.layer.config.at("n").get<int64_t>()),
                                        row);
  onnx::NodeProto& n = c.node("Concat", copies, "");
  attribute(n, "axis", int64_t{1});
  c.result = n.output(0);
}

// Keras 3's AutoContrast as AutoContrastOp computes it, per image and channel, in its order of
// float32 operations. OpenCV 4.6 has no ReduceMin, IsNaN or Where and combines tensors of one
// shape only: the maximum is a GlobalMaxPool, the negated minimum a GlobalMaxPool of the negated
// image (both exact), each (N, C, 1, 1) statistic is repeated over height and width, and the
// clip to [0, 255] is relu(v), then v - relu(v - 255) (exact: v - 255 is exact near 255). Keras
// gives NaN for a channel of one value (255 / 0 times 0) and then the input back; here
// keep = sign(max - min) (0 for such a channel) chooses y * keep + x * (1 - keep), and such a
// channel divides by 1 instead, so no NaN or inf (which 0 * inf would spread) is formed.
void autoContrast(LayerNodes& c) {
  const layers::AutoContrastRange r = layers::autoContrastRange(c.layer.config);
  const Shape& s = c.layer.inputShapes[0];  // (N, H, W, C), sizes known for ONNX
  const auto low = static_cast<float>(r.low);
  const float span = static_cast<float>(r.high) - low;
  const std::string x = c.in[0];
  auto toMap = [&](const std::string& statistic, const std::string& suffix) {
    return repeated(c, statistic, s[1], s[2], suffix);
  };
  std::string bytes = x;  // the image in [0, 255]
  if (!r.isByteRange()) {
    const std::string shifted = c.op("Sub", {x, c.scalar("low", low)}, "from_low");
    const std::string unit = c.op("Div", {shifted, c.scalar("span", span)}, "unit");
    bytes = c.op("Mul", {unit, c.scalar("to_bytes", 255.0f)}, "bytes");
  }
  const std::string high = c.op("GlobalMaxPool", {bytes}, "high");
  const std::string negatedLow =
      c.op("GlobalMaxPool", {c.op("Neg", {bytes}, "negated")}, "negated_low");
  const std::string range = c.op("Add", {high, negatedLow}, "range");
  const std::string keep = c.op("Sign", {range}, "keep");
  const std::string flat = c.op("Sub", {c.scalar("one", 1.0f), keep}, "flat");
  const std::string scale =
      c.op("Div", {c.scalar("full_scale", 255.0f), c.op("Add", {range, flat}, "divisor")}, "scale");
  const std::string offset = c.op("Mul", {negatedLow, scale}, "offset");
  const std::string stretched =
      c.op("Add",
           {c.op("Mul", {bytes, toMap(scale, "scale_map")}, "scaled"), toMap(offset, "offset_map")},
           "stretched");
  const std::string positive = c.op("Relu", {stretched}, "positive");
  const std::string over =
      c.op("Relu", {c.op("Sub", {positive, c.scalar("top", 255.0f)}, "from_top")}, "over_top");
  std::string y = c.op("Sub", {positive, over}, "clipped");
  if (!r.isByteRange()) {
    const std::string unit = c.op("Div", {y, c.scalar("from_bytes", 255.0f)}, "clipped_unit");
    y = c.op(
        "Add",
        {c.op("Mul", {unit, c.scalar("span_back", span)}, "spanned"), c.scalar("low_back", low)},
        "in_range");
  }
  c.result = c.op("Add",
                  {c.op("Mul", {y, toMap(keep, "keep_map")}, "kept"),
                   c.op("Mul", {x, toMap(flat, "flat_map")}, "passed")},
                  "");
}

// ONNX needs every size but the batch; the input layer is refused when one is unknown.
std::string refuseUnknownSize(const ExportLayer& layer) {
  for (size_t d = 1; d < layer.outputShape.size(); ++d)
    if (layer.outputShape[d] == kUnknown)
      return "the input size " + shapeToString(layer.outputShape) +
             " is not fixed; ONNX export (and OpenCV's DNN module) needs every size but the "
             "batch — give the model an input size (--input-size, or the recipe operation "
             "set_input_shape)";
  return "";
}

}  // namespace

const std::map<std::string, Emitter>& emitters() {
  static const std::map<std::string, Emitter> table = {
      {"InputLayer", {alias, refuseUnknownSize}},
      {"Conv2D", {conv2d}},
      {"DepthwiseConv2D", {depthwiseConv2d}},
      {"SeparableConv2D", {separableConv2d}},
      {"Conv2DTranspose", {conv2dTranspose, refuseDilatedTranspose}},
      {"Dense", {dense}},
      {"Dropout", {alias}},
      {"SpatialDropout2D", {alias}},
      {"GaussianNoise", {alias}},
      {"GaussianDropout", {alias}},
      {"StochasticDepth", {alias}},
      {"Rescaling", {rescaling, refusePerChannelRescalingOfOtherRanks}},
      {"AutoContrast", {autoContrast}},
      {"BatchNormalization", {batchNormalization}},
      {"LayerNormalization", {layerNormalization}},
      {"Normalization", {normalization, refusePositionalNormalization}},
      {"Activation", {activationLayer}},
      {"ReLU", {relu}},
      {"LeakyReLU", {leakyRelu}},
      {"ELU", {elu}},
      {"PReLU", {prelu, refusePositionalPRelu}},
      {"Softmax", {softmax}},
      {"MaxPooling2D", {maxPooling2d}},
      {"AveragePooling2D", {averagePooling2d}},
      {"GlobalAveragePooling2D", {globalAveragePooling2d}},
      {"GlobalMaxPooling2D", {globalMaxPooling2d}},
      {"Add", {add, refuseBroadcast}},
      {"Multiply", {multiply, refuseBroadcast}},
      {"Subtract", {subtract, refuseBroadcast}},
      {"Average", {average, refuseBroadcast}},
      {"Maximum", {maximum, refuseBroadcast}},
      {"Minimum", {minimum, refuseBroadcast}},
      {"Concatenate", {concatenate}},
      {"ZeroPadding2D", {zeroPadding2d}},
      {"Cropping2D", {cropping2d}},
      {"Flatten", {flatten}},
      {"Reshape", {reshape}},
      {"UpSampling2D", {upSampling2d}},
      {"Resizing", {imageResize}},
      {"CenterCrop", {imageResize}},
      {"RandomCrop", {alias}},  // read only where it returns its input (image_resize.cpp)
      {"Permute", {permute}},
      {"TFOpLambda", {tfOpLambda, refuseArrayConstant}},
      {"RepeatVector", {repeatVector}},
      {"CustomScaleLayer", {customScale, refuseBroadcast}},
      {"LayerScale", {layerScale}},
  };
  return table;
}

}  // namespace graft::exporting::onnx_export
