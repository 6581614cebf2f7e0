#include "graph/cut_candidates.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "graph/diagnostic.h"

namespace graft {

namespace {

bool isActivation(const std::string& c) {
  return c == "Activation" || c == "ReLU" || c == "LeakyReLU" || c == "ELU" || c == "PReLU";
}
bool isPool(const std::string& c) {
  return c == "MaxPooling2D" || c == "AveragePooling2D";
}
// Where a new convolution unit begins (its padding included).
bool startsConvolution(const std::string& c) {
  return c == "Conv2D" || c == "DepthwiseConv2D" || c == "SeparableConv2D" || c == "ZeroPadding2D";
}
// Joins branches: a residual Add, a Concatenate, InceptionResNet's scaled sum. Multiply is left
// out: inside a block it gates (squeeze-and-excitation, hard-swish), it does not end one.
bool isMerge(const Node& n) {
  const std::set<std::string> distinct(n.inputs.begin(), n.inputs.end());
  return distinct.size() >= 2 && n.className != "Multiply";
}

bool isPointwiseConv(const Node& n) {
  if (n.className != "Conv2D") return false;
  const auto it = n.config.find("kernel_size");
  if (it == n.config.end()) return false;
  if (it->is_number_integer()) return it->get<int64_t>() == 1;
  return it->is_array() && std::all_of(it->begin(), it->end(), [](const Json& k) {
           return k.is_number_integer() && k.get<int64_t>() == 1;
         });
}

// The last layer of a 1x1 convolution [-> BatchNormalization] [-> activation] unit.
bool endsPointwiseUnit(const Graph& graph, const Node& node) {
  const Node* n = &node;
  if (isActivation(n->className) && n->inputs.size() == 1) n = &graph.at(n->inputs[0]);
  if (n->className == "BatchNormalization" && n->inputs.size() == 1) n = &graph.at(n->inputs[0]);
  return isPointwiseConv(*n);
}

// The input's name and the set of layers the output depends on (the output included).
std::unordered_set<std::string> ancestorsOf(const Graph& graph, const std::string& layer) {
  std::unordered_set<std::string> seen{layer};
  std::vector<std::string> stack{layer};
  while (!stack.empty()) {
    const Node& n = graph.at(stack.back());
    stack.pop_back();
    for (const auto& in : n.inputs)
      if (seen.insert(in).second) stack.push_back(in);
  }
  return seen;
}

// `count` of `items` spread evenly, first and last included.
std::vector<size_t> spread(size_t items, size_t count) {
  std::vector<size_t> picked;
  if (count == 0 || items == 0) return picked;
  if (count >= items) {
    for (size_t i = 0; i < items; ++i) picked.push_back(i);
    return picked;
  }
  if (count == 1) return {items - 1};
  for (size_t i = 0; i < count; ++i) {
    const size_t at = (i * (items - 1) + (count - 1) / 2) / (count - 1);
    if (picked.empty() || picked.back() != at) picked.push_back(at);
  }
  return picked;
}

}  // namespace

std::vector<std::string> cutVertices(const Graph& graph) {
  const auto inputs = graph.inputs();
  if (inputs.size() != 1 || graph.outputs().size() != 1)
    throw Error("cut points need a model with one input and one output (this one has " +
                std::to_string(inputs.size()) + " and " + std::to_string(graph.outputs().size()) +
                ")");
  const auto order = graph.topologicalOrder();
  if (!order) throw Error(order.diagnostics());
  const auto needed = ancestorsOf(graph, graph.outputs()[0]);

  // Positions in a topological order of the layers the output needs. A layer at position i is
  // on every path exactly when no edge jumps over it: every edge from a layer before i ends at
  // or before i. (Its ancestors all come before it and its descendants after it in any order;
  // a path avoiding it would have to cross position i by one edge.)
  std::vector<const Node*> nodes;
  std::unordered_map<std::string, size_t> position;
  for (size_t index : order.value()) {
    const Node& n = graph.nodes()[index];
    if (!needed.count(n.name)) continue;
    position[n.name] = nodes.size();
    nodes.push_back(&n);
  }
  std::vector<size_t> reach(nodes.size(), 0);  // the furthest consumer of each position
  for (size_t i = 0; i < nodes.size(); ++i) {
    reach[i] = i;
    for (const auto& consumer : graph.consumers(nodes[i]->name)) {
      const auto it = position.find(consumer);
      if (it != position.end()) reach[i] = std::max(reach[i], it->second);
    }
  }
  std::vector<std::string> cut;
  size_t furthest = 0;  // max reach over positions before i
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0 && furthest <= i && nodes[i]->name != inputs[0]) cut.push_back(nodes[i]->name);
    furthest = std::max(furthest, reach[i]);
  }
  return cut;
}

