#include "runtime/explore/cut_with_head.h"

#include <algorithm>

#include "graph/diagnostic.h"
#include "graph/surgery/ops.h"
#include "io/recipe.h"

namespace graft {

Json cutWithHeadOperations(const Graph& graph, const GraphAnalysis& analysis,
                           const std::string& layer, int classes, bool keepsMap) {
  if (classes < 2)
    throw Error("a new head needs at least two classes, not " + std::to_string(classes));
  if (!graph.find(layer)) throw Error("no layer named \"" + layer + "\" in the model");
  const NodeInfo* info = analysis.find(layer);
  if (!info || info->outputShape.empty())
    throw Error("the output shape of \"" + layer + "\" is unknown: fix the model first");
  std::vector<Json> head;
  const size_t rank = info->outputShape.size();
  // Names are left to the core, which picks unused Keras-style ones and records them.
  if (rank == 4 && !keepsMap)
    head.push_back(ops::layer("GlobalAveragePooling2D", ""));
  else if (rank > 2)
    head.push_back(ops::layer("Flatten", ""));
  head.push_back(ops::layer("Dense", "", {{"units", classes}, {"activation", "softmax"}}));
  return Json::array({ops::cut(layer), ops::stack(layer, std::move(head))});
}

bool startHeadFromFit(Model& model, const CutCandidateResult& candidate) {
  if (candidate.headKernel.empty() || model.graph.outputs().size() != 1) return false;
  const std::string dense = model.graph.outputs().front();
  const auto* weights = model.weights.find(dense);
  if (model.graph.at(dense).className != "Dense" || !weights || weights->size() != 2) return false;
  const Shape kernelShape = (*weights)[0].shape;
  if (kernelShape.size() != 2 ||
      kernelShape[0] * kernelShape[1] != static_cast<int64_t>(candidate.headKernel.size()) ||
      kernelShape[1] != static_cast<int64_t>(candidate.headBias.size()))
    return false;
  model.weights.set(dense, {WeightTensor::fromValues(kernelShape, candidate.headKernel),
                            WeightTensor::fromValues((*weights)[1].shape, candidate.headBias)});
  // Trained (on the explorer's features), not random: the training defaults fine-tune it with
  // the layers below rather than training it alone first.
  auto& untrained = model.untrainedLayers;
  untrained.erase(std::remove(untrained.begin(), untrained.end(), dense), untrained.end());
  return true;
}

Expected<HeadCut> cutWithFittedHead(const Model& model, const CutCandidateResult& candidate,
                                    const std::vector<std::string>& classes) {
  Json operations;
  try {
    operations = cutWithHeadOperations(model.graph, analyzeOrThrow(model.graph), candidate.layer,
                                       static_cast<int>(classes.size()), candidate.keepsMap);
  } catch (const Error& e) {
    if (!e.diagnostics().empty()) return e.diagnostics();
    return Diagnostic{candidate.layer, e.what()};
  }
  Expected<RecipeResult> edited = applyRecipe(model, operations);
  if (!edited) return edited.diagnostics();
  HeadCut cut;
  cut.notes = edited.value().notes;
  cut.model = std::move(edited).value().model;
  cut.fromFit = startHeadFromFit(cut.model, candidate);
  cut.model.labels = classes;
  return cut;
}

}  // namespace graft
