#pragma once
// .graft project files (DESIGN.md "Files"): one HDF5 file a user can mail.
//   /graft_project            scalar string dataset: the project JSON (below)
//   /model_weights            the weights in Keras's save() layout: attribute layer_names, one
//                             group per layer with weight_names "<layer>/<weight>:0", datasets
//                             in Keras layout and order (h5py users see the familiar tree)
//   attribute graft_format_version on the root, readable without parsing the JSON
// Project JSON: {"format": "graft-project", "format_version": 1, "model_config": Keras
// model_config (layers, configs, edges, trainable flags, input shapes), "preprocessing",
// "labels", "weights_source", "recipe": {"graft_recipe": 1, "operations": [...]},
// "summary": {...} (informative only: inputs, frozen layers, parameter counts; never read)}.
#include <string>

#include "graph/model.h"

namespace graft {

constexpr int kProjectFormatVersion = 1;

// Atomic: written to a temporary file in the same folder, then renamed over `path`; on any
// failure the previous file is untouched and no temporary file is left. Throws graft::Error
// naming the file (and the layer, for a model whose weights do not fit).
void saveProject(const Model& model, const std::string& path);

// Throws graft::Error naming the file: not HDF5, truncated, not a project, a newer format.
Model loadProject(const std::string& path);

}  // namespace graft