std::vector<std::string> cutCandidates(const Graph& graph, size_t limit) {
  const auto vertices = cutVertices(graph);
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  const std::unordered_set<std::string> isCut(vertices.begin(), vertices.end());
  auto spatial = [&](const std::string& name) {
    const NodeInfo* info = analysis.find(name);
    return info && info->outputShape.size() == 4;
  };
  std::string lastSpatial;

  // Each candidate with its rank for keeping: 0 for pools and the last block before the
  // resolution (or, with an open input size, the width) changes: where stages end; 1 for other
  // merges; 2 for the rest.
  std::vector<std::pair<std::string, int>> found;
  for (const auto& name : vertices) {
    const Node& n = graph.at(name);
    // The spatial part ends at the first global pooling, Flatten or vector: the top follows.
    if (!spatial(name) || n.className.rfind("Global", 0) == 0 || n.className == "Flatten") break;
    const auto consumers = graph.consumers(name);
    if (isPool(n.className)) {
      found.emplace_back(name, 0);
    } else if (isMerge(n)) {
      // ResNet's block ends in Add -> ReLU: the block's output is the activation.
      const bool activated = consumers.size() == 1 &&
                             isActivation(graph.at(consumers[0]).className) &&
                             isCut.count(consumers[0]) != 0;
      if (!activated) found.emplace_back(name, 1);
    } else if (isActivation(n.className) && n.inputs.size() == 1 &&
               isMerge(graph.at(n.inputs[0])) && isCut.count(n.inputs[0]) != 0) {
      found.emplace_back(name, 1);
    } else if (endsPointwiseUnit(graph, n) && !consumers.empty() &&
               std::all_of(consumers.begin(), consumers.end(), [&](const std::string& c) {
                 return startsConvolution(graph.at(c).className);
               })) {
      found.emplace_back(name, 2);
    }
    lastSpatial = name;
  }
  if (!lastSpatial.empty() && (found.empty() || found.back().first != lastSpatial))
    found.emplace_back(lastSpatial, 0);
  for (size_t i = 0; i + 1 < found.size(); ++i) {
    const Shape& here = analysis.find(found[i].first)->outputShape;
    const Shape& next = analysis.find(found[i + 1].first)->outputShape;
    const bool known =
        here[1] != kUnknown && here[2] != kUnknown && next[1] != kUnknown && next[2] != kUnknown;
    const bool changes = known ? (here[1] != next[1] || here[2] != next[2]) : here[3] != next[3];
    if (changes) found[i].second = 0;
  }
  if (found.size() <= limit) {
    std::vector<std::string> names;
    for (const auto& f : found) names.push_back(f.first);
    return names;
  }

  // Too many: the last map, then each rank in turn, spread over depth.
  std::vector<bool> keep(found.size(), false);
  keep.back() = true;
  size_t left = limit > 0 ? limit - 1 : 0;
  for (int rank = 0; rank <= 2 && left > 0; ++rank) {
    std::vector<size_t> group;
    for (size_t i = 0; i + 1 < found.size(); ++i)
      if (found[i].second == rank) group.push_back(i);
    for (size_t at : spread(group.size(), std::min(left, group.size()))) keep[group[at]] = true;
    left -= std::min(left, group.size());
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < found.size(); ++i)
    if (keep[i]) names.push_back(found[i].first);
  return names;
}

int64_t prefixParameters(const Graph& graph, const GraphAnalysis& analysis,
                         const std::string& layer) {
  int64_t total = 0;
  for (const auto& name : ancestorsOf(graph, layer)) {
    const NodeInfo* info = analysis.find(name);
    if (info) total += info->params;
  }
  return total;
}

}  // namespace graft
