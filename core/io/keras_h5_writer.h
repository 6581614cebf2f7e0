#pragma once
// Writes weights in the layout Keras's save_weights() produces: root attributes layer_names,
// backend, keras_version; one group per layer with weight_names "<layer>/<weight>:0" and the
// datasets in Keras layout. Keras's load_weights and Graft's importer both read it back.
#include <string>

#include "graph/model.h"

namespace graft {

// Atomic: a failure leaves any previous file at `path` intact. Throws graft::Error naming the
// file or the layer whose weights are missing. The layers of a nested model are one group, the
// nested model's, as Keras writes them (a Teachable Machine model is two such groups).
void saveKerasWeights(const Model& model, const std::string& path);

// The same, written straight to `file` (which a caller's own atomic write names).
void writeKerasWeightsFile(const Model& model, const std::string& file);

}  // namespace graft
