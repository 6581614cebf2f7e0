#include "graph/nested_model.h"

#include <algorithm>

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
  const auto order = graph.topologicalOrder();
  std::vector<size_t> indices;
  if (order) {
    indices = order.value();
  } else {
    for (size_t i = 0; i < graph.size(); ++i) indices.push_back(i);
  }
  const std::vector<std::string>& outputs = graph.outputs();
  std::string output;
  for (size_t i : indices) {
    const Node& node = graph.nodes()[i];
    if (!groupWithin(node.group, path)) continue;
    bool readOutside = std::find(outputs.begin(), outputs.end(), node.name) != outputs.end();
    for (const auto& consumer : graph.consumers(node.name))
      readOutside = readOutside || !groupWithin(graph.at(consumer).group, path);
    if (readOutside || output.empty()) output = node.name;
  }
  return output;
}

std::optional<std::string> nestedModelNotALayer(const Graph& graph, const std::string& name) {
  if (graph.find(name)) return std::nullopt;
  const NodeGroup* group = findNestedModel(graph, name);
  if (!group) return std::nullopt;
  size_t layers = 0;
  for (const Node& node : graph.nodes()) layers += groupWithin(node.group, group->path) ? 1 : 0;
  return "is a nested model (" + group->className + ") of " + std::to_string(layers) +
         " layers, not a layer: name its output layer '" + nestedModelOutput(graph, group->path) +
         "'";
}

}  // namespace graft
