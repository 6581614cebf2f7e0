// Wiring rules: cycles, dangling inputs, duplicate names, input counts; topological order.
#include <gtest/gtest.h>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "graph/layer_registry.h"

namespace graft {
namespace {

Node node(const std::string& name, const std::string& cls, std::vector<std::string> inputs,
          Json config = Json::object()) {
  Node n;
  n.name = name;
  n.className = cls;
  n.config = LayerRegistry::standard().normalizeConfig(cls, config);
  n.inputs = std::move(inputs);
  return n;
}

Node input(const std::string& name) {
  return node(name, "InputLayer", {}, {{"batch_input_shape", {nullptr, 8, 8, 3}}});
}

bool hasDiagnostic(const Diagnostics& d, const std::string& subject, const std::string& text) {
  for (const auto& x : d)
    if (x.subject == subject && x.message.find(text) != std::string::npos) return true;
  return false;
}

TEST(GraphStructure, CycleIsRejectedNamingItsLayers) {
  Graph g("m", {input("in"), node("a", "ReLU", {"b"}), node("b", "ReLU", {"a"})}, {"b"});
  const Diagnostics d = g.validate();
  EXPECT_TRUE(hasDiagnostic(d, "a", "cycle")) << joinDiagnostics(d);
  EXPECT_TRUE(hasDiagnostic(d, "b", "cycle"));
  EXPECT_FALSE(analyze(g).ok());
}

TEST(GraphStructure, DanglingInputIsRejected) {
  Graph g("m", {input("in"), node("a", "ReLU", {"nowhere"})});
  EXPECT_TRUE(hasDiagnostic(g.validate(), "a", "input 'nowhere' is not a layer"));
}

TEST(GraphStructure, DuplicateNamesAreRejected) {
  Graph g("m", {input("in"), node("a", "ReLU", {"in"}), node("a", "ReLU", {"in"})});
  EXPECT_TRUE(hasDiagnostic(g.validate(), "a", "duplicate layer name"));
}

TEST(GraphStructure, WrongInputCountsAreRejected) {
  Graph twoIntoDense("m", {input("in"), input("in2"), node("d", "Dense", {"in", "in2"})});
  EXPECT_TRUE(hasDiagnostic(analyze(twoIntoDense).diagnostics, "d", "expects 1 input, got 2"));
  Graph oneIntoAdd("m", {input("in"), node("add", "Add", {"in"})});
  EXPECT_TRUE(
      hasDiagnostic(analyze(oneIntoAdd).diagnostics, "add", "expects at least 2 inputs, got 1"));
}

TEST(GraphStructure, UnknownOutputIsRejected) {
  Graph g("m", {input("in")}, {"ghost"});
  EXPECT_TRUE(hasDiagnostic(g.validate(), "ghost", "no layer has this name"));
}

TEST(GraphStructure, TopologicalOrderPutsProducersFirst) {
  // Nodes listed consumers-first on purpose.
  Graph g("m", {node("add", "Add", {"r1", "r2"}), node("r2", "ReLU", {"in"}),
                node("r1", "ReLU", {"in"}), input("in")});
  auto order = g.topologicalOrder();
  ASSERT_TRUE(order.ok());
  std::vector<std::string> names;
  for (size_t i : *order) names.push_back(g.nodes()[i].name);
  EXPECT_EQ(names, (std::vector<std::string>{"in", "r2", "r1", "add"}));
  EXPECT_EQ(g.outputs(), std::vector<std::string>{"add"});
  EXPECT_EQ(g.consumers("in"), (std::vector<std::string>{"r2", "r1"}));
}

TEST(GraphStructure, DiagnosticsStopAtTheSourceOfAProblem) {
  GraphBuilder b("m");
  auto x = b.input("in", {kUnknown, 4096});
  x = b.add("Conv2D", "block3_conv1", {{"filters", 8}}, x);
  x = b.add("Conv2D", "block3_conv2", {{"filters", 8}}, x);
  const GraphAnalysis a = analyze(b.build());
  ASSERT_EQ(a.diagnostics.size(), 1u);
  EXPECT_EQ(a.diagnostics[0].str(),
            "block3_conv1: expects a 4-D input (batch, h, w, c), got (None, 4096)");
}

TEST(GraphStructure, FrozenLayersCountAsNonTrainable) {
  GraphBuilder b("m");
  auto x = b.input("in", {kUnknown, 4, 4, 3});
  x = b.add("Conv2D", "c", {{"filters", 2}}, x);
  b.setTrainable("c", false);
  x = b.add("Flatten", "f", {}, x);
  b.add("Dense", "d", {{"units", 3}}, x);
  const GraphAnalysis a = analyze(b.build());
  EXPECT_EQ(a.totalParams, (3 * 3 * 3 * 2 + 2) + (8 * 3 + 3));
  EXPECT_EQ(a.trainableParams, 8 * 3 + 3);
  EXPECT_EQ(a.nonTrainableParams(), 3 * 3 * 3 * 2 + 2);
}

TEST(LayerRegistry, EveryTypeHasEveryPiece) {
  const auto& registry = LayerRegistry::standard();
  const std::vector<std::string> required = {"InputLayer",
                                             "Conv2D",
                                             "DepthwiseConv2D",
                                             "SeparableConv2D",
                                             "Dense",
                                             "BatchNormalization",
                                             "Activation",
                                             "ReLU",
                                             "LeakyReLU",
                                             "MaxPooling2D",
                                             "AveragePooling2D",
                                             "GlobalAveragePooling2D",
                                             "GlobalMaxPooling2D",
                                             "ZeroPadding2D",
                                             "Cropping2D",
                                             "Flatten",
                                             "Dropout",
                                             "Reshape",
                                             "Add",
                                             "Multiply",
                                             "Concatenate",
                                             "Rescaling"};
  for (const auto& cls : required) EXPECT_NE(registry.find(cls), nullptr) << cls;
  for (const auto& cls : registry.classNames()) {
    const LayerType& t = registry.at(cls);
    EXPECT_TRUE(t.outputShape) << cls;
    EXPECT_TRUE(t.defaults.is_object()) << cls;
    EXPECT_FALSE(t.summary.empty()) << cls;
  }
  for (const auto& cls :
       {"Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense", "BatchNormalization"})
    EXPECT_TRUE(registry.at(cls).weights) << cls;
}

TEST(LayerRegistry, NormalizeFillsKerasDefaults) {
  const Json c =
      LayerRegistry::standard().normalizeConfig("Conv2D", {{"filters", 16}, {"kernel_size", 5}});
  EXPECT_EQ(c["kernel_size"], Json::array({5, 5}));
  EXPECT_EQ(c["strides"], Json::array({1, 1}));
  EXPECT_EQ(c["padding"], "valid");
  EXPECT_EQ(c["activation"], "linear");
  EXPECT_EQ(c["use_bias"], true);
  EXPECT_EQ(c["dilation_rate"], Json::array({1, 1}));
  const Json bn = LayerRegistry::standard().normalizeConfig("BatchNormalization", Json::object());
  EXPECT_DOUBLE_EQ(bn["epsilon"].get<double>(), 1e-3);
  EXPECT_DOUBLE_EQ(bn["momentum"].get<double>(), 0.99);
  EXPECT_THROW(LayerRegistry::standard().at("Conv3D"), Error);
}

}  // namespace
}  // namespace graft
