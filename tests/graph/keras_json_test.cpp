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

// Keras 3 names a Functional's inputs and outputs when they were given as dicts: the layers are
// read, and the names are told (an export writes plain tensors).
TEST(KerasJson, NamedInputsAndOutputsAreReadAndTold) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Dense", "config": {"name": "a", "units": 4}, "name": "a", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "keras_history": ["in", 0, 0]}}], "kwargs": {}}]}],
    "input_layers": {"image": ["in", 0, 0]}, "output_layers": {"probs": ["a", 0, 0]}}})";
  const Graph g = graphFromKerasJsonText(text);
  EXPECT_EQ(g.outputs(), std::vector<std::string>{"a"});
  EXPECT_EQ(namedInputsAndOutputsOf(Json::parse(text)), "inputs: image; outputs: probs");
  const char* lists = R"({"class_name": "Functional", "config": {"name": "m", "layers": [],
    "input_layers": [["in", 0, 0]], "output_layers": [["c", 0, 0]]}})";
  EXPECT_EQ(namedInputsAndOutputsOf(Json::parse(lists)), "");
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

// A base loaded from a file and called on a new Input: both are often input_1. The inner name
// means the nested model's own input, the outer one the model's (read as a cycle before).
TEST(KerasJson, ANestedModelsInputMayShareTheOuterInputsName) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "outer", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 3], "name": "input_1"}, "name": "input_1", "inbound_nodes": []},
    {"class_name": "TFOpLambda", "config": {"name": "tf.math.truediv", "function": "math.truediv"}, "name": "tf.math.truediv", "inbound_nodes": [["input_1", 0, 0, {"y": 127.5, "name": null}]]},
    {"class_name": "Functional", "config": {"name": "base", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 3], "name": "input_1"}, "name": "input_1", "inbound_nodes": []},
        {"class_name": "Conv2D", "config": {"name": "conv", "filters": 4, "kernel_size": [3, 3]}, "name": "conv", "inbound_nodes": [[["input_1", 0, 0, {}]]]}],
      "input_layers": [["input_1", 0, 0]], "output_layers": [["conv", 0, 0]]},
     "name": "base", "inbound_nodes": [[["tf.math.truediv", 0, 0, {}]]]},
    {"class_name": "Sequential", "config": {"name": "head", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 6, 6, 4], "name": "input_1"}},
        {"class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}}]},
     "name": "head", "inbound_nodes": [[["base", 0, 0, {}]]]}],
    "input_layers": [["input_1", 0, 0]], "output_layers": [["head", 0, 0]]}})";
  const Graph g = graphFromKerasJsonText(text);
  EXPECT_EQ(g.inputs(), std::vector<std::string>{"input_1"});
  EXPECT_EQ(g.at("tf.math.truediv").inputs, std::vector<std::string>{"input_1"});
  EXPECT_EQ(g.at("conv").inputs, std::vector<std::string>{"tf.math.truediv"});
  EXPECT_EQ(g.at("gap").inputs, std::vector<std::string>{"conv"});
  EXPECT_EQ(g.outputs(), std::vector<std::string>{"gap"});
  const GraphAnalysis a = analyze(g);
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  EXPECT_EQ(a.find("gap")->outputShape, (Shape{kUnknown, 4}));
}

// The image-classification tutorial's model: a data_augmentation Sequential of Random* layers
// (the identity outside training) before Rescaling. They are left out, named for the loader.
TEST(KerasJson, AugmentationLayersAreLeftOutAndNamed) {
  const char* text = R"({"class_name": "Sequential", "config": {"name": "tutorial", "layers": [
    {"class_name": "Sequential", "config": {"name": "data_augmentation", "layers": [
      {"class_name": "RandomFlip", "config": {"name": "random_flip", "mode": "horizontal", "batch_input_shape": [null, 8, 8, 3]}},
      {"class_name": "RandomRotation", "config": {"name": "random_rotation", "factor": 0.1}},
      {"class_name": "RandomZoom", "config": {"name": "random_zoom", "height_factor": 0.1}}]}},
    {"class_name": "Rescaling", "config": {"name": "rescaling", "scale": 0.00392156862745098, "offset": 0.0}},
    {"class_name": "Conv2D", "config": {"name": "conv", "filters": 4, "kernel_size": [3, 3]}}]}})";
  const Graph g = graphFromKerasJsonText(text);
  EXPECT_FALSE(g.find("random_flip"));
  EXPECT_FALSE(g.find("random_rotation"));
  ASSERT_EQ(g.inputs().size(), 1u);
  EXPECT_EQ(g.at("rescaling").inputs, g.inputs());
  const GraphAnalysis a = analyze(g);
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  EXPECT_EQ(a.find("conv")->outputShape, (Shape{kUnknown, 6, 6, 4}));
  EXPECT_EQ(
      augmentationLayersLeftOut(Json::parse(text)),
      (std::vector<std::string>{"RandomFlip 'random_flip'", "RandomRotation 'random_rotation'",
                                "RandomZoom 'random_zoom'"}));

  // In a functional model its consumers read its input.
  const char* functional = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 3], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "RandomContrast", "config": {"name": "contrast", "factor": 0.2}, "name": "contrast", "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [1, 1]}, "name": "c", "inbound_nodes": [[["contrast", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["c", 0, 0]]}})";
  const Graph f = graphFromKerasJsonText(functional);
  EXPECT_EQ(f.at("c").inputs, std::vector<std::string>{"in"});
  EXPECT_FALSE(f.find("contrast"));
}

