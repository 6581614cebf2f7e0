// TFOpLambda (tensor arithmetic tf.keras records as a layer) and CustomScaleLayer
// (InceptionResNetV2's residual scaling) against element-by-element loops, read from the JSON
// Keras writes; MobileNetV3's hard-swish block against its formula x * relu6(x + 3) / 6;
// ConvNeXt's LayerScale (read from Keras 3's JSON) against x[..., c] * gamma[c].
#include <algorithm>
#include <cmath>

#include "graph/analysis.h"
#include "graph/keras_json.h"
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

// input (N, 3, 4, 5) -> TFOpLambda `function` with `operands` (null: the input itself).
Graph opOn(const std::string& function, const Json& operands, const Shape& shape) {
  GraphBuilder b("op");
  const std::string x = b.input("input_1", shape);
  std::vector<std::string> inputs;
  for (const auto& o : operands)
    if (o.is_null()) inputs.push_back(x);
  return b.build({b.add("TFOpLambda", "layer", {{"function", function}, {"operands", operands}},
                        inputs)});
}

TEST(OpLayerOps, BinaryFunctionsWithConstantsOnEitherSide) {
  const torch::Tensor x = randomTensor({2, 3, 4, 5}, 91) * 4.0;
  const torch::Tensor xd = x.to(torch::kFloat64);
  struct Case {
    std::string function;
    Json operands;
    torch::Tensor want;
  };
  const std::vector<Case> cases = {
      {"__operators__.add", {nullptr, 3.0}, xd + 3.0},
      {"math.add", {-1.5, nullptr}, xd - 1.5},
      {"math.subtract", {1.0, nullptr}, 1.0 - xd},
      {"math.subtract", {nullptr, 0.25}, xd - 0.25},
      {"math.multiply", {nullptr, 0.16666666666666666}, xd * (1.0 / 6.0)},
      {"math.truediv", {nullptr, 6.0}, xd / 6.0},
      {"math.divide", {2.0, nullptr}, 2.0 / xd},
      {"math.maximum", {nullptr, 0.5}, torch::clamp_min(xd, 0.5)},
      {"math.minimum", {-0.5, nullptr}, torch::clamp_max(xd, -0.5)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.function + " " + c.operands.dump());
    EXPECT_TRUE(allClose(runLayer(opOn(c.function, c.operands, {kUnknown, 3, 4, 5}), {}, x), c.want));
  }
}

// Two tensors, broadcast as TensorFlow does ((N, H, W, C) with (N, 1, 1, C)).
TEST(OpLayerOps, TwoTensorsBroadcast) {
  GraphBuilder b("op");
  const std::string x = b.input("input_1", {kUnknown, 3, 4, 5});
  const std::string pooled = b.add("GlobalAveragePooling2D", "pool", {{"keepdims", true}}, x);
  const std::string y =
      b.add("TFOpLambda", "layer",
            {{"function", "math.truediv"}, {"operands", {nullptr, nullptr}}},
            std::vector<std::string>{x, pooled});
  const Graph g = b.build({y});
  const torch::Tensor in = randomTensor({2, 3, 4, 5}, 92) + 2.0;
  const torch::Tensor mean = in.to(torch::kFloat64).mean({1, 2}, true);
  EXPECT_TRUE(allClose(runLayer(g, {}, in), in.to(torch::kFloat64) / mean));
}

// A constant that is a tensor (per channel), broadcast from the right as Keras broadcasts it.
TEST(OpLayerOps, ArrayConstantsBroadcastOverTheLastAxes) {
  const torch::Tensor x = randomTensor({2, 3, 4, 5}, 93);
  const Json scale = {{{0.5, 1.0, 2.0, -1.0, 3.0}}};  // (1, 1, 5)
  const torch::Tensor s =
      torch::tensor({0.5, 1.0, 2.0, -1.0, 3.0}, torch::kFloat64).reshape({1, 1, 1, 5});
  EXPECT_TRUE(allClose(runLayer(opOn("math.multiply", {nullptr, scale}, {kUnknown, 3, 4, 5}), {}, x),
                       x.to(torch::kFloat64) * s));
}

