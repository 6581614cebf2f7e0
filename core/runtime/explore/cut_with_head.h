#pragma once
// "Cut here with a new head": the cut-point explorer's choice made real, the same for the
// window's explorer and `graft-cli probe --cut`. The recipe operations make `layer` the model's
// end and put a classifier for `classes` classes on it that sees what the explorer measured: a
// spatial map (rank 4) is pooled by GlobalAveragePooling2D, or flattened when the explorer kept
// the whole small map (`keepsMap`: a linear classifier on the map can do all that one on its
// average can); other ranks above 2 are flattened; then Dense(classes, softmax). No LibTorch.
#include <string>
#include <vector>

#include "graph/analysis.h"
#include "graph/model.h"
#include "runtime/explore/cut_explorer_report.h"

namespace graft {

// Throws graft::Error for an unknown layer, an unknown output shape or fewer than two classes.
Json cutWithHeadOperations(const Graph& graph, const GraphAnalysis& analysis,
                           const std::string& layer, int classes, bool keepsMap = false);

// A model just cut at `candidate.layer` with a new head (cutWithHeadOperations): its output
// Dense gets the classifier the explorer fitted there (CutCandidateResult::headKernel) and is no
// longer untrained. False, nothing changed, when the candidate has none or the shapes differ.
bool startHeadFromFit(Model& model, const CutCandidateResult& candidate);

struct HeadCut {
  Model model;                     // labelled with the classes; its recipe ends with the cut
  bool fromFit = false;            // the head starts as the explorer's classifier
  std::vector<std::string> notes;  // the recipe's
};

// `model` cut at `candidate.layer` with a new head for `classes` (in the order the explorer
// and training give them: their names become the model's labels), starting from the fitted
// classifier: the model predicts at once as well as measured. A random head trained by the
// default plan stayed at chance on a small folder. Diagnostics from the edit.
Expected<HeadCut> cutWithFittedHead(const Model& model, const CutCandidateResult& candidate,
                                    const std::vector<std::string>& classes);

}  // namespace graft
