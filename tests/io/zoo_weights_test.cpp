// Real MobileNet weight files written by Keras load by name into the zoo's MobileNet: the layer
// names, their order and every weight shape agree with what Keras saved.
#include <gtest/gtest.h>

#include "graph/analysis.h"
#include "io/keras_h5_reader.h"
#include "io/keras_weights_import.h"
#include "io/zoo/zoo.h"
#include "support/test_support.h"
#include "zoo_test_support.h"

namespace graft {
namespace {

// Keras 2.0/2.1 wrote these files with padding 'same' for the strided convolutions; Keras 2.2
// (and the zoo) pad with ZeroPadding2D layers instead, which have no weights. Apart from those
// the file lists every layer of the model in model.layers order.
std::vector<std::string> namesWithoutPadding(const Graph& g) {
  std::vector<std::string> names;
  for (const auto& n : g.nodes())
    if (n.className != "ZeroPadding2D") names.push_back(n.name);
  return names;
}

std::vector<std::string> fileLayerNames(const KerasH5Reader& file) {
  std::vector<std::string> names;
  for (const auto& l : file.layers()) names.push_back(l.name);
  return names;
}

void expectLoadsByName(const std::string& path, const zoo::ZooOptions& options) {
  const Graph graph = zoo::buildGraph(options);
  const KerasH5Reader file(path);
  EXPECT_EQ(namesWithoutPadding(graph), fileLayerNames(file));

  const auto analysis = analyzeOrThrow(graph);
  WeightStore store;
  const auto report = loadKerasWeights(file, graph, analysis, store);
  EXPECT_EQ(report.rule, MatchRule::ByName) << report.describe();
  EXPECT_TRUE(report.missing.empty()) << report.describe();
  EXPECT_TRUE(report.unused.empty()) << report.describe();
  EXPECT_EQ(report.loaded.size(), file.layersWithWeights().size());
  EXPECT_TRUE(checkWeights(graph, analysis, store).empty());

  // Every weight the model has came from the file: its parameter count is the file's.
  int64_t stored = 0;
  for (const auto* layer : file.layersWithWeights())
    for (size_t i = 0; i < layer->weightNames.size(); ++i)
      stored += elementCount(file.shape(*layer, i));
  EXPECT_EQ(analysis.totalParams, stored);
}

TEST(ZooWeights, MobileNetQuarterNoTopLoadsByName) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/mobilenet_2_5_224_tf_no_top.h5");
  // The file's last layer is global_average_pooling2d_1: it was saved with pooling='avg'.
  auto o = test::zooOptions("mobilenet", false);
  o.alpha = 0.25;
  o.inputSize = 224;
  o.pooling = "avg";
  expectLoadsByName(path, o);
}

TEST(ZooWeights, MobileNetQuarterCatsAndDogsTopLoadsByName) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/mobilenet025_catvsdog.h5");
  auto o = test::zooOptions("mobilenet");
  o.alpha = 0.25;
  o.classes = 2;
  expectLoadsByName(path, o);
}

TEST(ZooWeights, AWrongWidthIsAShapeConflictNamingTheLayer) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/mobilenet_2_5_224_tf_no_top.h5");
  auto o = test::zooOptions("mobilenet", false);
  o.alpha = 0.5;
  o.pooling = "avg";
  const Graph graph = zoo::buildGraph(o);
  const auto analysis = analyzeOrThrow(graph);
  WeightStore store;
  try {
    loadKerasWeights(KerasH5Reader(path), graph, analysis, store);
    FAIL() << "alpha 0.5 accepted alpha 0.25 weights";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("conv1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace graft