// A Keras 3 model config with the three layers Graft once refused: RandomCrop at its input's
// size, AutoContrast (it computes at inference) and LayerNormalization over [1, 2, 3] (as
// Keras 3 saves axis=[-3, -2, -1] after build: sorted and positive). They open with Keras's
// shapes and LayerNormalization's gamma and beta shaped like the normalized axes.
TEST(KerasJson, Keras3RandomCropAutoContrastAndLayerNormalizationOverAxesOpen) {
  const auto call = [](const char* from) {
    return std::string(
               R"([{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 8, 8, 3], "dtype": "float32", "keras_history": [")") +
           from + R"(", 0, 0]}}], "kwargs": {}}])";
  };
  const std::string text =
      std::string(
          R"({"module": "keras", "class_name": "Functional", "config": {"name": "m", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 8, 8, 3], "dtype": "float32", "name": "in"}, "registered_name": null, "name": "in", "inbound_nodes": []},
    {"module": "keras.layers", "class_name": "RandomCrop", "config": {"name": "random_crop", "trainable": true, "dtype": "float32", "height": 8, "width": 8, "seed": 1234, "data_format": "channels_last"}, "registered_name": null, "name": "random_crop", "inbound_nodes": )") +
      call("in") + R"(},
    {"module": "keras.layers", "class_name": "AutoContrast", "config": {"name": "auto_contrast", "trainable": true, "dtype": "float32", "value_range": [0, 1]}, "registered_name": null, "name": "auto_contrast", "inbound_nodes": )" +
      call("random_crop") + R"(},
    {"module": "keras.layers", "class_name": "LayerNormalization", "config": {"name": "ln", "trainable": true, "dtype": "float32", "axis": [1, 2, 3], "epsilon": 0.001, "center": true, "scale": true, "rms_scaling": false}, "registered_name": null, "build_config": {"input_shape": [null, 8, 8, 3]}, "name": "ln", "inbound_nodes": )" +
      call("auto_contrast") + R"(}],
    "input_layers": [["in", 0, 0]], "output_layers": [["ln", 0, 0]]}})";
  const Graph g = graphFromKerasJsonText(text, LayerRegistry::standard(), "3.13.2");
  ASSERT_TRUE(g.find("random_crop"));
  EXPECT_EQ(g.at("random_crop").className, "RandomCrop");
  EXPECT_EQ(g.at("auto_contrast").className, "AutoContrast");
  EXPECT_EQ(g.at("auto_contrast").config.at("value_range"), Json::array({0, 1}));
  EXPECT_EQ(g.at("ln").inputs, std::vector<std::string>{"auto_contrast"});
  const GraphAnalysis a = analyze(g);
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  EXPECT_EQ(a.find("random_crop")->outputShape, (Shape{kUnknown, 8, 8, 3}));
  EXPECT_EQ(a.find("auto_contrast")->outputShape, (Shape{kUnknown, 8, 8, 3}));
  ASSERT_EQ(a.find("ln")->weights.size(), 2u);
  EXPECT_EQ(a.find("ln")->weights[0].shape, (Shape{8, 8, 3}));
  EXPECT_EQ(a.totalParams, 2 * 8 * 8 * 3);
  EXPECT_TRUE(augmentationLayersLeftOut(Json::parse(text)).empty());

  // Keras takes AutoContrast's minimum and maximum over axes 1 and 2 whatever its data_format:
  // channels_first would be channels and height, refused naming the layer.
  std::string channelsFirst = text;
  const std::string range = R"("value_range": [0, 1])";
  channelsFirst.replace(channelsFirst.find(range), range.size(),
                        range + R"(, "data_format": "channels_first")");
  try {
    graphFromKerasJsonText(channelsFirst);
    ADD_FAILURE() << "a channels_first AutoContrast was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("auto_contrast: is an AutoContrast with data_format"),
              std::string::npos)
        << e.what();
  }
}

