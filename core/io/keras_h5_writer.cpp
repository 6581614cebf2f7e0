#include "io/keras_h5_writer.h"

#include <map>

#include "graph/keras_json.h"
#include "io/atomic_file.h"
#include "io/graft_metadata.h"
#include "io/hdf5_file.h"
#include "io/keras_h5_reader.h"

namespace graft {

namespace {

// One of the model's own layers as Keras lists them (model.layers): a layer outside nested
// models is itself; the layers of a nested model ("outer/inner" in Node::group) are its
// top-level model's entry, whose group holds all their weights.
struct KerasEntry {
  std::string name;
  std::vector<const Node*> layers;
};

std::vector<KerasEntry> topLevelEntries(const Graph& graph) {
  std::vector<KerasEntry> entries;
  std::map<std::string, size_t> index;
  const std::vector<size_t> order = graph.topologicalOrder().value();
  for (size_t i : order) {
    const Node& node = graph.nodes()[i];
    const std::string top = node.group.substr(0, node.group.find('/'));
    const std::string name = top.empty() ? node.name : top;
    const auto [it, added] = index.emplace(name, entries.size());
    if (added) entries.push_back({name, {}});
    entries[it->second].layers.push_back(&node);
  }
  return entries;
}

}  // namespace

void writeKerasWeightsFile(const Model& model, const std::string& file) {
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const Diagnostics problems = checkWeights(model.graph, analysis, model.weights);
  if (!problems.empty()) throw Error(problems);
  const std::vector<KerasEntry> entries = topLevelEntries(model.graph);
  auto out = h5::File::createInMemory(file);
  std::vector<std::string> names;
  for (const auto& entry : entries) names.push_back(entry.name);
  {
    auto root = out.openGroup("/");
    out.writeStringList(root.get(), "layer_names", names);
    out.writeString(root.get(), "backend", "tensorflow");
    out.writeString(root.get(), "keras_version", "2.4.0");
  }
  // The model the weights belong to, for Graft (Keras's load_weights reads layer_names only):
  // opened alone, a file of an edited model (another input size, a layer without weights
  // inserted) was taken for the plain architecture its layer names matched.
  out.writeText(kGraftModelConfigDataset, graphToKerasJson(model.graph).dump());
  // Its preprocessing and class names, which a .keras export keeps in metadata.json: `predict`
  // on `train -o x.h5` named classes by index without them.
  out.writeText(kGraftMetadataDataset, graftMetadata(model).dump());
  for (const auto& entry : entries) {
    auto group = out.createGroup("/" + entry.name);
    // A nested model's weights are model.weights: every trainable weight of its layers (in
    // layer order), then every other one (BatchNormalization's statistics, frozen layers'),
    // which is the order Keras's load_weights assigns them in.
    std::vector<std::string> trainable, frozen;
    for (const Node* layer : entry.layers) {
      const NodeInfo* info = analysis.find(layer->name);
      const auto* tensors = model.weights.find(layer->name);
      if (!info || !tensors) continue;
      for (size_t w = 0; w < info->weights.size(); ++w) {
        const std::string name = layer->name + "/" + info->weights[w].name + ":0";
        out.writeFloats("/" + entry.name + "/" + name, (*tensors)[w].shape, (*tensors)[w].values());
        (layer->trainable && info->weights[w].trainable ? trainable : frozen).push_back(name);
      }
    }
    if (entry.layers.front()->group.empty()) {  // a layer of its own: its weights in order
      trainable.clear();
      frozen.clear();
      if (const NodeInfo* info = analysis.find(entry.name); info && model.weights.find(entry.name))
        for (const auto& w : info->weights) trainable.push_back(entry.name + "/" + w.name + ":0");
    }
    trainable.insert(trainable.end(), frozen.begin(), frozen.end());
    out.writeStringList(group.get(), "weight_names", trainable);
  }
  out.close();  // written to disk here
}

void saveKerasWeights(const Model& model, const std::string& path) {
  writeAtomically(path, [&](const std::string& temp) { writeKerasWeightsFile(model, temp); });
}

}  // namespace graft
