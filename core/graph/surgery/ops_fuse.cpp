// fuse: fold a BatchNormalization into the Conv2D / DepthwiseConv2D / SeparableConv2D / Dense
// before it, merge Dense -> Dense, and merge Conv2D -> Conv2D (a 1x1 after any conv, or two
// stacked k x k convs into one larger kernel). The first layer survives under its name with the
// combined weights; the second disappears. Only compositions that are exact (up to float
// rounding) are done here; the approximate least-squares fusion with a nonlinearity between
// needs sample activations from the LibTorch runtime and is not offered by the core.
#include <algorithm>

#include "graph/layer_helpers.h"
#include "graph/surgery/draft.h"
#include "graph/surgery/fusable_chain.h"
#include "graph/surgery/fuse_samples_hint.h"
#include "graph/surgery/fusion_math.h"

namespace graft::surgery {
namespace {

// The layer's stored tensors by Keras weight name, checked against its current specs.
struct NamedWeights {
  std::vector<std::string> names;
  std::vector<WeightTensor> tensors;
  const WeightTensor* get(const std::string& name) const {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return &tensors[i];
    return nullptr;
  }
};

NamedWeights weightsOf(const Draft& d, const GraphAnalysis& analysis, const std::string& layer) {
  const NodeInfo* info = analysis.find(layer);
  const auto* stored = d.weights.find(layer);
  if (!info) throw Error(Diagnostic{layer, "its shapes cannot be inferred"});
  NamedWeights w;
  if (info->weights.empty()) return w;
  if (!stored || stored->size() != info->weights.size())
    throw Error(Diagnostic{layer, "its weights do not fit the layer, so they cannot be fused"});
  for (size_t i = 0; i < stored->size(); ++i) {
    if ((*stored)[i].shape != info->weights[i].shape)
      throw Error(Diagnostic{layer, "weight '" + info->weights[i].name +
                                        "' does not fit the "
                                        "layer, so it cannot be fused"});
    w.names.push_back(info->weights[i].name);
    w.tensors.push_back((*stored)[i]);
  }
  return w;
}

bool isLinear(const Node& n) {
  return n.config.value("activation", "linear") == "linear";
}

// Where the exact fusion of two convolutions stops, the least-squares one can go on.
const std::string kLeastSquaresHint = std::string(" (with sample images — ") + kSamplesFromEdit +
                                      " — one convolution is fitted to the pair by least "
                                      "squares instead)";

void requireLinear(const Node& a, const Node& b) {
  if (isLinear(a)) return;
  std::string message = "has activation '" + a.config.at("activation").get<std::string>() +
                        "' before '" + b.name +
                        "'; fusing is exact only when nothing nonlinear "
                        "sits between the two layers";
  if (b.className == a.className && a.className == "Conv2D") message += kLeastSquaresHint;
  throw Error(Diagnostic{a.name, message});
}

WeightTensor reshaped(const WeightTensor& t, Shape shape) {
  return {std::move(shape), t.data};
}

void foldBatchNorm(Draft& d, const GraphAnalysis& analysis, Node& a, const Node& bn) {
  requireLinear(a, bn);
  const NamedWeights conv = weightsOf(d, analysis, a.name);
  const NamedWeights norm = weightsOf(d, analysis, bn.name);
  const fusion::ChannelAffine affine =
      fusion::batchNormAffine(norm.get("gamma"), norm.get("beta"), *norm.get("moving_mean"),
                              *norm.get("moving_variance"), bn.config.at("epsilon").get<double>());
  const std::string kernelName = a.className == "Conv2D" || a.className == "Dense" ? "kernel"
                                 : a.className == "DepthwiseConv2D" ? "depthwise_kernel"
                                                                    : "pointwise_kernel";
  const WeightTensor* kernel = conv.get(kernelName);
  const int64_t channels = analysis.find(a.name)->outputShape.back();
  if (static_cast<int64_t>(affine.scale.size()) != channels)
    throw Error(Diagnostic{bn.name, "normalizes " + std::to_string(affine.scale.size()) +
                                        " channels but '" + a.name + "' outputs " +
                                        std::to_string(channels)});
  fusion::KernelAndBias folded = fusion::foldAffine(*kernel, conv.get("bias"), affine);
  std::vector<WeightTensor> result;
  if (a.className == "SeparableConv2D") result.push_back(*conv.get("depthwise_kernel"));
  result.push_back(folded.kernel);
  result.push_back(folded.bias);
  a.config["use_bias"] = true;
  d.weights.set(a.name, std::move(result));
  d.notes.push_back("folded " + bn.name + " into " + a.name + " (exact in inference mode)");
}

void mergeDense(Draft& d, const GraphAnalysis& analysis, Node& a, const Node& b) {
  requireLinear(a, b);
  const NamedWeights first = weightsOf(d, analysis, a.name);
  const NamedWeights second = weightsOf(d, analysis, b.name);
  const WeightTensor& k1 = *first.get("kernel");
  const WeightTensor& k2 = *second.get("kernel");
  fusion::KernelAndBias merged = fusion::composeConvolutions(
      reshaped(k1, {1, 1, k1.shape[0], k1.shape[1]}), first.get("bias"),
      reshaped(k2, {1, 1, k2.shape[0], k2.shape[1]}), second.get("bias"));
  const bool bias = first.get("bias") || second.get("bias");
  a.config["units"] = b.config.at("units");
  a.config["activation"] = b.config.at("activation");
  a.config["use_bias"] = bias;
  // push_back rather than a braced list: GCC 12 warns falsely (array-bounds) on the latter.
  std::vector<WeightTensor> result;
  result.push_back(reshaped(merged.kernel, {k1.shape[0], k2.shape[1]}));
  if (bias) result.push_back(merged.bias);
  d.weights.set(a.name, std::move(result));
  d.notes.push_back("merged " + b.name + " into " + a.name + " (exact: W = W1 W2)");
}

void mergeConvolutions(Draft& d, const GraphAnalysis& analysis, Node& a, const Node& b) {
  requireLinear(a, b);
  auto one = [](const Node& n, const char* key) {
    auto [y, x] = layers::intPair(n.config, key);
    return y == 1 && x == 1;
  };
  for (const Node* n : {static_cast<const Node*>(&a), &b})
    if (n->config.at("groups").get<int64_t>() != 1)
      throw Error(Diagnostic{n->name, "is a grouped convolution; only groups=1 can be merged"});
  if (!one(b, "strides") || !one(b, "dilation_rate"))
    throw Error(Diagnostic{b.name,
                           "has strides or dilation_rate other than 1; only a stride-1, "
                           "undilated convolution can be merged into the one before it"});
  auto [k2h, k2w] = layers::intPair(b.config, "kernel_size");
  auto [k1h, k1w] = layers::intPair(a.config, "kernel_size");
  const bool pointwise = k2h == 1 && k2w == 1;
  const std::string pa = a.config.at("padding"), pb = b.config.at("padding");
  std::string padding = pa;
  std::string note = "exact";
  if (!pointwise) {
    if (!one(a, "strides") || !one(a, "dilation_rate"))
      throw Error(Diagnostic{a.name,
                             "has strides or dilation_rate other than 1; two k x k "
                             "convolutions merge only when both have stride 1"});
    // A 1x1 stride-1 convolution pads nothing either way: its 'valid' is 'same' (ResNet's
    // bottleneck 1x1 convolutions keep Keras's default 'valid' before a 'same' 3x3).
    if (k1h == 1 && k1w == 1) padding = pb;
    if (padding != pb)
      throw Error(Diagnostic{b.name, "pads '" + pb + "' but '" + a.name + "' pads '" + pa +
                                         "'; merging needs the same padding on both"});
    // A 1x1 without a bias maps the padded zeros to zeros: nothing differs at the border.
    const bool zeroBorder = k1h == 1 && k1w == 1 && !a.config.value("use_bias", true);
    if (padding == "same") {
      if (k1h % 2 == 0 || k1w % 2 == 0 || k2h % 2 == 0 || k2w % 2 == 0)
        throw Error(Diagnostic{b.name,
                               "'same' padding with an even kernel pads asymmetrically; "
                               "such convolutions cannot be merged"});
    }
    if (padding == "same" && !zeroBorder) {
      // Keras zero-pads the intermediate map for the second conv; the merged kernel sees the
      // first conv's values there instead, so only the outer ring differs.
      note = "exact except on the outer " + std::to_string(std::max(k2h, k2w) / 2) +
             "-pixel border of the output, where Keras zero-pads the intermediate map";
    }
  }
  const NamedWeights first = weightsOf(d, analysis, a.name);
  const NamedWeights second = weightsOf(d, analysis, b.name);
  fusion::KernelAndBias merged = fusion::composeConvolutions(
      *first.get("kernel"), first.get("bias"), *second.get("kernel"), second.get("bias"));
  const bool bias = first.get("bias") || second.get("bias");
  a.config["filters"] = b.config.at("filters");
  a.config["kernel_size"] = {k1h + k2h - 1, k1w + k2w - 1};
  a.config["padding"] = padding;
  a.config["activation"] = b.config.at("activation");
  a.config["use_bias"] = bias;
  std::vector<WeightTensor> result;
  result.push_back(merged.kernel);
  if (bias) result.push_back(merged.bias);
  d.weights.set(a.name, std::move(result));
  d.notes.push_back("merged " + b.name + " into " + a.name + " as one " +
                    std::to_string(k1h + k2h - 1) + "x" + std::to_string(k1w + k2w - 1) +
                    " convolution (" + note + ")");
}

// Folds `second` into `first`; `first` keeps its name.
void fusePair(Draft& d, const std::string& first, const std::string& second) {
  const Node& b = d.node(second);
  if (b.inputs != std::vector<std::string>{first})
    throw Error(Diagnostic{second, "does not read '" + first +
                                       "' (alone) directly; only a layer "
                                       "right after another can be fused into it"});
  const auto consumers = d.consumersOf(first);
  for (const auto& c : consumers)
    if (c != second)
      throw Error(Diagnostic{first, "also feeds '" + c + "'; fusing '" + second +
                                        "' into it would change what '" + c + "' receives"});
  if (d.isOutput(first))
    throw Error(Diagnostic{
        first, "is a model output; fusing '" + second + "' into it would change that output"});
  const Graph probe(d.original().graph.name(), d.nodes, d.outputs);
  const GraphAnalysis analysis = analyze(probe);
  if (!analysis.ok()) throw Error(analysis.diagnostics);

  Node& a = d.node(first);
  const Node bCopy = b;
  const std::string& ca = a.className;
  const std::string& cb = bCopy.className;
  if (cb == "BatchNormalization" &&
      (ca == "Conv2D" || ca == "DepthwiseConv2D" || ca == "SeparableConv2D" || ca == "Dense"))
    foldBatchNorm(d, analysis, a, bCopy);
  else if (ca == "Dense" && cb == "Dense")
    mergeDense(d, analysis, a, bCopy);
  else if (ca == "Conv2D" && cb == "Conv2D")
    mergeConvolutions(d, analysis, a, bCopy);
  else
    throw Error(Diagnostic{second, "cannot fuse a " + cb + " into a " + ca +
                                       "; Graft fuses BatchNormalization into Conv2D, "
                                       "DepthwiseConv2D, SeparableConv2D or Dense, Dense into "
                                       "Dense, and Conv2D into Conv2D"});
  d.redirect(second, first, first);
  d.erase({second});
}

}  // namespace

void fuseOperation(Draft& d) {
  if (d.has("method")) {
    const Json& method = d.operation().at("method");
    if (method == "least_squares")
      throw Error(Diagnostic{"method",
                             "the least-squares fusion fits the merged kernel to sample "
                             "activations: give sample images (" +
                                 std::string(kSamplesToReplay) + ") to replay it"});
    if (method != "exact")
      throw Error(
          Diagnostic{"method", "must be \"exact\" or \"least_squares\", got " + method.dump()});
  }
  const auto layers = d.nameList("layers");
  if (layers.size() < 2)
    throw Error(Diagnostic{"layers",
                           "name at least two consecutive layers, e.g. [\"conv1\", "
                           "\"conv1_bn\"]"});
  try {
    for (size_t i = 1; i < layers.size(); ++i) fusePair(d, layers[0], layers[i]);
  } catch (const Error& e) {
    // Two convolutions with layers between them (["conv_a", "conv_b"] around a ReLU layer, or
    // the whole chain): what least squares merges.
    Diagnostics problems = e.diagnostics();
    if (problems.empty()) throw;
    // Only where least squares could merge them (not across a pooling, not at stride 2).
    if (!leastSquaresRefusal(d.original(), d.operation().at("layers")) &&
        problems.back().message.find("--samples") == std::string::npos)
      problems.back().message += kLeastSquaresHint;
    throw Error(problems);
  }
}

}  // namespace graft::surgery
