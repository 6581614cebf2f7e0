#pragma once
// Shared by the zoo tests: building a zoo model and reading Keras's own topology files.
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "graph/analysis.h"
#include "graph/keras_json.h"
#include "io/zoo/zoo.h"
#include "keras_file_writer.h"
#include "support/test_support.h"

namespace graft::test {

inline zoo::ZooOptions zooOptions(const std::string& architecture, bool includeTop = true) {
  zoo::ZooOptions o;
  o.architecture = architecture;
  o.includeTop = includeTop;
  return o;
}

inline Json readJsonFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

// Keras's parameter total of a zoo model as Graft builds it.
inline int64_t totalOf(const zoo::ZooOptions& o) {
  return analyzeOrThrow(zoo::buildGraph(o)).totalParams;
}

inline Shape shapeOf(const Graph& g, const std::string& layer) {
  return analyzeOrThrow(g).nodes.at(layer).outputShape;
}

// A weights-only file `file` in `dir` with the model's layers that have weights, each named
// `rename(layer)` (the layer's own name without it) and holding its real first weight's shape
// filled with a ramp: what recognition reads.
inline std::string writeLayers(const Graph& graph, const TempDir& dir,
                               const std::string& file = "w.h5",
                               const std::function<std::string(const std::string&)>& rename = {}) {
  const auto analysis = analyzeOrThrow(graph);
  std::vector<LayerToWrite> layers;
  for (const auto& node : graph.nodes()) {
    const auto& weights = analysis.nodes.at(node.name).weights;
    if (weights.empty()) continue;
    layers.push_back({rename ? rename(node.name) : node.name,
                      {{weights[0].name, ramp({weights[0].shape.back()}, 0)}}});
  }
  const std::string path = dir.file(file);
  writeKerasWeights(path, layers);
  return path;
}

// The same, with the layers `renames` names written under those names.
inline std::string writeLayers(const Graph& graph, const TempDir& dir, const std::string& file,
                               const std::map<std::string, std::string>& renames) {
  return writeLayers(graph, dir, file, [&](const std::string& name) {
    const auto renamed = renames.find(name);
    return renamed == renames.end() ? name : renamed->second;
  });
}

}  // namespace graft::test
