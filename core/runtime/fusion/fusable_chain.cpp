#include "runtime/fusion/fusable_chain.h"

#include <algorithm>
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
  // Graph order (the user may have picked the second first): the first is an ancestor.
  const auto& nodes = model.graph.nodes();
  const auto position = [&](const std::string& name) {
    return std::find_if(nodes.begin(), nodes.end(), [&](const Node& n) { return n.name == name; }) -
           nodes.begin();
  };
  if (position(convolutions[0]) > position(convolutions[1]))
    std::swap(convolutions[0], convolutions[1]);
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

}  // namespace graft
