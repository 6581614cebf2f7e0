#pragma once
// Model surgery: every edit the GUI, `graft-cli edit` and recipes make goes through
// applyOperation(). An operation is JSON in the recipe format of DESIGN.md, e.g.
//   {"op": "cut", "at": "block2_pool"}
// (ops.h builds them from C++). An edit is pure: it returns a new Model, or diagnostics naming
// the layers and the reason and leaves nothing changed. Layers it does not touch keep their
// weight buffers (shared, bit-identical); every shape is re-inferred, and an edit that leaves an
// invalid graph is refused with the analysis diagnostics.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft {

// What to do when an edit leaves an existing layer whose stored weights no longer fit its
// new shapes (e.g. block2_conv1 after removing block1_conv1 and block1_conv2, or fc1 after
// changing the input size).
enum class WeightFit {
  Refuse,  // the edit is refused, naming the layer, the weight and both shapes
  // The weights stay as they are and the layer is listed in EditResult::staleLayers. Only the
  // recipe engine uses this: a later operation of the same recipe may make them fit again
  // (remove two convs, then insert one with the same filter count), and the recipe is checked
  // as a whole at its end.
  Defer,
};

struct EditOptions {
  // Base seed for fresh weights. An operation's own "seed" field wins; without one the seed is
  // derived from this and the step number (model.recipe.size()), and recorded in the recipe so
  // a replay reproduces the same weights.
  uint64_t seed = 0;
  WeightFit weightFit = WeightFit::Refuse;
};

struct EditResult {
  Model model;                           // the edited model; its recipe ends with `operation`
  Json operation;                        // the operation as recorded (names and seed filled in)
  std::vector<std::string> notes;        // what the user should know: re-initialised layers, ...
  std::vector<std::string> staleLayers;  // only with WeightFit::Defer: weights that do not fit
};

// The operation names applyOperation() understands, in the order DESIGN.md lists them.
const std::vector<std::string>& operationNames();

// Applies one operation. Never throws for a bad operation or an impossible edit: those come
// back as diagnostics whose subject is the layer (or the operation field) concerned.
Expected<EditResult> applyOperation(const Model& model, const Json& operation,
                                    const EditOptions& options = {});

// A layer as Keras writes it in model_config, {"class_name": ..., "config": {...}}, turned into
// a Node with Keras's defaults for omitted keys. Without config.name a Keras-style unique name
// is chosen ("conv2d", "conv2d_1", ...) avoiding `taken`. Throws graft::Error naming the layer
// or the unknown config field.
Node nodeFromLayerSpec(const Json& spec, const std::vector<std::string>& taken);

}  // namespace graft
