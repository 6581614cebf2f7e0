#include "graph/surgery/fusable_chain.h"

#include <algorithm>
#include <optional>
#include <set>

#include "graph/layer_registry.h"

namespace graft {
namespace {

bool isLastAxis(const Json& axis) {
  if (axis.is_array()) return axis.size() == 1 && isLastAxis(axis[0]);
  return axis.is_number_integer() && (axis.get<int64_t>() == -1 || axis.get<int64_t>() == 3);
}

// What one output position computes from the same position alone (per channel or across the
// channels of that position), so that the convolution after it still sees a k x k window.
bool computesPerPosition(const Node& n) {
  const LayerType* type = LayerRegistry::standard().find(n.className);
  if (!type || type->minInputs != 1 || type->maxInputs != 1) return false;
  switch (type->category) {
    case LayerCategory::Activation:
      // A softmax over a spatial axis mixes a whole row or column, as a pooling does.
      return n.className != "Softmax" || isLastAxis(n.config.value("axis", Json(-1)));
    case LayerCategory::Regularization:  // the identity when the model computes (inference)
      return true;
    case LayerCategory::Normalization:
      if (n.className == "BatchNormalization" || n.className == "LayerScale") return true;
      return n.className == "LayerNormalization" && isLastAxis(n.config.value("axis", Json(-1)));
    default:
      return false;
  }
}

bool isOutput(const Model& model, const std::string& name) {
  const auto& outputs = model.graph.outputs();
  return std::find(outputs.begin(), outputs.end(), name) != outputs.end();
}

}  // namespace

std::optional<ConvolutionPair> convolutionPairNamed(const Model& model, const Json& layers) {
  if (!layers.is_array() || layers.size() < 2) return std::nullopt;
  std::vector<std::string> convolutions;
  for (const Json& name : layers) {
    if (!name.is_string()) return std::nullopt;
    const Node* n = model.graph.find(name.get<std::string>());
    if (!n) return std::nullopt;
    if (n->className == "Conv2D") convolutions.push_back(n->name);
  }
  if (convolutions.size() != 2) return std::nullopt;
  // Topological order (the user may have picked the second first): the first is an ancestor.
  const auto order = model.graph.topologicalOrder();
  if (order) {
    const auto position = [&](const std::string& name) {
      for (size_t i = 0; i < order->size(); ++i)
        if (model.graph.nodes()[(*order)[i]].name == name) return i;
      return order->size();
    };
    if (position(convolutions[0]) > position(convolutions[1]))
      std::swap(convolutions[0], convolutions[1]);
  }
  return ConvolutionPair{convolutions[0], convolutions[1]};
}

std::vector<std::string> chainBetween(const Model& model, const std::string& first,
                                      const std::string& second) {
  std::vector<std::string> chain{second};
  std::set<std::string> seen{second};
  const Node* at = &model.graph.at(second);
  while (true) {
    if (at->inputs.size() != 1)
      throw Error(Diagnostic{at->name, "reads " + std::to_string(at->inputs.size()) +
                                           " layers; only a single path from '" + first +
                                           "' can be merged into one convolution"});
    const std::string& previous = at->inputs[0];
    if (previous == first) break;
    const Node* before = model.graph.find(previous);
    if (!before || before->className == "InputLayer" || !seen.insert(previous).second)
      throw Error(Diagnostic{second, "is not reached from '" + first +
                                         "' through layers that compute position by position"});
    if (!computesPerPosition(*before))
      throw Error(Diagnostic{
          previous, "is a " + before->className + " between '" + first + "' and '" + second +
                        "'; only activations, normalizations and dropouts between two "
                        "convolutions can be merged into one"});
    chain.push_back(previous);
    at = before;
  }
  chain.push_back(first);
  std::reverse(chain.begin(), chain.end());
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    for (const auto& c : model.graph.consumers(chain[i]))
      if (c != chain[i + 1])
        throw Error(Diagnostic{chain[i], "also feeds '" + c + "'; it cannot be merged away"});
    if (isOutput(model, chain[i]))
      throw Error(Diagnostic{chain[i], "is a model output; it cannot be merged away"});
  }
  return chain;
}

namespace {

std::pair<int64_t, int64_t> pairOf(const Node& n, const char* key) {
  return {n.config.at(key)[0].get<int64_t>(), n.config.at(key)[1].get<int64_t>()};
}

}  // namespace

std::vector<std::string> fusableChain(const Model& model, const std::string& first,
                                      const std::string& second) {
  const Node& a = model.graph.at(first);
  const Node& b = model.graph.at(second);
  for (const Node* n : {&a, &b}) {
    if (n->className != "Conv2D")
      throw Error(Diagnostic{n->name, "is a " + n->className +
                                          "; only two Conv2D layers can be "
                                          "fused approximately"});
    if (n->config.at("groups").get<int64_t>() != 1 ||
        pairOf(*n, "strides") != std::pair<int64_t, int64_t>{1, 1} ||
        pairOf(*n, "dilation_rate") != std::pair<int64_t, int64_t>{1, 1})
      throw Error(Diagnostic{n->name, "needs stride 1, no dilation and groups=1 to be merged"});
  }
  if (a.inputs.size() != 1) throw Error(Diagnostic{a.name, "must have exactly one input"});
  // A 1x1 convolution (stride 1, checked above) pads nothing either way: 'valid' is 'same'.
  const std::pair<int64_t, int64_t> one{1, 1};
  const std::string pa = pairOf(a, "kernel_size") == one
                             ? b.config.at("padding").get<std::string>()
                             : a.config.at("padding").get<std::string>();
  const std::string pb =
      pairOf(b, "kernel_size") == one ? pa : b.config.at("padding").get<std::string>();
  if (pa != pb)
    throw Error(Diagnostic{b.name, "pads '" + pb + "' but '" + a.name + "' pads '" + pa +
                                       "'; merging needs the same padding on both"});
  auto [k1h, k1w] = pairOf(a, "kernel_size");
  auto [k2h, k2w] = pairOf(b, "kernel_size");
  if (pa == "same" && (k1h % 2 == 0 || k1w % 2 == 0 || k2h % 2 == 0 || k2w % 2 == 0))
    throw Error(Diagnostic{b.name, "'same' padding with an even kernel cannot be merged"});
  return chainBetween(model, first, second);
}

std::optional<Diagnostics> leastSquaresRefusal(const Model& model, const Json& layers) {
  const std::optional<ConvolutionPair> pair = convolutionPairNamed(model, layers);
  if (!pair)
    return Diagnostics{{"layers",
                        "the least-squares fusion merges two Conv2D layers and what lies "
                        "between them, e.g. [\"conv_a\", \"conv_b\"]"}};
  std::vector<std::string> chain;
  try {
    chain = fusableChain(model, pair->first, pair->second);
  } catch (const Error& e) {
    if (!e.diagnostics().empty()) return e.diagnostics();
    return Diagnostics{{pair->second, e.what()}};
  }
  if (layers.size() > 2) {
    // The whole chain named: it must be the one the fit replaces, not a part of it.
    std::set<std::string> listed;
    for (const Json& name : layers) listed.insert(name.get<std::string>());
    if (listed != std::set<std::string>(chain.begin(), chain.end()))
      return Diagnostics{{"layers", "name the two convolutions, or all " +
                                        std::to_string(chain.size()) + " layers from '" +
                                        pair->first + "' to '" + pair->second + "'"}};
  }
  return std::nullopt;
}

}  // namespace graft
