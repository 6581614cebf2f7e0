#pragma once
// What a user opens, edits, trains and exports: the graph, its weights, and what travels with
// them (preprocessing, class labels, where the weights came from, the recipe that made it).
#include <string>
#include <vector>

#include "graph/weights.h"

namespace graft {

// Keras imagenet_utils modes (caffe, tf, torch); "unit" is x/255; "none" feeds pixels 0..255
// unchanged (a Rescaling layer in the graph may do the scaling instead).
enum class Preprocessing { None, Caffe, Tf, Torch, Unit };
std::string preprocessingName(Preprocessing p);
Preprocessing preprocessingFromName(const std::string& name);  // throws naming the value

struct Model {
  Graph graph;
  WeightStore weights;
  Preprocessing preprocessing = Preprocessing::None;
  std::vector<std::string> labels;
  std::string weightsSource;  // shown to the user: a file, "random initialization", ...
  Json recipe = Json::array();
  // Layers with weights drawn at random and not trained since: a top the weights file lacks,
  // layers an edit stacked, inserted, put in as replacements or re-initialised. A training run
  // takes off the layers it trained. Training defaults treat them as new (the advisor trains
  // them first instead of fine-tuning them as if pretrained); a project keeps them.
  std::vector<std::string> untrainedLayers;
  // For a model whose input size is free (None x None): the side it was last trained at, which
  // commands that need a size take when none is given (predict, eval, probe, train, the export
  // check), so the model is measured as it learned; 0 when never trained so. A project keeps it.
  int64_t trainedInputSize = 0;
  // Nested models (group paths) the GUI shows collapsed into one card: view state, set when a
  // project is saved, never an edit (not in the recipe, no undo step). A project keeps it.
  std::vector<std::string> collapsedGroups;
  // Nested models of the Keras file that hold only augmentation layers, left out of the graph:
  // Keras 3's weight files still count them when numbering a container's members, so reading
  // the file and writing weights for the user's own Keras model take them into account. A
  // project keeps them.
  std::vector<LeftOutModel> kerasLeftOut;
};

// `after` is `before` in all a user sees and computes: the graph, the weights (the same buffers),
// preprocessing, labels, where the weights came from and which layers are new; only the recipe
// may differ. An edit that changes nothing (a freeze of frozen layers, a cut at the output) is
// then no step to undo.
bool changesNothing(const Model& before, const Model& after);

// "1 class name" / "3 class names", "1 class" / "3 classes": a count of the model's class names
// or of classes as messages say it.
std::string classNamesCount(size_t n);
std::string classesCount(int64_t n);

// How weightsSource starts when no layer's weights came from a file: the zoo without weights,
// a bare topology. A project keeps it, so its layers stay "new" when it is opened again (a
// training plan then trains them all instead of freezing random layers as if pretrained).
inline constexpr const char* kRandomWeightsSource = "random initialization";
inline bool startedFromRandomWeights(const Model& model) {
  return model.weightsSource.rfind(kRandomWeightsSource, 0) == 0;
}
// How weightsSource starts once a run trained the model ("trained by Graft from model.h5").
inline constexpr const char* kTrainedByGraftSource = "trained by Graft from ";
// A model Graft trained from random weights: its layers hold only what Graft's runs taught them,
// no pretrained features (they are the user's own, neither new nor pretrained).
inline bool trainedFromRandomWeights(const Model& model) {
  return model.weightsSource.rfind(std::string(kTrainedByGraftSource) + kRandomWeightsSource, 0) ==
         0;
}

}  // namespace graft
