// Nested models named where a layer is expected (Grad-CAM, the cut-point explorer, summary's
// "Connected to"): found by their path or their own name, their output layer named instead.
#include <gtest/gtest.h>

#include <algorithm>

#include "graph/keras_json.h"
#include "graph/nested_model.h"
#include "graph/one_output.h"
#include "graph/summary.h"
#include "surgery_models.h"

namespace graft {
namespace {

// chainGraph with conv_a and pool in "base" (a Sequential) and conv_b in "base/inner".
Graph nestedChain() {
  std::vector<Node> nodes = test::chainGraph().nodes();
  for (Node& node : nodes) {
    if (node.name == "conv_a" || node.name == "pool") node.group = "base";
    if (node.name == "conv_b") node.group = "base/inner";
  }
  return Graph("nested", nodes, {}, {{"base", "Sequential"}, {"base/inner", "Functional"}});
}

TEST(NestedModel, IsFoundByItsPathOrItsOwnName) {
  const Graph graph = nestedChain();
  ASSERT_NE(findNestedModel(graph, "inner"), nullptr);
  EXPECT_EQ(findNestedModel(graph, "inner")->path, "base/inner");
  EXPECT_EQ(findNestedModel(graph, "base/inner")->path, "base/inner");
  EXPECT_EQ(findNestedModel(graph, "base")->className, "Sequential");
  EXPECT_EQ(findNestedModel(graph, "conv_a"), nullptr);  // a layer, not a nested model
  EXPECT_EQ(findNestedModel(graph, "missing"), nullptr);
}

TEST(NestedModel, ItsOutputIsTheLayerReadFromOutsideIt) {
  const Graph graph = nestedChain();
  EXPECT_EQ(nestedModelOutput(graph, "base"), "pool");
  EXPECT_EQ(nestedModelOutput(graph, "base/inner"), "conv_b");
}

TEST(NestedModel, NamedAsALayerItSaysWhichLayerToName) {
  const Graph graph = nestedChain();
  EXPECT_EQ(nestedModelNotALayer(graph, "base").value(),
            "is a nested model (Sequential) of 3 layers, not a layer: name its output layer "
            "'pool'");
  EXPECT_EQ(nestedModelNotALayer(graph, "inner").value(),
            "is a nested model (Functional) of 1 layer, not a layer: name its output layer "
            "'conv_b'");
  EXPECT_FALSE(nestedModelNotALayer(graph, "conv_a").has_value());
  EXPECT_FALSE(nestedModelNotALayer(graph, "missing").has_value());

  // Two nested models of one name: their paths tell them apart.
  std::vector<Node> nodes = test::chainGraph().nodes();
  for (Node& node : nodes) {
    if (node.name == "conv_a") node.group = "a/inner";
    if (node.name == "conv_b") node.group = "b/inner";
  }
  const Graph twice("twice", nodes);
  EXPECT_EQ(findNestedModel(twice, "inner"), nullptr);
  EXPECT_EQ(nestedModelNotALayer(twice, "inner").value(),
            "names 2 nested models (a/inner, b/inner), not a layer: name the output layer of "
            "the one meant");
  EXPECT_EQ(nestedModelNotALayer(twice, "a/inner").value(),
            "is a nested model (Functional) of 1 layer, not a layer: name its output layer "
            "'conv_a'");
}

// Keras's collapsed summary connects a layer after a nested model to the model's row, not to a
// layer inside it that the table does not show.
TEST(NestedModel, TheCollapsedSummaryConnectsToTheNestedModel) {
  const Graph graph = nestedChain();
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  const std::vector<SummaryRow> collapsed = summaryRows(graph, analysis, {false});
  const auto flatten = std::find_if(collapsed.begin(), collapsed.end(),
                                    [](const SummaryRow& row) { return row.name == "flatten"; });
  ASSERT_NE(flatten, collapsed.end());
  EXPECT_EQ(flatten->inputs, std::vector<std::string>{"base"});
  const std::vector<SummaryRow> expanded = summaryRows(graph, analysis, {true});
  const auto inside = std::find_if(expanded.begin(), expanded.end(),
                                   [](const SummaryRow& row) { return row.name == "flatten"; });
  ASSERT_NE(inside, expanded.end());
  EXPECT_EQ(inside->inputs, std::vector<std::string>{"pool"});
  // Rows: the nested models with their totals, before their layers when expanded.
  std::vector<std::string> names;
  for (const SummaryRow& row : expanded)
    names.push_back(row.isGroup ? "[" + row.name + "]" : row.name);
  EXPECT_EQ(names, (std::vector<std::string>{"input", "[base]", "conv_a", "[base/inner]", "conv_b",
                                             "pool", "flatten", "fc", "out"}));
  EXPECT_EQ(expanded[1].params, analysis.find("conv_a")->params + analysis.find("conv_b")->params);
  EXPECT_EQ(expanded[3].depth, 1);
  EXPECT_EQ(expanded[4].depth, 2);
}

// Two inputs: refused naming them (it said "this one has 2").
TEST(OneInput, ARefusalNamesTheInputs) {
  GraphBuilder b("two_in");
  const auto a = b.input("image", {kUnknown, 8, 8, 3});
  const auto c = b.input("mask", {kUnknown, 8, 8, 3});
  b.add("Add", "add", {}, {a, c});
  const Graph graph = b.build();
  try {
    requireOneInput(graph, "exports need");
    ADD_FAILURE() << "no refusal";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "exports need a model with one input; 'two_in' has 2 (image, mask): Graft feeds a "
              "model one batch of images");
  }
  EXPECT_NO_THROW(requireOneInput(test::chainGraph(), "exports need"));
}

// A nested model holding a layer named like one of the outer model's (Keras allows it: names
// are unique within each model) is refused naming both places, not as a "duplicate layer name".
TEST(NestedModel, ANameSharedWithTheOuterModelIsRefusedNamingBothPlaces) {
  const Json config = Json::parse(R"({"class_name": "Functional", "config": {"name": "outer",
    "layers": [
      {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
       "config": {"name": "input_1", "batch_input_shape": [null, 8, 8, 3]}},
      {"class_name": "Sequential", "name": "base", "inbound_nodes": [[["input_1", 0, 0, {}]]],
       "config": {"name": "base", "layers": [
         {"class_name": "InputLayer", "config": {"name": "input_1",
                                                  "batch_input_shape": [null, 8, 8, 3]}},
         {"class_name": "Flatten", "config": {"name": "flatten"}},
         {"class_name": "Dense", "config": {"name": "dense", "units": 5}}]}},
      {"class_name": "Dense", "name": "dense", "config": {"name": "dense", "units": 2},
       "inbound_nodes": [[["base", 0, 0, {}]]]}],
    "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}})");
  try {
    graphFromKerasJson(config, LayerRegistry::standard());
    FAIL() << "two layers named dense became one graph";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dense: names a layer in the nested model 'base' and "
                                         "one in the outer model"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace graft
