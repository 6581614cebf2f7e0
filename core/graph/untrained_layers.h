#pragma once
// Predicting with layers that hold random weights nobody trained or loaded means nothing: a
// weights file that lacked some of the model's layers (a no-top file under a model with its top,
// an older save, the first shard of a sharded one) or an edit that stacked, inserted, replaced or
// re-initialised them. Predict and eval used to answer with confidence (class 0 at 1.000 where
// the model says class 1 at 0.998), refused for the first cause and silent for the second,
// though the model is the same: a pretrained base under a random top. One rule for both: they
// say so, in the same words, and go on (exit 0) — a user may run a fresh model deliberately, to
// check its shapes or a pipeline's plumbing, and training is how such a model goes on. A model
// random throughout (the zoo without a weights file, a bare topology) is said so by the loader.
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft {

// Why `what` ("its predictions") of `model` would mean nothing: its layers with weights that
// hold their initial random ones, named with where that came from — `fresh`
// (LoadedModel::freshLayers: not in the weights file) or an edit (Model::untrainedLayers, which
// a training run empties of what it trained); nothing when there are none or when every layer
// with weights is one.
std::optional<std::string> randomLayersWarning(const Model& model,
                                               const std::vector<std::string>& fresh,
                                               const std::string& what);

}  // namespace graft
