#pragma once
// "Cut here with a new head": the recipe operations that make `layer` the model's end and put
// a classifier for `classes` classes on it (the cut-point explorer's choice made real), applied
// by the document as one undoable step. The head sees what the explorer measured: a spatial map
// (rank 4) is pooled by GlobalAveragePooling2D, or flattened when the explorer kept the whole
// small map (`keepsMap`: a linear classifier on the map can do all that one on its average
// can); other ranks above 2 are flattened; then Dense(classes, softmax). Throws graft::Error
// for an unknown layer, an unknown output shape or fewer than two classes.
#include <string>

#include "graph/analysis.h"
#include "graph/graph.h"

namespace graft::ui {

Json cutWithHeadOperations(const Graph& graph, const GraphAnalysis& analysis,
                           const std::string& layer, int classes, bool keepsMap = false);

}  // namespace graft::ui
