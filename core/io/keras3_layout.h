#pragma once
// Where Keras 3 keeps each layer's variables in a .weights.h5 (and a .keras archive's
// model.weights.h5): Keras's saving_lib walks the model's layer tree and names every member of a
// container by its snake_case class name and a per-container counter, never by layer name:
// `layers/conv2d/vars/0`, `layers/functional/layers/batch_normalization_1/vars/2`. One walk,
// shared by the reader and the writer so the two cannot drift apart.
#include <functional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/layer_names.h"  // kerasSnakeCase names the groups

namespace graft {

struct Keras3Naming {
  // "layers" (Keras 3, tf.keras 2.15) or "_layer_checkpoint_dependencies" (tf.keras 2.12-2.14).
  std::string container = "layers";
  // "/" or, in files tf.keras wrote on Windows, "\\" inside one group name.
  std::string separator = "/";
  // tf.keras 2.12 and 2.13 listed a layer with weights twice and gave it two counter values.
  bool twoNamesPerWeightedLayer = false;
};

struct Keras3Entry {
  const Node* node = nullptr;        // a layer, or
  const NodeGroup* group = nullptr;  // a nested model
  std::string path;                  // its group in the file, without "/vars"
};

// Every layer and nested model of the graph, parents before their members. `hasWeights` says
// whether a layer has variables (it matters only for twoNamesPerWeightedLayer). `leftOut`: nested
// models of the Keras model the graph leaves out; each takes its number where it sat (before a
// member that is gone or at the end: no member's number changes), and has no entry.
std::vector<Keras3Entry> keras3Layout(const Graph& graph,
                                      const std::function<bool(const Node&)>& hasWeights,
                                      const Keras3Naming& naming = {},
                                      const std::vector<LeftOutModel>& leftOut = {});

}  // namespace graft
