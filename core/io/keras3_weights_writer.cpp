#include "io/keras3_weights_writer.h"

#include "io/atomic_file.h"
#include "io/hdf5_file.h"
#include "io/keras3_layout.h"

namespace graft {

void saveKeras3Weights(const Model& model, const std::string& path) {
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const Diagnostics problems = checkWeights(model.graph, analysis, model.weights);
  if (!problems.empty()) throw Error(problems);
  const auto hasWeights = [&](const Node& node) {
    const NodeInfo* info = analysis.find(node.name);
    return info && !info->weights.empty();
  };
  const std::vector<Keras3Entry> layout = keras3Layout(model.graph, hasWeights);
  writeAtomically(path, [&](const std::string& temp) {
    auto file = h5::File::createInMemory(temp);
    file.createGroup("/vars");  // the model's own variables: none
    file.createGroup("/layers");
    for (const auto& entry : layout) {
      file.createGroup("/" + entry.path + "/vars");
      if (!entry.node || !hasWeights(*entry.node)) continue;
      const auto* tensors = model.weights.find(entry.node->name);
      for (size_t i = 0; tensors && i < tensors->size(); ++i)
        file.writeFloats("/" + entry.path + "/vars/" + std::to_string(i), (*tensors)[i].shape,
                         (*tensors)[i].values());
    }
    file.close();  // written to disk here
  });
}

}  // namespace graft
