#include "graph/nested_model.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

namespace graft {

const NodeGroup* findNestedModel(const Graph& graph, const std::string& name) {
  if (const NodeGroup* exact = graph.findGroup(name)) return exact;
  const NodeGroup* found = nullptr;
  for (const NodeGroup& group : graph.groups()) {
    if (group.name() != name) continue;
    if (found) return nullptr;  // two nested models of this name: only the path tells them apart
    found = &group;
  }
  return found;
}

std::string nestedModelOutput(const Graph& graph, const std::string& path) {
  // What is read from outside the group: one pass over the graph, not one per member (a nested
  // EfficientNet has 800 layers, and the summary asks on every edit).
  std::unordered_set<std::string> readOutside(graph.outputs().begin(), graph.outputs().end());
  for (const Node& node : graph.nodes())
    if (!groupWithin(node.group, path)) readOutside.insert(node.inputs.begin(), node.inputs.end());
  const auto order = graph.topologicalOrder();
  std::vector<size_t> indices;
  if (order) {
    indices = order.value();
  } else {
    for (size_t i = 0; i < graph.size(); ++i) indices.push_back(i);
  }
  std::string output;
  for (size_t i : indices) {
    const Node& node = graph.nodes()[i];
    if (!groupWithin(node.group, path)) continue;
    if (readOutside.count(node.name) || output.empty()) output = node.name;
  }
  return output;
}

std::optional<std::string> nestedModelNotALayer(const Graph& graph, const std::string& name) {
  if (graph.find(name)) return std::nullopt;
  const NodeGroup* group = findNestedModel(graph, name);
  if (!group) {
    std::string paths;
    size_t count = 0;
    for (const NodeGroup& candidate : graph.groups())
      if (candidate.name() == name) {
        paths += (paths.empty() ? "" : ", ") + candidate.path;
        ++count;
      }
    if (count < 2) return std::nullopt;
    return "names " + std::to_string(count) + " nested models (" + paths +
           "), not a layer: name the output layer of the one meant";
  }
  size_t layers = 0;
  for (const Node& node : graph.nodes()) layers += groupWithin(node.group, group->path) ? 1 : 0;
  return "is a nested model (" + group->className + ") of " + std::to_string(layers) +
         (layers == 1 ? " layer" : " layers") + ", not a layer: name its output layer '" +
         nestedModelOutput(graph, group->path) + "'";
}

}  // namespace graft
