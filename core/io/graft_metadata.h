#pragma once
// What Graft records beside a model in the files it writes and no Keras file holds: how pixels
// are scaled, the class names and the size a free-size model was trained at,
// {"preprocessing": "tf", "labels": [...], "trained_input_size": 64}. A .keras export keeps
// it as metadata.json's "graft" object, a weights-only .h5 as the string dataset
// /graft_metadata; Keras reads neither, and Graft reopens its own file as it was saved.
#include "graph/model.h"

namespace graft {

// Beside /graft_model_config in Graft's weights-only .h5 (io/keras_h5_writer.h).
inline constexpr const char* kGraftMetadataDataset = "/graft_metadata";

Json graftMetadata(const Model& model);

// The object in Graft's own weights-only .h5 at `path`: null when the file has none (an .h5
// Keras or an older Graft wrote), discarded when it cannot be read.
Json readGraftH5Metadata(const std::string& path);

}  // namespace graft
