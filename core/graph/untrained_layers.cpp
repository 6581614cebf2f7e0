#include "graph/untrained_layers.h"

#include <set>

namespace graft {
namespace {

// "a, b, c, d, e and 2 more": at most five names.
std::string namedList(const std::vector<std::string>& layers) {
  std::string named;
  for (size_t i = 0; i < layers.size() && i < 5; ++i) named += (i ? ", " : "") + layers[i];
  if (layers.size() > 5) named += " and " + std::to_string(layers.size() - 5) + " more";
  return named;
}

}  // namespace

std::optional<std::string> randomLayersWarning(const Model& model,
                                               const std::vector<std::string>& fresh,
                                               const std::string& what) {
  if (startedFromRandomWeights(model)) return std::nullopt;
  const std::set<std::string> notInFile(fresh.begin(), fresh.end());
  const std::set<std::string> untrained(model.untrainedLayers.begin(), model.untrainedLayers.end());
  std::vector<std::string> fromFile, fromEdit;
  size_t withWeights = 0;
  for (const std::string& layer : model.weights.layers()) {
    if (!model.graph.find(layer)) continue;
    ++withWeights;
    if (notInFile.count(layer))
      fromFile.push_back(layer);
    else if (untrained.count(layer))
      fromEdit.push_back(layer);
  }
  const size_t count = fromFile.size() + fromEdit.size();
  if (count == 0 || count == withWeights) return std::nullopt;
  std::string why;
  if (!fromFile.empty()) why = namedList(fromFile) + ": not in " + model.weightsSource;
  if (!fromEdit.empty())
    why += (why.empty() ? "" : "; ") + namedList(fromEdit) + ": new, never trained";
  return std::to_string(count) + (count == 1 ? " layer has" : " layers have") +
         " random weights (" + why + "): " + what + " would mean nothing; " +
         (fromFile.empty() ? "" : "give a weights file that has every layer, or ") +
         "train the model first (graft-cli train)";
}

}  // namespace graft