TEST(OpLayerOps, UnaryFunctionsAreTheirActivations) {
  const torch::Tensor x = randomTensor({2, 3, 4, 5}, 94) * 8.0;
  const torch::Tensor xd = x.to(torch::kFloat64);
  const std::vector<std::pair<std::string, torch::Tensor>> cases = {
      {"nn.relu", torch::relu(xd)},
      {"nn.relu6", torch::clamp(xd, 0.0, 6.0)},
      {"math.sigmoid", torch::sigmoid(xd)},
      {"math.tanh", torch::tanh(xd)},
      {"nn.silu", xd * torch::sigmoid(xd)},
  };
  for (const auto& [function, want] : cases) {
    SCOPED_TRACE(function);
    EXPECT_TRUE(allClose(runLayer(opOn(function, {nullptr}, {kUnknown, 3, 4, 5}), {}, x), want));
  }
}

// MobileNetV3's hard_swish (Keras 2.6-2.15): Multiply([x, ReLU(6)(x + 3.0) * (1 / 6)]).
TEST(OpLayerOps, MobileNetV3HardSwishBlock) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 5, 6], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "TFOpLambda", "config": {"name": "tf.__operators__.add", "function": "__operators__.add"}, "name": "tf.__operators__.add", "inbound_nodes": [["in", 0, 0, {"y": 3.0, "name": null}]]},
    {"class_name": "ReLU", "config": {"name": "re_lu", "max_value": 6.0}, "name": "re_lu", "inbound_nodes": [[["tf.__operators__.add", 0, 0, {}]]]},
    {"class_name": "TFOpLambda", "config": {"name": "tf.math.multiply", "function": "math.multiply"}, "name": "tf.math.multiply", "inbound_nodes": [["re_lu", 0, 0, {"y": 0.16666666666666666, "name": null}]]},
    {"class_name": "Multiply", "config": {"name": "multiply"}, "name": "multiply", "inbound_nodes": [[["in", 0, 0, {}], ["tf.math.multiply", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["multiply", 0, 0]]}})";
  const Graph g = graphFromKerasJsonText(text);
  const torch::Tensor x = randomTensor({2, 4, 5, 6}, 95) * 5.0;
  const torch::Tensor xd = x.to(torch::kFloat64);
  EXPECT_TRUE(allClose(runLayer(g, {}, x), xd * torch::clamp(xd + 3.0, 0.0, 6.0) / 6.0));
}

TEST(OpLayerOps, CustomScaleLayerIsXPlusBranchTimesScale) {
  GraphBuilder b("scale");
  const std::string x = b.input("input_1", {kUnknown, 3, 4, 5});
  const std::string branch = b.add("Rescaling", "branch", {{"scale", -2.0}, {"offset", 0.5}}, x);
  const Graph g = b.build({b.add("CustomScaleLayer", "layer", {{"scale", 0.17}},
                                 std::vector<std::string>{x, branch})});
  const torch::Tensor in = randomTensor({2, 3, 4, 5}, 96);
  const torch::Tensor xd = in.to(torch::kFloat64);
  EXPECT_TRUE(allClose(runLayer(g, {}, in), xd + (xd * -2.0 + 0.5) * 0.17));
}

