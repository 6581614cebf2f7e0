#include "export/keras_h5_export.h"

#include <cstring>

#include "io/keras_weights_import.h"
#include "runtime/graph_module.h"

namespace graft::exporting {

torch::Tensor runKerasH5(const Model& model, const std::string& path, const torch::Tensor& input) {
  const KerasH5Reader file(path);
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  WeightStore store;
  WeightLoadOptions options;
  options.allowMissing = false;
  const WeightLoadReport report = loadKerasWeights(file, model.graph, analysis, store, options);
  if (report.rule != MatchRule::ByName)
    throw Error(path + ": the importer matched the layers by order, not by name");
  for (const auto& layer : model.weights.layers()) {
    const auto* want = model.weights.find(layer);
    const auto* got = store.find(layer);
    if (!analysis.find(layer) || analysis.find(layer)->weights.empty()) continue;
    if (!got || got->size() != want->size())
      throw Error(Diagnostic{layer, path + ": weights missing when read back"});
    for (size_t i = 0; i < want->size(); ++i) {
      const WeightTensor &a = (*want)[i], &b = (*got)[i];
      if (a.shape != b.shape || a.numel() != b.numel() ||
          std::memcmp(a.values(), b.values(), static_cast<size_t>(a.numel()) * sizeof(float)) != 0)
        throw Error(Diagnostic{
            layer, path + ": weight " + std::to_string(i) + " does not read back bit for bit"});
    }
  }
  GraphModule module(model.graph, store);
  return toKerasLayout(module.forward(input)).contiguous();
}

}  // namespace graft::exporting
