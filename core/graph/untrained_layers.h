#pragma once
// What predicting with a model whose weights file lacked some of its layers means: nothing. The
// loader loads the rest and gives those random weights (a no-top file under a model with its
// top, an older save, the first shard of a sharded one); predict and eval then answered with
// confidence (class 0 at 1.000 where the model says class 1 at 0.998). Keras's load_weights
// refuses such a file. A model random throughout (the zoo without a weights file, a bare
// topology) is said so by the loader and left to the user, as are layers an edit added.
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft {

// Why `what` ("its predictions") of `model` would mean nothing: the layers with weights among
// `fresh` (LoadedModel::freshLayers: those the weights file did not have), named; nothing when
// there are none or when every layer with weights is one.
std::optional<std::string> untrainedLayersProblem(const Model& model,
                                                  const std::vector<std::string>& fresh,
                                                  const std::string& what);

}  // namespace graft
