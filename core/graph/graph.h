#pragma once
// The model as a value: Keras layers (nodes) wired by name. A Graph never changes after it is
// built; edits construct a new Graph (see surgery), so undo can keep whole snapshots.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/diagnostic.h"

namespace graft {

using Json = nlohmann::ordered_json;

struct Node {
  std::string name;                 // Keras layer name, unique in a graph
  std::string className;            // Keras class name: "Conv2D", "BatchNormalization", ...
  Json config = Json::object();     // Keras get_config() keys except `name` and `trainable`
  std::vector<std::string> inputs;  // producers of the inbound tensors, in Keras's order
  bool trainable = true;
  // The nested Keras models (a Sequential or Functional used as a layer) this layer sits in,
  // outermost first, joined by '/': "sequential_1/model1". Empty for a top-level layer. The
  // graph itself is flat, so surgery, training and export see one list of layers; the group
  // keeps the user's structure for the summary, the graph view and Keras's weight layouts.
  std::string group;

  bool operator==(const Node& o) const {
    return name == o.name && className == o.className && config == o.config && inputs == o.inputs &&
           trainable == o.trainable && group == o.group;
  }
};

// A nested model: its path (as in Node::group) and its Keras class ("Sequential", "Functional").
struct NodeGroup {
  std::string path;
  std::string className;

  std::string name() const { return path.substr(path.rfind('/') + 1); }
  std::string parent() const {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
  }
  bool operator==(const NodeGroup& o) const { return path == o.path && className == o.className; }
};

// A nested model Keras counts among its container's members that the graph leaves out because it
// computes nothing at inference (it holds only augmentation layers, graph/keras_json.h). Keras 3
// names weight groups by class and a counter per container, so it still takes a number there.
struct LeftOutModel {
  std::string container;  // the group it sat in, "" for the outer model
  std::string className;  // "Sequential" or "Functional"
  std::string before;     // the kept member after it: a layer name or a group path; "" the end

  bool operator==(const LeftOutModel& o) const {
    return container == o.container && className == o.className && before == o.before;
  }
};

// The innermost group containing both (the longest common prefix of whole path components).
std::string commonGroup(const std::string& a, const std::string& b);
// True when `group` is `ancestor` or lies inside it ("" contains every group).
bool groupWithin(const std::string& group, const std::string& ancestor);

class Graph {
 public:
  Graph() = default;
  // `outputs` empty means: every node nobody consumes, in node order. `groups` describes the
  // nested models the nodes name; groups no node (or nested group) lies in are dropped, and a
  // group a node names without a description counts as a "Functional".
  Graph(std::string name, std::vector<Node> nodes, std::vector<std::string> outputs = {},
        std::vector<NodeGroup> groups = {});

  const std::string& name() const { return name_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<std::string>& outputs() const { return outputs_; }
  std::vector<std::string> inputs() const;  // InputLayer nodes, in node order
  size_t size() const { return nodes_.size(); }
  // Nested models, parents before their children, in the order their first layer appears.
  const std::vector<NodeGroup>& groups() const { return groups_; }
  const NodeGroup* findGroup(const std::string& path) const;

  const Node* find(const std::string& name) const;
  const Node& at(const std::string& name) const;  // throws graft::Error naming the layer
  std::vector<std::string> consumers(const std::string& name) const;

  // Structural problems: duplicate or empty names, inputs that name no layer, cycles,
  // outputs that name no layer. Empty when the wiring is sound.
  Diagnostics validate() const;

  // Node indices with every producer before its consumers; diagnostics on a cycle.
  Expected<std::vector<size_t>> topologicalOrder() const;

  bool operator==(const Graph& o) const {
    return name_ == o.name_ && nodes_ == o.nodes_ && outputs_ == o.outputs_ && groups_ == o.groups_;
  }

 private:
  std::string name_;
  std::vector<Node> nodes_;
  std::vector<std::string> outputs_;
  std::vector<NodeGroup> groups_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace graft