// Keras 3's model.quantize("int8") changes a layer's weights (int8 kernel and its scale): the
// refusal names the layer and the quantization, not a weight count.
TEST(KerasJson, AQuantizedLayerIsRefusedAsQuantized) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "q", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Dense", "config": {"name": "dense", "units": 2, "dtype": {"module": "keras", "class_name": "QuantizedDTypePolicy", "config": {"name": "int8_from_float32", "source_name": "float32"}}}, "name": "dense", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["in", 0, 0]}}], "kwargs": {}}]}],
    "input_layers": ["in", 0, 0], "output_layers": ["dense", 0, 0]}})";
  try {
    graphFromKerasJsonText(text);
    ADD_FAILURE() << "a quantized layer was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dense: is quantized (QuantizedDTypePolicy int8"),
              std::string::npos)
        << e.what();
  }
  // Keras 3.4+ writes the mode, not a name: said too (it read "(QuantizedDTypePolicy )").
  std::string newer = text;
  const std::string older = R"("name": "int8_from_float32")";
  newer.replace(newer.find(older), older.size(), R"("mode": "int8")");
  try {
    graphFromKerasJsonText(newer);
    ADD_FAILURE() << "a quantized layer was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(QuantizedDTypePolicy int8)"), std::string::npos)
        << e.what();
  }
}

// A mixed-precision model computed in 16 bits in Keras; Graft says it computes in float32.
TEST(KerasJson, AMixedPrecisionPolicyIsFound) {
  const Json keras3 =
      Json::parse(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "name": "in"}},
    {"class_name": "Dense", "config": {"name": "d", "units": 2, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}}}]}})");
  EXPECT_EQ(mixedPrecisionPolicyOf(keras3), "mixed_float16");
  Json plain = keras3;
  plain["config"]["layers"][1]["config"]["dtype"] = "float32";
  EXPECT_EQ(mixedPrecisionPolicyOf(plain), "");
  Json keras2 = keras3;  // tf.keras 2: {"class_name": "Policy", "config": {"name": ...}}
  keras2["config"]["layers"][1]["config"]["dtype"] =
      Json::parse(R"({"class_name": "Policy", "config": {"name": "mixed_bfloat16"}})");
  EXPECT_EQ(mixedPrecisionPolicyOf(keras2), "mixed_bfloat16");
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

  const char* keras3 =
      R"({"module": "keras", "class_name": "Functional", "config": {"name": "m", "layers": [
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

// log_softmax as each Keras writes it: Keras 3 by its name, tf.keras by tf.nn's function name
// (log_softmax_v2; keras/activations.py maps only softmax_v2 back); both read as log_softmax.
TEST(KerasJson, LogSoftmaxActivationReadsAsEachKerasWritesIt) {
  for (const std::string written : {"log_softmax", "log_softmax_v2"}) {
    SCOPED_TRACE(written);
    const std::string text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Dense", "config": {"name": "fc", "units": 3, "activation": ")" +
                             written + R"("}, "name": "fc", "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "Activation", "config": {"name": "act", "activation": ")" +
                             written +
                             R"("}, "name": "act", "inbound_nodes": [[["fc", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["act", 0, 0]]}, "keras_version": "2.15.0"})";
    const Graph g = graphFromKerasJsonText(text);
    EXPECT_EQ(g.at("fc").config.at("activation"), "log_softmax");
    EXPECT_EQ(g.at("act").config.at("activation"), "log_softmax");
    const GraphAnalysis a = analyze(g);
    ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
    EXPECT_EQ(a.find("act")->outputShape, (Shape{kUnknown, 3}));
    // Saved again under the name every Keras reads.
    EXPECT_EQ(graphToKerasJson(g)["config"]["layers"][1]["config"]["activation"], "log_softmax");
  }
}

