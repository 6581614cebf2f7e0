#pragma once
// keras-h5 export: the weights in the layout Keras's save_weights writes (io/keras_h5_writer),
// read back with Graft's own importer to check them.
#include <torch/types.h>

#include <string>

#include "graph/model.h"

namespace graft::exporting {

// Reads `path` with the Keras importer into the model's graph (every layer with weights must be
// found, by name), requires every weight to come back bit for bit, and runs the model with the
// weights read on `input`: Graft's output in Keras's layout.
torch::Tensor runKerasH5(const Model& model, const std::string& path, const torch::Tensor& input);

}  // namespace graft::exporting
