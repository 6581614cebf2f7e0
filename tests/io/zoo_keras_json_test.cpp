// The zoo builders against Keras's own topology files (../shared/fixtures/keras-configs): the
// same layers in Keras's order, the same classes, wiring, shapes, parameters and key configs.
#include <gtest/gtest.h>

#include <set>

#include "graph/analysis.h"
#include "graph/keras_json.h"
#include "io/zoo/keras_layer_order.h"
#include "io/zoo/zoo.h"
#include "support/test_support.h"
#include "zoo_test_support.h"

namespace graft {
namespace {

using test::zooOptions;

// Keras's model.layers order is a function of the model's outputs. The viewer that published
// some of these files added outputs, so the file's order is Keras's order for those outputs;
// the zoo model's is Keras's order for its own single output.
TEST(KerasLayerOrder, ReproducesTheOrderKerasWroteInEveryFile) {
  for (const char* name : {"vgg16.json", "vgg19.json", "resnet50_keras_applications.json",
                           "inception_v3.json", "xception_keras1.json", "mobilenet.json"}) {
    GRAFT_REQUIRE_FIXTURE(path, std::string("keras-configs/") + name);
    const Graph file = graphFromKerasJson(test::readJsonFile(path));
    // Scramble the file's order (reverse it, then make it topological again) so the check
    // cannot pass by keeping an order that is already right; only a plain chain (VGG) has a
    // single topological order.
    std::vector<Node> reversed(file.nodes().rbegin(), file.nodes().rend());
    const Graph scrambled("scrambled", reversed, file.outputs());
    auto topo = scrambled.topologicalOrder();
    ASSERT_TRUE(topo.ok());
    std::vector<Node> topological;
    for (size_t i : *topo) topological.push_back(scrambled.nodes()[i]);
    bool branches = false;
    for (const auto& n : file.nodes()) branches = branches || file.consumers(n.name).size() > 1;
    if (branches) {
      size_t moved = 0;
      for (size_t i = 0; i < file.size(); ++i) moved += topological[i].name != file.nodes()[i].name;
      ASSERT_GT(moved, 0u) << name << ": scrambling changed nothing";
    }

    const Graph ordered = zoo::inKerasLayerOrder(Graph("scrambled", topological, file.outputs()));
    ASSERT_EQ(ordered.size(), file.size()) << name;
    for (size_t i = 0; i < file.size(); ++i)
      ASSERT_EQ(ordered.nodes()[i].name, file.nodes()[i].name) << name << " position " << i;
  }
}

// Keras 1 auto-named Xception's unnamed layers convolution2d_N, batchnormalization_N and
// merge_N; today's Keras names them conv2d, conv2d_1, ..., batch_normalization, ..., add, ...
std::string todaysXceptionName(const std::string& keras1) {
  for (auto [old, now] : {std::pair<std::string, std::string>{"convolution2d_", "conv2d"},
                          {"batchnormalization_", "batch_normalization"},
                          {"merge_", "add"}}) {
    if (keras1.rfind(old, 0) == 0) {
      const int n = std::stoi(keras1.substr(old.size()));
      return n == 1 ? now : now + "_" + std::to_string(n - 1);
    }
  }
  return keras1;
}

Graph renamed(const Graph& g, std::string (*rename)(const std::string&)) {
  std::vector<Node> nodes = g.nodes();
  for (auto& n : nodes) {
    n.name = rename(n.name);
    for (auto& in : n.inputs) in = rename(in);
  }
  std::vector<std::string> outputs = g.outputs();
  for (auto& o : outputs) o = rename(o);
  return Graph(g.name(), nodes, outputs);
}

struct Reference {
  std::string file;
  std::string architecture;
  std::set<std::string> skippedKeys;  // config keys that differ on purpose (documented)
};

// The file's graph with only the model's own output (its last layer) and in Keras's order for
// that output; the input fixed to `size` when the file left it open.
Graph referenceGraph(const Json& json, int64_t size) {
  Json j = json;
  auto& input = j["config"]["layers"][0]["config"]["batch_input_shape"];
  for (size_t d = 1; d <= 2; ++d)
    if (input[d].is_null()) input[d] = size;
  const Graph file = graphFromKerasJson(j);
  return zoo::inKerasLayerOrder(Graph(file.name(), file.nodes(), {file.nodes().back().name}));
}

void compareWithKerasFile(const Graph& built, const Graph& reference,
                          const std::set<std::string>& skippedKeys) {
  ASSERT_EQ(built.outputs(), reference.outputs());
  std::vector<std::string> builtNames, referenceNames;
  for (const auto& n : built.nodes()) builtNames.push_back(n.name);
  for (const auto& n : reference.nodes()) referenceNames.push_back(n.name);
  ASSERT_EQ(builtNames, referenceNames);

  const auto builtAnalysis = analyzeOrThrow(built);
  const auto referenceAnalysis = analyzeOrThrow(reference);
  EXPECT_EQ(builtAnalysis.totalParams, referenceAnalysis.totalParams);
  EXPECT_EQ(builtAnalysis.trainableParams, referenceAnalysis.trainableParams);

  const std::vector<std::string> keys = {
      "filters",          "kernel_size",    "strides",   "padding",     "use_bias",
      "epsilon",          "activation",     "scale",     "center",      "axis",
      "depth_multiplier", "pool_size",      "units",     "rate",        "target_shape",
      "max_value",        "negative_slope", "threshold", "data_format", "dilation_rate"};
  for (size_t i = 0; i < built.size(); ++i) {
    const Node& b = built.nodes()[i];
    const Node& r = reference.nodes()[i];
    EXPECT_EQ(b.className, r.className) << b.name;
    EXPECT_EQ(b.inputs, r.inputs) << b.name;
    EXPECT_EQ(b.trainable, r.trainable) << b.name;
    const NodeInfo& bi = builtAnalysis.nodes.at(b.name);
    const NodeInfo& ri = referenceAnalysis.nodes.at(r.name);
    EXPECT_EQ(bi.outputShape, ri.outputShape) << b.name;
    EXPECT_EQ(bi.params, ri.params) << b.name;
    EXPECT_EQ(bi.trainableParams, ri.trainableParams) << b.name;
    for (const auto& key : keys) {
      if (skippedKeys.count(key)) continue;
      EXPECT_EQ(b.config.contains(key), r.config.contains(key)) << b.name << "." << key;
      if (b.config.contains(key) && r.config.contains(key)) {
        EXPECT_EQ(b.config.at(key), r.config.at(key)) << b.name << "." << key;
      }
    }
  }
}

TEST(ZooVersusKeras, ResNet50KerasApplications) {
  GRAFT_REQUIRE_FIXTURE(path, "keras-configs/resnet50_keras_applications.json");
  compareWithKerasFile(zoo::buildGraph(zooOptions("resnet50")),
                       referenceGraph(test::readJsonFile(path), 224), {});
}

TEST(ZooVersusKeras, InceptionV3) {
  GRAFT_REQUIRE_FIXTURE(path, "keras-configs/inception_v3.json");
  compareWithKerasFile(zoo::buildGraph(zooOptions("inception_v3")),
                       referenceGraph(test::readJsonFile(path), 299), {});
}

TEST(ZooVersusKeras, InceptionV3WithoutTopIsTheFileUpToMixed10) {
  GRAFT_REQUIRE_FIXTURE(path, "keras-configs/inception_v3.json");
  // Keras's file left the input open, like the no-top model without a size.
  const Graph file = graphFromKerasJson(test::readJsonFile(path));
  std::vector<Node> backbone;
  for (const auto& n : file.nodes())
    if (n.name != "avg_pool" && n.name != "predictions") backbone.push_back(n);
  const Graph reference = zoo::inKerasLayerOrder(Graph(file.name(), backbone, {"mixed10"}));
  compareWithKerasFile(zoo::buildGraph(zooOptions("inception_v3", false)), reference, {});
}

TEST(ZooVersusKeras, MobileNet) {
  GRAFT_REQUIRE_FIXTURE(path, "keras-configs/mobilenet.json");
  // The file stops at conv_preds: Keras's act_softmax and reshape_2 were dropped by the viewer.
  auto o = zooOptions("mobilenet");
  const Graph full = zoo::buildGraph(o);
  ASSERT_EQ(full.nodes().back().name, "reshape_2");
  EXPECT_EQ(full.at("reshape_2").inputs, std::vector<std::string>{"act_softmax"});
  EXPECT_EQ(full.at("act_softmax").inputs, std::vector<std::string>{"conv_preds"});
  EXPECT_EQ(full.at("act_softmax").config.at("activation"), "softmax");
  std::vector<Node> upToPreds(full.nodes().begin(), full.nodes().end() - 2);
  compareWithKerasFile(Graph(full.name(), upToPreds, {"conv_preds"}),
                       referenceGraph(test::readJsonFile(path), 224), {});
}

TEST(ZooVersusKeras, XceptionWithTodaysNamesAndEpsilon) {
  GRAFT_REQUIRE_FIXTURE(path, "keras-configs/xception_keras1.json");
  const Graph built = zoo::buildGraph(zooOptions("xception"));
  const Graph reference = renamed(referenceGraph(test::readJsonFile(path), 299),
                                  [](const std::string& n) { return todaysXceptionName(n); });
  // Keras 1's Xception used BatchNormalization epsilon 1e-5; today's uses the default 1e-3.
  compareWithKerasFile(built, reference, {"epsilon"});
  int batchNorms = 0;
  for (const auto& n : built.nodes())
    if (n.className == "BatchNormalization") {
      ++batchNorms;
      EXPECT_EQ(n.config.at("epsilon").get<double>(), 1e-3) << n.name;
      EXPECT_EQ(reference.at(n.name).config.at("epsilon").get<double>(), 1e-5) << n.name;
    }
  EXPECT_EQ(batchNorms, 40);
  EXPECT_TRUE(built.find("add_11") && !built.find("add_12"));
}

}  // namespace
}  // namespace graft