// MobileNetV3's hard-swish as tf.keras 2.6-2.15 writes it: hard_sigmoid(x) = ReLU(6)(x + 3.0) *
// (1 / 6) as two TFOpLambda layers whose constants sit in the inbound node's kwargs (the node a
// bare reference, not wrapped in a list), then Multiply; and the squeeze-and-excitation
// Multiply of (N, H, W, C) by (N, 1, 1, C).
const char* kHardSwishBlock = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 4], "dtype": "float32", "name": "in"}, "name": "in", "inbound_nodes": []},
  {"class_name": "Conv2D", "config": {"name": "conv", "filters": 4, "kernel_size": [1, 1]}, "name": "conv", "inbound_nodes": [[["in", 0, 0, {}]]]},
  {"class_name": "TFOpLambda", "config": {"name": "tf.__operators__.add", "trainable": true, "dtype": "float32", "function": "__operators__.add"}, "name": "tf.__operators__.add", "inbound_nodes": [["conv", 0, 0, {"y": 3.0, "name": null}]]},
  {"class_name": "ReLU", "config": {"name": "re_lu", "trainable": true, "dtype": "float32", "max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}, "name": "re_lu", "inbound_nodes": [[["tf.__operators__.add", 0, 0, {}]]]},
  {"class_name": "TFOpLambda", "config": {"name": "tf.math.multiply", "trainable": true, "dtype": "float32", "function": "math.multiply"}, "name": "tf.math.multiply", "inbound_nodes": [["re_lu", 0, 0, {"y": 0.16666666666666666, "name": null}]]},
  {"class_name": "Multiply", "config": {"name": "multiply", "trainable": true, "dtype": "float32"}, "name": "multiply", "inbound_nodes": [[["conv", 0, 0, {}], ["tf.math.multiply", 0, 0, {}]]]},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "se_pool", "data_format": "channels_last", "keepdims": true}, "name": "se_pool", "inbound_nodes": [[["multiply", 0, 0, {}]]]},
  {"class_name": "Multiply", "config": {"name": "se_mul"}, "name": "se_mul", "inbound_nodes": [[["multiply", 0, 0, {}], ["se_pool", 0, 0, {}]]]}],
  "input_layers": [["in", 0, 0]], "output_layers": [["se_mul", 0, 0]]}, "keras_version": "2.9.0", "backend": "tensorflow"})";

TEST(KerasJson, ReadsTfOpLambdaArithmeticAsKerasWritesIt) {
  const Graph g = graphFromKerasJsonText(kHardSwishBlock);
  const Node& add = g.at("tf.__operators__.add");
  EXPECT_EQ(add.className, "TFOpLambda");
  EXPECT_EQ(add.config.at("function"), "__operators__.add");
  EXPECT_EQ(add.config.at("operands"), Json::array({nullptr, 3.0}));
  EXPECT_EQ(add.inputs, std::vector<std::string>{"conv"});
  EXPECT_EQ(g.at("tf.math.multiply").config.at("operands"),
            Json::array({nullptr, 0.16666666666666666}));
  const GraphAnalysis a = analyze(g);
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  EXPECT_EQ(a.find("se_mul")->outputShape, (Shape{kUnknown, 8, 8, 4}));
  EXPECT_EQ(a.find("tf.math.multiply")->params, 0);

  // Written back in Keras's form (which Keras reads), and read back to the same graph.
  const Json saved = graphToKerasJson(g);
  for (const auto& layer : saved["config"]["layers"])
    if (layer["name"] == "tf.__operators__.add") {
      EXPECT_EQ(layer["inbound_nodes"],
                Json::parse(R"([["conv", 0, 0, {"y": 3.0, "name": null}]])"));
      EXPECT_FALSE(layer["config"].contains("operands"));
    }
  EXPECT_EQ(graphFromKerasJsonText(saved.dump()), g);
}

