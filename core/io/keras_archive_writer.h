#pragma once
// Saves a model as Keras 3's model.save("x.keras") does: a ZIP (members stored, as Python's
// zipfile writes them) holding metadata.json, config.json (io/keras3_config_writer.h) and
// model.weights.h5 (io/keras3_weights_writer.h), in that order. Keras 3's load_model and Graft
// read it back. Nested models are written flat, as layers of one model (docs/formats.md).
#include <string>

#include "graph/model.h"

namespace graft {

// Atomic: a failure leaves any previous file at `path` intact. Throws graft::Error naming the
// file, or the layer that cannot be saved.
void saveKerasArchive(const Model& model, const std::string& path);

// The same, written straight to `file` (which a caller's own atomic write names); messages name
// `path`, the file the user asked for.
void writeKerasArchiveFile(const Model& model, const std::string& file, const std::string& path);

// The graph as the archive describes it: nodes in an order where producers come first, no
// nested models. Its layer names are the model's, so the model's weights go with it.
Graph flatKeras3Graph(const Graph& graph);

}  // namespace graft
