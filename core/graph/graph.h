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

  bool operator==(const Node& o) const {
    return name == o.name && className == o.className && config == o.config && inputs == o.inputs &&
           trainable == o.trainable;
  }
};

class Graph {
 public:
  Graph() = default;
  // `outputs` empty means: every node nobody consumes, in node order.
  Graph(std::string name, std::vector<Node> nodes, std::vector<std::string> outputs = {});

  const std::string& name() const { return name_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<std::string>& outputs() const { return outputs_; }
  std::vector<std::string> inputs() const;  // InputLayer nodes, in node order
  size_t size() const { return nodes_.size(); }

  const Node* find(const std::string& name) const;
  const Node& at(const std::string& name) const;  // throws graft::Error naming the layer
  std::vector<std::string> consumers(const std::string& name) const;

  // Structural problems: duplicate or empty names, inputs that name no layer, cycles,
  // outputs that name no layer. Empty when the wiring is sound.
  Diagnostics validate() const;

  // Node indices with every producer before its consumers; diagnostics on a cycle.
  Expected<std::vector<size_t>> topologicalOrder() const;

  bool operator==(const Graph& o) const {
    return name_ == o.name_ && nodes_ == o.nodes_ && outputs_ == o.outputs_;
  }

 private:
  std::string name_;
  std::vector<Node> nodes_;
  std::vector<std::string> outputs_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace graft