// A constant first operand (1.0 - x: ["_CONSTANT_VALUE", -1, 1.0, {"y": tensor}]), two tensors
// (x * y with y a reference in the kwargs), a unary function, and Keras's wrapped form.
TEST(KerasJson, ReadsTfOpLambdaOperandsInEveryPosition) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 6], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Dense", "config": {"name": "d", "units": 6}, "name": "d", "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "TFOpLambda", "config": {"name": "tf.math.subtract", "function": "math.subtract"}, "name": "tf.math.subtract", "inbound_nodes": [["_CONSTANT_VALUE", -1, 1.0, {"y": ["d", 0, 0], "name": null}]]},
    {"class_name": "TFOpLambda", "config": {"name": "tf.math.truediv", "function": "math.truediv"}, "name": "tf.math.truediv", "inbound_nodes": [["tf.math.subtract", 0, 0, {"y": ["in", 0, 0], "name": null}]]},
    {"class_name": "TFOpLambda", "config": {"name": "tf.nn.relu6", "function": "nn.relu6"}, "name": "tf.nn.relu6", "inbound_nodes": [[["tf.math.truediv", 0, 0, {"name": null}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["tf.nn.relu6", 0, 0]]}})";
  const Graph g = graphFromKerasJsonText(text);
  EXPECT_EQ(g.at("tf.math.subtract").config.at("operands"), Json::array({1.0, nullptr}));
  EXPECT_EQ(g.at("tf.math.subtract").inputs, std::vector<std::string>{"d"});
  EXPECT_EQ(g.at("tf.math.truediv").config.at("operands"), Json::array({nullptr, nullptr}));
  EXPECT_EQ(g.at("tf.math.truediv").inputs, (std::vector<std::string>{"tf.math.subtract", "in"}));
  EXPECT_EQ(g.at("tf.nn.relu6").config.at("operands"), Json::array({nullptr}));
  ASSERT_TRUE(analyze(g).ok());
  const Json saved = graphToKerasJson(g);
  EXPECT_EQ(saved["config"]["layers"][2]["inbound_nodes"],
            Json::parse(R"([["_CONSTANT_VALUE", -1, 1.0, {"y": ["d", 0, 0], "name": null}]])"));
  EXPECT_EQ(graphFromKerasJsonText(saved.dump()), g);
}

// InceptionResNetV2's residual scaling: Keras <= 2.12's Lambda with arguments {"scale": s} on
// two tensors, and Keras 2.13+ / 3's CustomScaleLayer.
TEST(KerasJson, ReadsTheResidualScalingLambdaAndCustomScaleLayer) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 5, 3], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Conv2D", "config": {"name": "up", "filters": 3, "kernel_size": 1}, "name": "up", "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "Lambda", "config": {"name": "block35_1", "trainable": true, "dtype": "float32", "function": ["4wIAAAAAAAAAAAAAAAIAAAADAAAAUwAAAHMUAAAAfABkARkAfABkAhkAfAEUABcAUwApA07p", null, null], "function_type": "lambda", "module": "keras.applications.inception_resnet_v2", "output_shape": [5, 5, 3], "output_shape_type": "raw", "output_shape_module": null, "arguments": {"scale": 0.17}}, "name": "block35_1", "inbound_nodes": [[["in", 0, 0, {}], ["up", 0, 0, {}]]]},
    {"module": "keras.src.applications.inception_resnet_v2", "class_name": "CustomScaleLayer", "config": {"name": "block35_2", "trainable": true, "dtype": "float32", "scale": 0.1}, "registered_name": "CustomScaleLayer", "name": "block35_2", "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__", "config": {"keras_history": ["block35_1", 0, 0]}}, {"class_name": "__keras_tensor__", "config": {"keras_history": ["up", 0, 0]}}]], "kwargs": {}}]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["block35_2", 0, 0]]}})";
  const Graph g = graphFromKerasJsonText(text);
  EXPECT_EQ(g.at("block35_1").className, "CustomScaleLayer");
  EXPECT_EQ(g.at("block35_1").config.at("scale"), 0.17);
  EXPECT_EQ(g.at("block35_1").inputs, (std::vector<std::string>{"in", "up"}));
  EXPECT_EQ(g.at("block35_2").className, "CustomScaleLayer");
  const GraphAnalysis a = analyze(g);
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  EXPECT_EQ(a.find("block35_2")->outputShape, (Shape{kUnknown, 5, 5, 3}));
}

