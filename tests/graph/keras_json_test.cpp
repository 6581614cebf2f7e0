// Graphs load and save as Keras model_config JSON.
#include <gtest/gtest.h>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "graph/keras_json.h"

namespace graft {
namespace {

Graph branchyGraph() {
  GraphBuilder b("branchy");
  auto x = b.input("input_1", {kUnknown, 16, 16, 3});
  auto c = b.add("Conv2D", "conv", {{"filters", 3}, {"padding", "same"}}, x);
  auto bn = b.add("BatchNormalization", "bn", {}, c);
  auto add = b.add("Add", "add", {}, {x, bn});
  auto pool = b.add("GlobalAveragePooling2D", "gap", {}, add);
  b.add("Dense", "out", {{"units", 2}, {"activation", "softmax"}}, pool);
  b.setTrainable("conv", false);
  return b.build();
}

TEST(KerasJson, FunctionalGraphWithBranchRoundTripsUnchanged) {
  const Graph g = branchyGraph();
  const Json saved = graphToKerasJson(g);
  const Graph back = graphFromKerasJsonText(saved.dump());
  EXPECT_EQ(back, g);
  EXPECT_EQ(graphToKerasJson(back), saved);
  EXPECT_EQ(saved["config"]["layers"][3]["inbound_nodes"][0][1][0], "bn");
  EXPECT_EQ(saved["config"]["layers"][1]["config"]["trainable"], false);
}

TEST(KerasJson, ReadsKeras2FunctionalConfig) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 32, 32, 3], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Conv2D", "config": {"name": "c", "trainable": true, "filters": 4, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same"}, "name": "c", "inbound_nodes": [[["in", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["c", 0, 0]]}})";
  const Graph g = graphFromKerasJsonText(text);
  const GraphAnalysis a = analyze(g);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.find("c")->outputShape, (Shape{kUnknown, 16, 16, 4}));
  EXPECT_EQ(g.outputs(), std::vector<std::string>{"c"});
}

TEST(KerasJson, ReadsKeras3InboundNodes) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Dense", "config": {"name": "a", "units": 4}, "name": "a", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "keras_history": ["in", 0, 0]}}], "kwargs": {}}]},
    {"class_name": "Add", "config": {"name": "s"}, "name": "s", "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__", "config": {"keras_history": ["in", 0, 0]}}, {"class_name": "__keras_tensor__", "config": {"keras_history": ["a", 0, 0]}}]], "kwargs": {}}]}],
    "input_layers": ["in", 0, 0], "output_layers": ["s", 0, 0]}})";
  const Graph g = graphFromKerasJsonText(text);
  EXPECT_EQ(g.at("s").inputs, (std::vector<std::string>{"in", "a"}));
  EXPECT_TRUE(analyze(g).ok());
}

TEST(KerasJson, ReadsSequentialAndKeras1Layers) {
  const char* text = R"({"class_name": "Sequential", "config": [
    {"class_name": "Convolution2D", "config": {"name": "c", "nb_filter": 8, "nb_row": 3, "nb_col": 3, "border_mode": "same", "subsample": [1, 1], "bias": true, "batch_input_shape": [null, 8, 8, 1], "dim_ordering": "tf"}},
    {"class_name": "Flatten", "config": {"name": "f"}},
    {"class_name": "Dense", "config": {"name": "d", "output_dim": 3}}]})";
  const Graph g = graphFromKerasJsonText(text);
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g.nodes()[0].className, "InputLayer");
  const GraphAnalysis a = analyze(g);
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  EXPECT_EQ(a.find("d")->outputShape, (Shape{kUnknown, 3}));
  EXPECT_EQ(a.totalParams, (9 * 8 + 8) + (8 * 8 * 8 * 3 + 3));
}

// Keras 1's Merge modes "ave" and "max" are today's Average and Maximum (no axis).
TEST(KerasJson, Keras1MergeAveAndMaxBecomeAverageAndMaximum) {
  for (const auto& [mode, cls] : std::vector<std::pair<std::string, std::string>>{
           {"ave", "Average"}, {"max", "Maximum"}, {"sum", "Add"}}) {
    const Json upgraded = upgradeKeras1Layer(
        {{"class_name", "Merge"},
         {"config", {{"name", "m"}, {"mode", mode}, {"concat_axis", -1}, {"dot_axes", -1}}}});
    EXPECT_EQ(upgraded.at("class_name"), cls) << mode;
    EXPECT_EQ(upgraded.at("config"), (Json{{"name", "m"}})) << mode;
  }
  EXPECT_THROW(upgradeKeras1Layer({{"class_name", "Merge"}, {"config", {{"mode", "cos"}}}}), Error);
}

