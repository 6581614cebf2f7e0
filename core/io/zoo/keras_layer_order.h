#pragma once
// Keras lists a functional model's layers (model.layers, model.summary(), the saved
// model_config) not in the order they were created but by depth: layers farthest from the
// outputs first, ties broken by the order a depth-first walk from the outputs first meets them.
// Users address layers by that order ("freeze the first 249 layers of InceptionV3"), so the zoo
// builds each network and then puts its nodes in Keras's order.
#include "graph/graph.h"

namespace graft::zoo {

// The same graph with its nodes in Keras's model.layers order for its outputs (Keras 2 and TF2
// Keras compute it the same way). Nodes no output depends on, which Keras would drop, are kept
// at the end in their original order.
Graph inKerasLayerOrder(const Graph& graph);

}  // namespace graft::zoo
