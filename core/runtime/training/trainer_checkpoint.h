#pragma once
// Where a trained model goes: the format follows the file name, and every write is atomic
// (temporary file + rename), so a run that is cancelled or fails while saving keeps the
// previous checkpoint intact.
#include <string>

#include "graph/model.h"

namespace graft {

// Throws graft::Error naming the path when it cannot be a checkpoint (unknown extension, a
// folder that does not exist): checked before training, not after an hour of it.
void checkCheckpointPath(const std::string& path);

// `.graft`: a Graft project (graph, weights, labels, preprocessing, recipe).
// `.h5`: Keras-layout weights (save_weights layout; graph, labels and preprocessing are not in
// such a file).
void saveTrainedModel(const Model& model, const std::string& path);

}  // namespace graft