TEST(KerasJson, ErrorsNameTheLayer) {
  const char* unknown = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "Conv3D", "config": {"name": "v"}, "name": "v", "inbound_nodes": []}]}})";
  try {
    graphFromKerasJsonText(unknown);
    FAIL();
  } catch (const Error& e) {
    // One message naming the type and the first layer that uses it.
    EXPECT_NE(std::string(e.what()).find("Conv3D (first used by layer 'v')"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(graphFromKerasJsonText("{not json"), Error);
  const char* shared = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4]}, "name": "in", "inbound_nodes": []},
    {"class_name": "Dense", "config": {"units": 4}, "name": "d", "inbound_nodes": [[["in", 0, 0, {}]], [["in", 0, 0, {}]]]}]}})";
  EXPECT_THROW(graphFromKerasJsonText(shared), Error);
}


// Normalization as tf.keras 2.x writes it (axis a list, mean and variance null: weights) and as
// Keras 3 writes it with the constants in the config (invert too).
TEST(KerasJson, ReadsNormalizationConfigs) {
  const char* keras2 = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 3], "dtype": "float32", "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Normalization", "config": {"name": "normalization", "trainable": true, "dtype": "float32", "axis": [-1], "mean": null, "variance": null}, "name": "normalization", "inbound_nodes": [[["in", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["normalization", 0, 0]]}, "keras_version": "2.9.0"})";
  const GraphAnalysis a2 = analyze(graphFromKerasJsonText(keras2));
  ASSERT_TRUE(a2.ok()) << joinDiagnostics(a2.diagnostics);
  EXPECT_EQ(a2.totalParams, 7);  // mean 3, variance 3, count 1, as Keras's summary counts
  EXPECT_EQ(a2.trainableParams, 0);

  const char* keras3 = R"({"module": "keras", "class_name": "Functional", "config": {"name": "m", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "name": "in"}, "registered_name": null, "name": "in", "inbound_nodes": []},
    {"module": "keras.layers", "class_name": "Normalization", "config": {"name": "normalization", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": [-1], "invert": true, "mean": [1.0, 2.0, 3.0, 4.0], "variance": 2.0}, "registered_name": null, "build_config": {"input_shape": [null, 4]}, "name": "normalization", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["in", 0, 0]}}], "kwargs": {}}]}],
    "input_layers": ["in", 0, 0], "output_layers": ["normalization", 0, 0]}, "registered_name": "Functional"})";
  const Graph g3 = graphFromKerasJsonText(keras3);
  const GraphAnalysis a3 = analyze(g3);
  ASSERT_TRUE(a3.ok()) << joinDiagnostics(a3.diagnostics);
  EXPECT_EQ(a3.totalParams, 0);
  EXPECT_EQ(g3.at("normalization").config.at("invert"), true);
  EXPECT_EQ(g3.at("normalization").config.at("variance"), 2.0);
}


// Conv2DTranspose as tf.keras 2.x writes it (output_padding null) and as Keras 3 writes it.
TEST(KerasJson, ReadsConv2DTransposeConfigs) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 3], "dtype": "float32", "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Conv2DTranspose", "config": {"name": "up", "trainable": true, "dtype": "float32", "filters": 6, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "output_padding": null}, "name": "up", "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"module": "keras.layers", "class_name": "Conv2DTranspose", "config": {"name": "up2", "trainable": true, "filters": 2, "kernel_size": [2, 2], "strides": [2, 2], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear", "use_bias": false, "output_padding": [1, 0]}, "registered_name": null, "name": "up2", "inbound_nodes": [[["up", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["up2", 0, 0]]}})";
  const GraphAnalysis a = analyze(graphFromKerasJsonText(text));
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  EXPECT_EQ(a.find("up")->outputShape, (Shape{kUnknown, 16, 16, 6}));
  EXPECT_EQ(a.find("up2")->outputShape, (Shape{kUnknown, 33, 32, 2}));
  EXPECT_EQ(a.totalParams, (3 * 3 * 6 * 3 + 6) + 2 * 2 * 2 * 6);
}

}  // namespace
}  // namespace graft
