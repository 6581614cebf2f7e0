#pragma once
// keras-h5 / keras-weights / keras exports, checked by reading the written file back with
// Graft's own Keras readers.
#include <torch/types.h>

#include <string>

#include "graph/model.h"

namespace graft::exporting {

// Reads `path` with the Keras importer into the model's graph (every layer with weights must be
// found, by name), requires every weight to come back bit for bit, and runs the model with the
// weights read on `input`: Graft's output in Keras's layout.
torch::Tensor runKerasH5(const Model& model, const std::string& path, const torch::Tensor& input);

// The same for a .keras archive, whose graph is read from its own config.json: it must hold the
// model's layers with the model's parameter count, and the weights must come back bit for bit.
torch::Tensor runKerasArchive(const Model& model, const std::string& path,
                              const torch::Tensor& input);

}  // namespace graft::exporting
