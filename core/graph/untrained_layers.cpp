#include "graph/untrained_layers.h"

#include <set>

namespace graft {

std::optional<std::string> untrainedLayersProblem(const Model& model,
                                                  const std::vector<std::string>& fresh,
                                                  const std::string& what) {
  if (fresh.empty() || startedFromRandomWeights(model)) return std::nullopt;
  const std::set<std::string> drawn(fresh.begin(), fresh.end());
  std::string named;
  size_t count = 0, withWeights = 0;
  for (const std::string& layer : model.weights.layers()) {
    if (!model.graph.find(layer)) continue;
    ++withWeights;
    if (!drawn.count(layer)) continue;
    if (++count <= 5) named += (named.empty() ? "" : ", ") + layer;
  }
  if (count == 0 || count == withWeights) return std::nullopt;
  if (count > 5) named += " and " + std::to_string(count - 5) + " more";
  return std::to_string(count) + (count == 1 ? " layer has" : " layers have") +
         " random weights (" + named + ": not in " + model.weightsSource + "): " + what +
         " would mean nothing; give a weights file that has every layer, or train the model "
         "first (graft-cli train)";
}

}  // namespace graft
