#pragma once
// A Graft graph as the config.json Keras 3 writes into a .keras archive
// (keras/src/saving/serialization_lib.py serialize_keras_object, models/functional.py and
// models/sequential.py get_config), following Keras 3.13: every object is {"module",
// "class_name", "config", "registered_name"} with "build_config" for layers that define build();
// layer configs hold exactly the keys that layer's get_config() returns, dtypes as DTypePolicy
// objects; a Functional's layers carry "name" and "inbound_nodes" [{"args", "kwargs"}] with
// "__keras_tensor__" arguments. Keras 3.13's load_model and Graft's reader both read it.
//
// The model is written flat: nested models (Node::group) become plain layers of one model.
#include "graph/analysis.h"
#include "graph/graph.h"

namespace graft {

// The Keras version whose serialization keras3ModelJson follows (metadata.json says it).
constexpr const char* kKeras3WriterVersion = "3.13.2";

// True when the graph's top level is a Keras Sequential: named as Keras names them ("sequential",
// "sequential_3"; the graph does not record the class it was read from) and its top-level members
// (layers and nested models) a chain from its one InputLayer. Keras 3 leaves a Sequential's
// InputLayer out of its layer list, so its weights file has no group for it.
bool keras3SavesAsSequential(const Graph& graph);

// One diagnostic per layer whose class Graft cannot write in Keras 3's serialization.
Diagnostics keras3Refusals(const Graph& graph);

// config.json's object. `analysis` gives the shapes (build_config, keras tensors); throws
// graft::Error naming a layer whose shape is unknown.
Json keras3ModelJson(const Graph& graph, const GraphAnalysis& analysis);

}  // namespace graft