// convnext.py's LayerScale as Keras 3 writes it (its module, registered_name, projection_dim),
// on a rank-4 (channels last) and a rank-2 input; gamma is the layer's one weight.
TEST(OpLayerOps, LayerScaleMultipliesEachChannelByGamma) {
  for (const Shape& shape : {Shape{kUnknown, 3, 4, 5}, Shape{kUnknown, 5}}) {
    SCOPED_TRACE(shapeToString(shape));
    Json input = Json::array();
    for (int64_t d : shape) input.push_back(d == kUnknown ? Json(nullptr) : Json(d));
    const Json model = {{"class_name", "Functional"},
                        {"config",
                         {{"name", "m"},
                          {"layers",
                           {{{"class_name", "InputLayer"},
                             {"name", "in"},
                             {"config", {{"name", "in"}, {"batch_shape", input}}},
                             {"inbound_nodes", Json::array()}},
                            {{"module", "keras.src.applications.convnext"},
                             {"class_name", "LayerScale"},
                             {"registered_name", "LayerScale"},
                             {"name", "scale"},
                             {"config",
                              {{"name", "scale"},
                               {"trainable", true},
                               {"dtype", "float32"},
                               {"init_values", 1e-6},
                               {"projection_dim", 5}}},
                             {"inbound_nodes",
                              {{{"args",
                                 {{{"class_name", "__keras_tensor__"},
                                   {"config", {{"keras_history", {"in", 0, 0}}}}}}},
                                {"kwargs", Json::object()}}}}}}},
                          {"input_layers", {{"in", 0, 0}}},
                          {"output_layers", {{"scale", 0, 0}}}}}};
    const Graph g = graphFromKerasJsonText(model.dump());
    const GraphAnalysis a = analyzeOrThrow(g);
    ASSERT_EQ(a.find("scale")->weights.size(), 1u);
    EXPECT_EQ(a.find("scale")->weights[0].shape, (Shape{5}));
    EXPECT_EQ(a.find("scale")->params, 5);
    const std::vector<float> gamma = {0.5f, -2.0f, 1e-6f, 3.0f, 0.25f};
    WeightStore w;
    w.set("scale", {WeightTensor::fromValues({5}, gamma)});
    Shape concrete = shape;
    concrete[0] = 2;
    const torch::Tensor x =
        randomTensor(std::vector<int64_t>(concrete.begin(), concrete.end()), 97);
    torch::Tensor want = x.to(torch::kFloat64).clone();
    auto flat = want.view({-1, 5});
    for (int64_t i = 0; i < flat.size(0); ++i)
      for (int64_t c = 0; c < 5; ++c) flat[i][c] = flat[i][c].item<double>() * gamma[size_t(c)];
    EXPECT_TRUE(allClose(runLayer(g, w, x), want));
  }
  // A fresh layer starts at Keras's Constant(init_values).
  GraphBuilder b("fresh");
  const std::string x = b.input("input_1", {kUnknown, 7});
  const Graph g =
      b.build({b.add("LayerScale", "s", {{"init_values", 0.125}, {"projection_dim", 7}}, x)});
  WeightStore w;
  initializeWeights(g, analyzeOrThrow(g), w, 1);
  const WeightTensor& fresh = w.find("s")->at(0);
  EXPECT_EQ(std::vector<float>(fresh.values(), fresh.values() + 7), std::vector<float>(7, 0.125f));
  // projection_dim must be the channels.
  GraphBuilder bad("bad");
  const std::string y = bad.input("input_1", {kUnknown, 7});
  const GraphAnalysis refused = analyze(
      bad.build({bad.add("LayerScale", "s", {{"init_values", 0.1}, {"projection_dim", 6}}, y)}));
  ASSERT_FALSE(refused.diagnostics.empty());
  EXPECT_EQ(refused.diagnostics[0].subject, "s");
  EXPECT_NE(refused.diagnostics[0].message.find("projection_dim"), std::string::npos);
}

// Shapes: constants broadcast; wrong operand counts and unknown functions name the layer.
TEST(OpLayerOps, ShapesAndRefusals) {
  const GraphAnalysis a =
      analyzeOrThrow(opOn("math.multiply", {nullptr, {{1.0, 2.0, 3.0, 4.0, 5.0}}}, {kUnknown, 3, 4, 5}));
  EXPECT_EQ(a.find("layer")->outputShape, (Shape{kUnknown, 3, 4, 5}));
  EXPECT_EQ(a.find("layer")->params, 0);
  for (const auto& [function, operands] :
       std::vector<std::pair<std::string, Json>>{{"math.reduce_mean", {nullptr}},
                                                 {"math.multiply", {nullptr}},
                                                 {"math.multiply", {nullptr, {1.0, 2.0}}},
                                                 {"math.multiply", {nullptr, {{{{{1.0}}}}}}}}) {
    SCOPED_TRACE(function + " " + operands.dump());
    const GraphAnalysis bad = analyze(opOn(function, operands, {kUnknown, 3, 4, 5}));
    ASSERT_FALSE(bad.diagnostics.empty());
    EXPECT_EQ(bad.diagnostics[0].subject, "layer");
  }
}

}  // namespace
}  // namespace graft::test
