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

struct Walk {
  const Graph& graph;
  const std::function<bool(const Node&)>& hasWeights;
  const Keras3Naming& naming;
  const std::vector<LeftOutModel>& leftOut;
  std::vector<Keras3Entry> out;

  void container(const std::string& group, const std::string& prefix) {
    std::map<std::string, int> used;
    // The member's group name, counted as Keras counts it in this container.
    const auto number = [&](const std::string& className, bool weighted) {
      std::string name = kerasSnakeCase(className);
      auto [it, first] = used.emplace(name, 0);
      if (!first) name += "_" + std::to_string(++it->second);
      if (naming.twoNamesPerWeightedLayer && weighted) ++it->second;
      return prefix + naming.separator + name;
    };
    for (Keras3Entry entry : membersOf(graph, group)) {
      for (const auto& model : leftOut)
        if (model.container == group &&
            model.before == (entry.node ? entry.node->name : entry.group->path))
          number(model.className, true);
      entry.path = number(entry.node ? entry.node->className : entry.group->className,
                          entry.group || hasWeights(*entry.node));
      out.push_back(entry);
      if (entry.group)
        container(entry.group->path, entry.path + naming.separator + naming.container);
    }
  }
};

}  // namespace

std::vector<Keras3Entry> keras3Layout(const Graph& graph,
                                      const std::function<bool(const Node&)>& hasWeights,
                                      const Keras3Naming& naming,
                                      const std::vector<LeftOutModel>& leftOut) {
  Walk walk{graph, hasWeights, naming, leftOut, {}};
  walk.container("", naming.container);
  return std::move(walk.out);
}

}  // namespace graft
