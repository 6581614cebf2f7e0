#include "io/keras3_weights_writer.h"

#include "io/atomic_file.h"
#include "io/hdf5_file.h"
#include "io/keras3_config_writer.h"
#include "io/keras3_layout.h"

namespace graft {
namespace {

// `leftOut`: the user's Keras model's nested models the graph left out, for a weights file that
// model loads; none for a file whose config Graft writes (the .keras archive's).
void writeLayers(h5::File& file, const Model& model, const Graph& layout,
                 const std::vector<LeftOutModel>& leftOut) {
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const Diagnostics problems = checkWeights(model.graph, analysis, model.weights);
  if (!problems.empty()) throw Error(problems);
  const auto hasWeights = [&](const Node& node) {
    const NodeInfo* info = analysis.find(node.name);
    return info && !info->weights.empty();
  };
  const bool sequential = keras3SavesAsSequential(layout);
  {
    auto vars = file.createGroup("/vars");  // the model's own variables: none
    file.writeString(vars.get(), "name", layout.name());
  }
  file.createGroup("/layers");
  for (const auto& entry : keras3Layout(layout, hasWeights, {}, leftOut)) {
    if (sequential && entry.node && entry.node->className == "InputLayer" &&
        entry.node->group.empty())
      continue;
    // Keras 3 writes a TFOpLambda as an operation, which is not a layer: no group of its own.
    if (entry.node && entry.node->className == "TFOpLambda") continue;
    {
      auto vars = file.createGroup("/" + entry.path + "/vars");
      file.writeString(vars.get(), "name", entry.node ? entry.node->name : entry.group->name());
    }
    if (!entry.node || !hasWeights(*entry.node)) continue;
    const auto* tensors = model.weights.find(entry.node->name);
    const auto& specs = analysis.find(entry.node->name)->weights;
    for (size_t i = 0; tensors && i < tensors->size(); ++i) {
      const std::string path = "/" + entry.path + "/vars/" + std::to_string(i);
      // Normalization's count is an integer variable in Keras 3 (dtype "int").
      if (entry.node->className == "Normalization" && specs.at(i).name == "count")
        file.writeFloatsAsInt64(path, (*tensors)[i].shape, (*tensors)[i].values());
      else
        file.writeFloats(path, (*tensors)[i].shape, (*tensors)[i].values());
    }
  }
}

}  // namespace

void writeKeras3WeightsFile(const Model& model, const std::string& path) {
  auto file = h5::File::createInMemory(path);
  writeLayers(file, model, model.graph, model.kerasLeftOut);
  file.close();  // written to disk here
}

void saveKeras3Weights(const Model& model, const std::string& path) {
  writeAtomically(path, [&](const std::string& temp) { writeKeras3WeightsFile(model, temp); });
}

std::vector<char> keras3WeightsImage(const Model& model, const Graph& layout,
                                     const std::string& what) {
  auto file = h5::File::createInMemory(what);
  writeLayers(file, model, layout, {});
  return file.closeToImage();
}

}  // namespace graft