// Every type Graft cannot run in one message: an unknown class, a Lambda that is other code, a
// TFOpLambda of another function (named with its function), each with its first layer.
TEST(KerasJson, UnsupportedOpLayersJoinTheOneMessage) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 3], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Conv1D", "config": {"name": "c1"}, "name": "c1", "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "Lambda", "config": {"name": "lam", "function": ["code", null, null], "function_type": "lambda", "arguments": {}}, "name": "lam", "inbound_nodes": [[["c1", 0, 0, {}]]]},
    {"class_name": "TFOpLambda", "config": {"name": "tf.math.reduce_mean", "function": "math.reduce_mean"}, "name": "tf.math.reduce_mean", "inbound_nodes": [["lam", 0, 0, {"axis": 1, "name": null}]]},
    {"class_name": "TFOpLambda", "config": {"name": "tf.math.multiply", "function": "math.multiply"}, "name": "tf.math.multiply", "inbound_nodes": [["lam", 0, 0, {"y": 2.0, "name": null}]]},
    {"class_name": "Lambda", "config": {"name": "lam2", "arguments": {"scale": 0.5}}, "name": "lam2", "inbound_nodes": [[["in", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["lam2", 0, 0]]}})";
  try {
    graphFromKerasJsonText(text);
    FAIL() << "read a model with layers Graft cannot run";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("Conv1D (first used by layer 'c1')"), std::string::npos) << m;
    // A Lambda with a scale argument but one input is not the residual scaling either.
    EXPECT_NE(m.find("Lambda (first used by layer 'lam')"), std::string::npos) << m;
    EXPECT_EQ(m.find("'lam2'"), std::string::npos) << m;  // listed once, with its first layer
    EXPECT_NE(m.find("TFOpLambda tf.math.reduce_mean (first used by layer 'tf.math.reduce_mean')"),
              std::string::npos)
        << m;
    EXPECT_EQ(m.find("layer 'tf.math.multiply'"), std::string::npos) << m;  // that one is fine
    EXPECT_NE(m.find("tf.__operators__.add"), std::string::npos) << m;      // what Graft computes
  }
  // A single Lambda is refused with the same list-style message naming the layer.
  const char* one = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Lambda", "config": {"name": "mine", "arguments": {}}, "name": "mine", "inbound_nodes": [[["in", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["mine", 0, 0]]}})";
  try {
    graphFromKerasJsonText(one);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Lambda (first used by layer 'mine')"), std::string::npos)
        << e.what();
  }
}

// Keras 3 writes `x + 3.0` on a symbolic tensor as the operation class keras.src.ops.numpy.Add
// with the constant in the node's args (its MobileNetV3 hard-sigmoid): read as TFOpLambda, not
// as the Add layer; an operation Graft does not compute joins the unsupported list.
TEST(KerasJson, ReadsKeras3OperationsOnTensors) {
  const char* text =
      R"({"module": "keras", "class_name": "Functional", "config": {"name": "m", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4, 4, 2], "name": "in"}, "registered_name": null, "name": "in", "inbound_nodes": []},
    {"module": "keras.src.ops.numpy", "class_name": "Add", "config": {"name": "add"}, "registered_name": "Add", "name": "add", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4, 4, 2], "dtype": "float32", "keras_history": ["in", 0, 0]}}, 3.0], "kwargs": {}}]},
    {"module": "keras.layers", "class_name": "ReLU", "config": {"name": "re_lu", "max_value": 6.0}, "registered_name": null, "name": "re_lu", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["add", 0, 0]}}], "kwargs": {}}]},
    {"module": "keras.src.ops.numpy", "class_name": "Multiply", "config": {"name": "multiply"}, "registered_name": "Multiply", "name": "multiply", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["re_lu", 0, 0]}}, 0.16666666666666666], "kwargs": {}}]},
    {"module": "keras.layers", "class_name": "Multiply", "config": {"name": "hard_swish"}, "registered_name": null, "name": "hard_swish", "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__", "config": {"keras_history": ["in", 0, 0]}}, {"class_name": "__keras_tensor__", "config": {"keras_history": ["multiply", 0, 0]}}]], "kwargs": {}}]}],
    "input_layers": ["in", 0, 0], "output_layers": ["hard_swish", 0, 0]}, "registered_name": "Functional"})";
  const Graph g = graphFromKerasJsonText(text);
  EXPECT_EQ(g.at("add").className, "TFOpLambda");
  EXPECT_EQ(g.at("add").config.at("function"), "math.add");
  EXPECT_EQ(g.at("add").config.at("operands"), Json::array({nullptr, 3.0}));
  EXPECT_EQ(g.at("multiply").config.at("function"), "math.multiply");
  EXPECT_EQ(g.at("hard_swish").className, "Multiply");
  ASSERT_TRUE(analyze(g).ok());

  Json unknown = Json::parse(text);
  unknown["config"]["layers"][1]["class_name"] = "Mean";
  try {
    graphFromKerasJson(unknown);
    FAIL() << "read an operation Graft does not compute";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Keras 3 operation Mean (first used by layer 'add')"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace graft
