#include "export/keras_h5_export.h"

#include <cstring>

#include "graph/keras_json.h"
#include "io/keras_archive.h"
#include "io/keras_weights_import.h"
#include "runtime/module/graph_module.h"

namespace graft::exporting {
namespace {

// Reads `file`'s weights onto `graph` (the model's, or the one a .keras archive describes, with
// the same layer names), checks them against the model's bit for bit and runs them.
// `leftOut`: the Keras model's left-out nested models, as the weights file counted them (none in
// a .keras archive, whose config Graft wrote without them).
torch::Tensor readBackAndRun(const Model& model, const KerasH5Reader& file, const Graph& graph,
                             const std::string& path, const torch::Tensor& input,
                             const std::vector<LeftOutModel>& leftOut) {
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  WeightStore store;
  WeightLoadOptions options;
  options.allowMissing = false;
  options.leftOut = leftOut;
  const WeightLoadReport report = loadKerasWeights(file, graph, analysis, store, options);
  // By name (Keras 2 layout) or by position (Keras 3 layout), never by a fallback order.
  if (report.rule == MatchRule::ByOrder)
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
  GraphModule module(graph, store);
  return toKerasLayout(module.forward(input)).contiguous();
}

}  // namespace

torch::Tensor runKerasH5(const Model& model, const std::string& path, const torch::Tensor& input) {
  return readBackAndRun(model, KerasH5Reader(path), model.graph, path, input, model.kerasLeftOut);
}

torch::Tensor runKerasArchive(const Model& model, const std::string& path,
                              const torch::Tensor& input) {
  const KerasArchive archive = readKerasArchive(path);
  // Read by the Keras version the archive names, as a user's file is (RandomCrop's inference).
  const Graph graph =
      graphFromKerasJsonText(archive.config, LayerRegistry::standard(), archive.kerasVersion);
  if (graph.nodes().size() != model.graph.nodes().size())
    throw Error(path + ": config.json holds " + std::to_string(graph.nodes().size()) +
                " layers when read back, the model has " +
                std::to_string(model.graph.nodes().size()));
  for (const auto& node : model.graph.nodes()) {
    const Node* back = graph.find(node.name);
    // Keras 3 records no trainable flag for InputLayer and the spatial dropouts (their
    // get_config leaves it out), so a frozen one reads back trainable; on a layer without
    // weights the flag changes nothing.
    const auto* weights = model.weights.find(node.name);
    const bool flagMatters = weights && !weights->empty();
    if (!back || back->className != node.className || back->inputs != node.inputs ||
        (flagMatters && back->trainable != node.trainable))
      throw Error(Diagnostic{node.name, path + ": config.json does not give this layer back"});
  }
  const int64_t want = analyzeOrThrow(model.graph).totalParams;
  const int64_t got = analyzeOrThrow(graph).totalParams;
  if (want != got)
    throw Error(path + ": config.json reads back with " + std::to_string(got) +
                " parameters, the model has " + std::to_string(want));
  return readBackAndRun(model, archive.weightsReader(), graph, path, input, {});
}

}  // namespace graft::exporting
