#include "graph/graph.h"

#include <algorithm>
#include <map>
#include <set>

namespace graft {

std::string commonGroup(const std::string& a, const std::string& b) {
  size_t end = 0;  // length of the common prefix that ends at a component boundary
  for (size_t i = 0;; ++i) {
    const bool aEnds = i == a.size() || a[i] == '/';
    const bool bEnds = i == b.size() || b[i] == '/';
    if (aEnds && bEnds) end = i;
    if (i == a.size() || i == b.size() || a[i] != b[i]) break;
  }
  return a.substr(0, end);
}

bool groupWithin(const std::string& group, const std::string& ancestor) {
  if (ancestor.empty() || group == ancestor) return true;
  return group.size() > ancestor.size() && group.compare(0, ancestor.size(), ancestor) == 0 &&
         group[ancestor.size()] == '/';
}

Graph::Graph(std::string name, std::vector<Node> nodes, std::vector<std::string> outputs,
             std::vector<NodeGroup> groups)
    : name_(std::move(name)), nodes_(std::move(nodes)), outputs_(std::move(outputs)) {
  for (size_t i = 0; i < nodes_.size(); ++i) index_.emplace(nodes_[i].name, i);
  // Every group a node lies in (its path and each ancestor), in order of first appearance.
  std::map<std::string, std::string> described;
  for (auto& g : groups) described.emplace(g.path, g.className);
  std::set<std::string> seen;
  for (const auto& n : nodes_) {
    std::string path;
    size_t start = 0;
    while (!n.group.empty() && start <= n.group.size()) {
      const size_t slash = std::min(n.group.find('/', start), n.group.size());
      path = n.group.substr(0, slash);
      if (seen.insert(path).second) {
        auto it = described.find(path);
        groups_.push_back({path, it == described.end() ? "Functional" : it->second});
      }
      start = slash + 1;
    }
  }
  if (outputs_.empty()) {
    std::set<std::string> consumed;
    for (const auto& n : nodes_) consumed.insert(n.inputs.begin(), n.inputs.end());
    for (const auto& n : nodes_)
      if (!consumed.count(n.name)) outputs_.push_back(n.name);
  }
}

const NodeGroup* Graph::findGroup(const std::string& path) const {
  for (const auto& g : groups_)
    if (g.path == path) return &g;
  return nullptr;
}

std::vector<std::string> Graph::inputs() const {
  std::vector<std::string> result;
  for (const auto& n : nodes_)
    if (n.className == "InputLayer") result.push_back(n.name);
  return result;
}

const Node* Graph::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &nodes_[it->second];
}

const Node& Graph::at(const std::string& name) const {
  if (const Node* n = find(name)) return *n;
  throw Error(Diagnostic{name, "no layer of this name in model '" + name_ + "'"});
}

std::vector<std::string> Graph::consumers(const std::string& name) const {
  std::vector<std::string> result;
  for (const auto& n : nodes_)
    if (std::find(n.inputs.begin(), n.inputs.end(), name) != n.inputs.end())
      result.push_back(n.name);
  return result;
}

Diagnostics Graph::validate() const {
  Diagnostics problems;
  std::set<std::string> seen;
  for (const auto& n : nodes_) {
    if (n.name.empty()) problems.push_back({"", "a " + n.className + " layer has no name"});
    if (!seen.insert(n.name).second)
      problems.push_back({n.name, "duplicate layer name (names must be unique)"});
    for (const auto& in : n.inputs)
      if (!index_.count(in))
        problems.push_back({n.name, "input '" + in + "' is not a layer of this model"});
  }
  for (const auto& out : outputs_)
    if (!index_.count(out))
      problems.push_back({out, "declared as a model output but no layer has this name"});
  if (problems.empty()) {
    auto order = topologicalOrder();
    if (!order) return order.diagnostics();
  }
  return problems;
}

Expected<std::vector<size_t>> Graph::topologicalOrder() const {
  // Kahn's algorithm, taking ready nodes in node order so the result is stable.
  std::vector<int> pending(nodes_.size(), 0);
  std::vector<std::vector<size_t>> consumersOf(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (const auto& in : nodes_[i].inputs) {
      auto it = index_.find(in);
      if (it == index_.end())
        return Diagnostic{nodes_[i].name, "input '" + in + "' is not a layer of this model"};
      consumersOf[it->second].push_back(i);
      ++pending[i];
    }
  }
  std::set<size_t> ready;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (pending[i] == 0) ready.insert(i);
  std::vector<size_t> order;
  order.reserve(nodes_.size());
  while (!ready.empty()) {
    size_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (size_t c : consumersOf[i])
      if (--pending[c] == 0) ready.insert(c);
  }
  if (order.size() != nodes_.size()) {
    Diagnostics cycle;
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (pending[i] > 0)
        cycle.push_back({nodes_[i].name, "is part of a cycle (a layer feeds back into itself)"});
    return cycle;
  }
  return order;
}

}  // namespace graft
