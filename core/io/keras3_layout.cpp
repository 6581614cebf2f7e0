#include "io/keras3_layout.h"

#include <algorithm>
#include <map>
#include <set>

namespace graft {

namespace {

// The members of one model (a nested model's path, or "" for the whole model), in its order:
// its own layers and, where their first layer appears, the nested models directly inside it.
std::vector<Keras3Entry> membersOf(const Graph& graph, const std::string& group) {
  std::vector<Keras3Entry> members;
  std::set<std::string> seen;
  for (const auto& node : graph.nodes()) {
    if (node.group == group) {
      members.push_back({&node, nullptr, {}});
    } else if (groupWithin(node.group, group)) {
      const size_t start = group.empty() ? 0 : group.size() + 1;
      const std::string child = node.group.substr(0, node.group.find('/', start));
      if (seen.insert(child).second)
        if (const NodeGroup* g = graph.findGroup(child)) members.push_back({nullptr, g, {}});
    }
  }
  return members;
}

void walk(const Graph& graph, const std::string& group, const std::string& prefix,
          const std::function<bool(const Node&)>& hasWeights, const Keras3Naming& naming,
          std::vector<Keras3Entry>& out) {
  std::map<std::string, int> used;
  for (Keras3Entry entry : membersOf(graph, group)) {
    std::string name = kerasSnakeCase(entry.node ? entry.node->className : entry.group->className);
    auto [it, first] = used.emplace(name, 0);
    if (!first) name += "_" + std::to_string(++it->second);
    entry.path = prefix + naming.separator + name;
    const bool weighted = entry.group || hasWeights(*entry.node);
    if (naming.twoNamesPerWeightedLayer && weighted) ++it->second;
    out.push_back(entry);
    if (entry.group)
      walk(graph, entry.group->path, entry.path + naming.separator + naming.container, hasWeights,
           naming, out);
  }
}

}  // namespace

std::vector<Keras3Entry> keras3Layout(const Graph& graph,
                                      const std::function<bool(const Node&)>& hasWeights,
                                      const Keras3Naming& naming) {
  std::vector<Keras3Entry> out;
  walk(graph, "", naming.container, hasWeights, naming, out);
  return out;
}

}  // namespace graft
