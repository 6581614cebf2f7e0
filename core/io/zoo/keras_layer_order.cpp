// Mirrors Keras's Network._init_graph_network / functional._map_graph_network: a depth-first
// walk from the outputs records the first-visit order of the layers; a layer's depth is the
// longest path from it to an output; model.layers sorts by depth (deepest first), then by the
// first-visit order. Each of our nodes is one Keras layer called once (one inbound node).
#include "io/zoo/keras_layer_order.h"

#include <algorithm>
#include <map>

namespace graft::zoo {
namespace {

struct Walk {
  const Graph& graph;
  std::map<std::string, size_t> firstVisit;  // layer -> index in the depth-first walk
  std::vector<std::string> finished;         // post-order: producers before their consumers

  void visit(const std::string& name) {
    if (firstVisit.count(name)) return;  // a layer is expanded once, like Keras's finished_nodes
    firstVisit.emplace(name, firstVisit.size());
    for (const auto& input : graph.at(name).inputs) visit(input);
    finished.push_back(name);
  }
};

}  // namespace

Graph inKerasLayerOrder(const Graph& graph) {
  Walk walk{graph, {}, {}};
  for (const auto& output : graph.outputs()) walk.visit(output);

  // Consumers come after producers in `finished`, so walking it backwards settles every
  // consumer's depth before its producers read it.
  std::map<std::string, int> depth;
  for (auto it = walk.finished.rbegin(); it != walk.finished.rend(); ++it) {
    const int d = depth[*it];  // 0 for an output nobody inside the model consumes
    for (const auto& input : graph.at(*it).inputs) depth[input] = std::max(depth[input], d + 1);
  }

  std::vector<std::string> order = walk.finished;
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    if (depth.at(a) != depth.at(b)) return depth.at(a) > depth.at(b);
    return walk.firstVisit.at(a) < walk.firstVisit.at(b);
  });

  std::vector<Node> nodes;
  nodes.reserve(graph.size());
  for (const auto& name : order) nodes.push_back(graph.at(name));
  for (const auto& node : graph.nodes())
    if (!walk.firstVisit.count(node.name)) nodes.push_back(node);
  return Graph(graph.name(), std::move(nodes), graph.outputs(), graph.groups());
}

}  // namespace graft::zoo
