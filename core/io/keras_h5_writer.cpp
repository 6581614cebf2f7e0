#include "io/keras_h5_writer.h"

#include "io/atomic_file.h"
#include "io/hdf5_file.h"

namespace graft {

void saveKerasWeights(const Model& model, const std::string& path) {
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const Diagnostics problems = checkWeights(model.graph, analysis, model.weights);
  if (!problems.empty()) throw Error(problems);
  const auto order = model.graph.topologicalOrder().value();
  writeAtomically(path, [&](const std::string& temp) {
    auto file = h5::File::createInMemory(temp);
    std::vector<std::string> names;
    for (size_t i : order) names.push_back(model.graph.nodes()[i].name);
    {
      auto root = file.openGroup("/");
      file.writeStringList(root.get(), "layer_names", names);
      file.writeString(root.get(), "backend", "tensorflow");
      file.writeString(root.get(), "keras_version", "2.4.0");
    }
    for (const auto& name : names) {
      auto group = file.createGroup("/" + name);
      std::vector<std::string> weightNames;
      const NodeInfo* info = analysis.find(name);
      if (const auto* tensors = model.weights.find(name); tensors && info) {
        for (size_t w = 0; w < info->weights.size(); ++w) {
          weightNames.push_back(name + "/" + info->weights[w].name + ":0");
          file.writeFloats("/" + name + "/" + weightNames.back(), (*tensors)[w].shape,
                           (*tensors)[w].values());
        }
      }
      file.writeStringList(group.get(), "weight_names", weightNames);
    }
    file.close();  // written to disk here
  });
}

}  // namespace graft
