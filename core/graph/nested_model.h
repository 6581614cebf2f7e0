#pragma once
// Nested models (a Keras Sequential or Functional used as a layer) by the names users see:
// summary lists "model1 (Functional)", and a user names it where a layer is expected.
#include <optional>
#include <string>

#include "graph/graph.h"

namespace graft {

// The nested model `name` names: its path ("sequential_1/model1") or, when no other nested model
// has the same, its own name ("model1"). nullptr when none does.
const NodeGroup* findNestedModel(const Graph& graph, const std::string& name);

// Its output layer: the last of its layers (in topological order) that a layer outside it, or
// the model's output list, reads. Empty when it has no layers.
std::string nestedModelOutput(const Graph& graph, const std::string& path);

// What to say when `name` was given as a layer and names a nested model instead: "is a nested
// model of N layers, not a layer: name its output layer 'out_relu'". nullopt when it is none.
std::optional<std::string> nestedModelNotALayer(const Graph& graph, const std::string& name);

}  // namespace graft
