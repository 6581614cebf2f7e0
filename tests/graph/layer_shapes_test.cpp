// Output shapes and parameter counts of every layer type against values computed by hand from
// Keras's rules (conv_utils.conv_output_length, Layer.count_params).
#include <gtest/gtest.h>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "graph/layer_registry.h"

namespace graft {
namespace {

struct Result {
  Shape shape;
  int64_t params = 0;
  int64_t trainable = 0;
};

// One layer applied to an input of the given batch shape.
Result single(const std::string& cls, const Json& config, const Shape& input) {
  GraphBuilder b("m");
  auto x = b.input("in", input);
  b.add(cls, "layer", config, x);
  const GraphAnalysis a = analyze(b.build());
  if (!a.ok()) throw Error(a.diagnostics);
  const NodeInfo& info = *a.find("layer");
  return {info.outputShape, info.params, info.trainableParams};
}

std::string failure(const std::string& cls, const Json& config, const Shape& input) {
  GraphBuilder b("m");
  auto x = b.input("in", input);
  b.add(cls, "layer", config, x);
  const GraphAnalysis a = analyze(b.build());
  return a.ok() ? std::string() : a.diagnostics.at(0).str();
}

constexpr int64_t N = kUnknown;

TEST(Conv2D, ValidPaddingShapeAndParams) {
  auto r = single("Conv2D", {{"filters", 64}, {"kernel_size", 3}}, {N, 224, 224, 3});
  EXPECT_EQ(r.shape, (Shape{N, 222, 222, 64}));
  EXPECT_EQ(r.params, 3 * 3 * 3 * 64 + 64);
  EXPECT_EQ(r.trainable, r.params);
}

TEST(Conv2D, SameStride2OddAndEvenInputs) {
  // ceil(n / s): 225 -> 113, 224 -> 112
  EXPECT_EQ(
      single("Conv2D", {{"filters", 8}, {"strides", 2}, {"padding", "same"}}, {N, 225, 224, 3})
          .shape,
      (Shape{N, 113, 112, 8}));
  // valid: floor((n - k) / s) + 1: (225-3)/2+1 = 112, (224-3)/2+1 = 111
  EXPECT_EQ(single("Conv2D", {{"filters", 8}, {"strides", 2}}, {N, 225, 224, 3}).shape,
            (Shape{N, 112, 111, 8}));
}

TEST(Conv2D, DilationWidensTheWindow) {
  // dilated kernel = (3-1)*2+1 = 5: 32 - 5 + 1 = 28
  auto r = single("Conv2D", {{"filters", 4}, {"dilation_rate", 2}}, {N, 32, 30, 2});
  EXPECT_EQ(r.shape, (Shape{N, 28, 26, 4}));
  EXPECT_EQ(
      single("Conv2D", {{"filters", 4}, {"dilation_rate", 2}, {"padding", "same"}}, {N, 32, 30, 2})
          .shape,
      (Shape{N, 32, 30, 4}));
}

TEST(Conv2D, NoBiasGroupsAndUnknownSpatialSize) {
  auto r = single("Conv2D",
                  {{"filters", 6}, {"kernel_size", {1, 5}}, {"use_bias", false}, {"groups", 2}},
                  {N, N, N, 4});
  EXPECT_EQ(r.shape, (Shape{N, N, N, 6}));
  EXPECT_EQ(r.params, 1 * 5 * 2 * 6);
}

TEST(Conv2D, RejectsNonImageInputWithTheLayerName) {
  EXPECT_EQ(failure("Conv2D", {{"filters", 8}}, {N, 4096}),
            "layer: expects a 4-D input (batch, h, w, c), got (None, 4096)");
}

TEST(Conv2D, RejectsChannelsFirst) {
  GraphBuilder b("m");
  auto x = b.input("in", {N, 3, 32, 32});
  try {
    b.add("Conv2D", "conv", {{"filters", 8}, {"data_format", "channels_first"}}, x);
    FAIL() << "channels_first accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("only channels_last"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("conv"), std::string::npos);
  }
}

TEST(DepthwiseConv2D, MultiplierShapesAndParams) {
  auto r = single("DepthwiseConv2D", {{"depth_multiplier", 2}, {"strides", 2}, {"padding", "same"}},
                  {N, 15, 15, 8});
  EXPECT_EQ(r.shape, (Shape{N, 8, 8, 16}));
  EXPECT_EQ(r.params, 3 * 3 * 8 * 2 + 16);
}

TEST(SeparableConv2D, DepthMultiplierParams) {
  auto r =
      single("SeparableConv2D",
             {{"filters", 32}, {"depth_multiplier", 3}, {"padding", "same"}, {"use_bias", true}},
             {N, 10, 10, 4});
  EXPECT_EQ(r.shape, (Shape{N, 10, 10, 32}));
  EXPECT_EQ(r.params, 3 * 3 * 4 * 3 + 1 * 1 * 12 * 32 + 32);
}

// The dropout mask is drawn at noise_shape and broadcast: a size that cannot broadcast is
// refused when the layer is configured, not at the first training batch.
TEST(Dropout, NoiseShapeBroadcastsOverTheInput) {
  const Shape in{N, 7, 7, 128};
  EXPECT_EQ(single("Dropout", {{"noise_shape", {nullptr, 1, 1, 128}}}, in).shape, in);
  EXPECT_EQ(single("Dropout", {{"noise_shape", {nullptr, 7, 1, nullptr}}}, in).shape, in);
  const std::string wrong = failure("Dropout", {{"noise_shape", {nullptr, 9, 9, 9}}}, in);
  EXPECT_NE(wrong.find("'noise_shape' entry 1 is 9: each entry is None, 1 or the input's size"),
            std::string::npos)
      << wrong;
  EXPECT_NE(failure("Dropout", {{"noise_shape", {nullptr, 1, 1}}}, in).find("must list 4 entries"),
            std::string::npos);
  EXPECT_NE(failure("Dropout", {{"noise_shape", {nullptr, 1, 1, 0.5}}}, in).find("entry 3"),
            std::string::npos);
  EXPECT_NE(failure("Dropout", {{"noise_shape", {32, 1, 1, 128}}}, in).find("entry 0 is 32"),
            std::string::npos)
      << "a batch size there fails at any other batch";
}

TEST(Dense, LastAxisAndParams) {
  EXPECT_EQ(single("Dense", {{"units", 10}}, {N, 256}).params, 256 * 10 + 10);
  auto r = single("Dense", {{"units", 5}, {"use_bias", false}}, {N, 7, 7, 3});
  EXPECT_EQ(r.shape, (Shape{N, 7, 7, 5}));
  EXPECT_EQ(r.params, 15);
}

TEST(BatchNormalization, MovingStatisticsAreNonTrainable) {
  auto r = single("BatchNormalization", {}, {N, 8, 8, 16});
  EXPECT_EQ(r.params, 4 * 16);
  EXPECT_EQ(r.trainable, 2 * 16);
}

TEST(BatchNormalization, ScaleAndCenterOff) {
  auto noScale = single("BatchNormalization", {{"scale", false}}, {N, 8, 8, 16});
  EXPECT_EQ(noScale.params, 3 * 16);
  EXPECT_EQ(noScale.trainable, 16);
  auto neither = single("BatchNormalization", {{"scale", false}, {"center", false}}, {N, 16});
  EXPECT_EQ(neither.params, 2 * 16);
  EXPECT_EQ(neither.trainable, 0);
}

TEST(BatchNormalization, AxisListAsKerasWritesIt) {
  EXPECT_EQ(single("BatchNormalization", {{"axis", {3}}}, {N, 4, 4, 6}).params, 24);
  EXPECT_NE(failure("BatchNormalization", {{"axis", 1}}, {N, 4, 4, 6}), "");
}

TEST(Pooling, StridesDefaultToPoolSizeAndSamePadding) {
  EXPECT_EQ(single("MaxPooling2D", {}, {N, 7, 7, 3}).shape, (Shape{N, 3, 3, 3}));
  EXPECT_EQ(single("MaxPooling2D", {{"padding", "same"}}, {N, 7, 7, 3}).shape, (Shape{N, 4, 4, 3}));
  EXPECT_EQ(single("AveragePooling2D", {{"pool_size", 3}, {"strides", 1}, {"padding", "same"}},
                   {N, 9, 9, 2})
                .shape,
            (Shape{N, 9, 9, 2}));
  EXPECT_EQ(single("MaxPooling2D", {{"pool_size", 3}, {"strides", 2}}, {N, 147, 147, 64}).shape,
            (Shape{N, 73, 73, 64}));
}

TEST(GlobalPooling, KeepDims) {
  EXPECT_EQ(single("GlobalAveragePooling2D", {}, {N, 7, 7, 512}).shape, (Shape{N, 512}));
  EXPECT_EQ(single("GlobalMaxPooling2D", {{"keepdims", true}}, {N, 7, 7, 512}).shape,
            (Shape{N, 1, 1, 512}));
}

TEST(Padding, ZeroPaddingAndCroppingForms) {
  EXPECT_EQ(single("ZeroPadding2D", {{"padding", {{0, 1}, {0, 1}}}}, {N, 224, 224, 3}).shape,
            (Shape{N, 225, 225, 3}));
  EXPECT_EQ(single("ZeroPadding2D", {{"padding", 3}}, {N, 224, 224, 3}).shape,
            (Shape{N, 230, 230, 3}));
  EXPECT_EQ(single("ZeroPadding2D", {{"padding", {1, 2}}}, {N, 10, 10, 3}).shape,
            (Shape{N, 12, 14, 3}));
  EXPECT_EQ(single("Cropping2D", {{"cropping", {{1, 2}, {3, 4}}}}, {N, 10, 10, 3}).shape,
            (Shape{N, 7, 3, 3}));
  EXPECT_NE(failure("Cropping2D", {{"cropping", 5}}, {N, 10, 10, 3}), "");
}

TEST(Reshaping, FlattenAndReshape) {
  EXPECT_EQ(single("Flatten", {}, {N, 7, 7, 512}).shape, (Shape{N, 25088}));
  EXPECT_EQ(single("Reshape", {{"target_shape", {1, 1, 1024}}}, {N, 1024}).shape,
            (Shape{N, 1, 1, 1024}));
  EXPECT_EQ(single("Reshape", {{"target_shape", {-1, 4}}}, {N, 2, 2, 4}).shape, (Shape{N, 4, 4}));
  EXPECT_NE(failure("Reshape", {{"target_shape", {3}}}, {N, 4}).find("cannot reshape"),
            std::string::npos);
}

TEST(Activations, EveryKerasActivationIsAccepted) {
  for (const char* a : {"linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "tanh", "softmax",
                        "elu", "swish", "silu"})
    EXPECT_EQ(single("Activation", {{"activation", a}}, {N, 5}).shape, (Shape{N, 5})) << a;
  EXPECT_NE(failure("Activation", {{"activation", "bogus"}}, {N, 5}).find("unknown activation"),
            std::string::npos);
  EXPECT_EQ(
      single("ReLU", {{"max_value", 6.0}, {"negative_slope", 0.1}, {"threshold", 0.5}}, {N, 3})
          .shape,
      (Shape{N, 3}));
  EXPECT_EQ(single("LeakyReLU", {{"alpha", 0.2}}, {N, 3}).params, 0);
  EXPECT_EQ(single("Dropout", {{"rate", 0.5}}, {N, 3}).shape, (Shape{N, 3}));
  EXPECT_EQ(single("Rescaling", {{"scale", 1.0 / 255}}, {N, 2, 2, 3}).shape, (Shape{N, 2, 2, 3}));
  // Keras 3's per-channel list: one value per entry of the last axis.
  EXPECT_EQ(single("Rescaling", {{"scale", {1.0, 2.0, 3.0}}}, {N, 2, 2, 3}).shape,
            (Shape{N, 2, 2, 3}));
  EXPECT_NE(failure("Rescaling", {{"scale", {1.0, 2.0}}}, {N, 2, 2, 3}).find("lists 2 values"),
            std::string::npos);
  EXPECT_NE(failure("Rescaling", {{"scale", {1.0, 2.0, 3.0}}}, {N, 2, 2, N}).find("last axis"),
            std::string::npos);
  EXPECT_NE(failure("Rescaling", {{"scale", "x"}}, {N, 3}).find("'scale'"), std::string::npos);
}

TEST(Merge, AddMultiplyConcatenate) {
  GraphBuilder b("m");
  auto x = b.input("in", {N, 8, 8, 4});
  auto c1 = b.add("Conv2D", "c1", {{"filters", 4}, {"padding", "same"}}, x);
  auto c2 = b.add("Conv2D", "c2", {{"filters", 6}, {"padding", "same"}}, x);
  b.add("Add", "add", {}, {x, c1});
  b.add("Multiply", "mul", {}, {x, c1});
  b.add("Concatenate", "cat", {}, {c1, c2});
  b.add("Concatenate", "cat_h", {{"axis", 1}}, {c1, x});
  const GraphAnalysis a = analyze(b.build());
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  EXPECT_EQ(a.find("add")->outputShape, (Shape{N, 8, 8, 4}));
  EXPECT_EQ(a.find("mul")->outputShape, (Shape{N, 8, 8, 4}));
  EXPECT_EQ(a.find("cat")->outputShape, (Shape{N, 8, 8, 10}));
  EXPECT_EQ(a.find("cat_h")->outputShape, (Shape{N, 16, 8, 4}));
}

TEST(Merge, MismatchedShapesNameTheLayer) {
  GraphBuilder b("m");
  auto x = b.input("in", {N, 8, 8, 4});
  auto c = b.add("Conv2D", "c", {{"filters", 5}, {"padding", "same"}}, x);
  b.add("Add", "bad_add", {}, {x, c});
  const GraphAnalysis a = analyze(b.build());
  ASSERT_EQ(a.diagnostics.size(), 1u);
  EXPECT_EQ(a.diagnostics[0].subject, "bad_add");
  EXPECT_NE(a.diagnostics[0].message.find("(None, 8, 8, 4) and (None, 8, 8, 5)"),
            std::string::npos);
}

TEST(Merge, SubtractAverageMaximumMinimum) {
  GraphBuilder b("m");
  auto x = b.input("in", {N, 8, 8, 4});
  auto c1 = b.add("Conv2D", "c1", {{"filters", 4}, {"padding", "same"}}, x);
  b.add("Subtract", "sub", {}, {x, c1});
  b.add("Average", "avg", {}, {x, c1, x});
  b.add("Maximum", "max", {}, {x, c1});
  b.add("Minimum", "min", {}, {c1, x, c1});
  const GraphAnalysis a = analyze(b.build());
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  for (const char* layer : {"sub", "avg", "max", "min"}) {
    EXPECT_EQ(a.find(layer)->outputShape, (Shape{N, 8, 8, 4})) << layer;
    EXPECT_EQ(a.find(layer)->params, 0) << layer;
  }
}

// Keras's PReLU.build: alpha of the input's shape without the batch, 1 along shared_axes.
TEST(Activations, EluAndPReluShapesAndParameters) {
  const Result elu = single("ELU", {{"alpha", 0.5}}, {N, 6, 6, 3});
  EXPECT_EQ(elu.shape, (Shape{N, 6, 6, 3}));
  EXPECT_EQ(elu.params, 0);
  const Result full = single("PReLU", Json::object(), {N, 6, 5, 3});
  EXPECT_EQ(full.shape, (Shape{N, 6, 5, 3}));
  EXPECT_EQ(full.params, 6 * 5 * 3);
  EXPECT_EQ(full.trainable, 6 * 5 * 3);
  EXPECT_EQ(single("PReLU", {{"shared_axes", {1, 2}}}, {N, 6, 5, 3}).params, 3);
  EXPECT_EQ(single("PReLU", {{"shared_axes", 1}}, {N, 6, 5, 3}).params, 5 * 3);
  EXPECT_EQ(single("PReLU", Json::object(), {N, 10}).params, 10);
  EXPECT_NE(failure("PReLU", {{"shared_axes", {0}}}, {N, 6, 5, 3}).find("shared_axes"),
            std::string::npos);
  EXPECT_NE(failure("PReLU", Json::object(), {N, N, N, 3}).find("shared_axes"), std::string::npos);
}

TEST(Regularization, NoiseLayersKeepTheShapeAndHaveNoWeights) {
  for (const auto& [cls, config] :
       std::vector<std::pair<std::string, Json>>{{"SpatialDropout2D", {{"rate", 0.2}}},
                                                 {"GaussianNoise", {{"stddev", 0.5}}},
                                                 {"GaussianDropout", {{"rate", 0.1}}}}) {
    const Result r = single(cls, config, {N, 6, 5, 3});
    EXPECT_EQ(r.shape, (Shape{N, 6, 5, 3})) << cls;
    EXPECT_EQ(r.params, 0) << cls;
  }
  EXPECT_NE(failure("SpatialDropout2D", {{"rate", 0.2}}, {N, 10}).find("4-D"), std::string::npos);
  EXPECT_NE(failure("GaussianDropout", {{"rate", 1.0}}, {N, 10}).find("rate"), std::string::npos);
}

TEST(Reshaping, UpSampling2DAndPermute) {
  EXPECT_EQ(single("UpSampling2D", Json::object(), {N, 5, 6, 3}).shape, (Shape{N, 10, 12, 3}));
  EXPECT_EQ(
      single("UpSampling2D", {{"size", {3, 1}}, {"interpolation", "bilinear"}}, {N, 5, N, 3}).shape,
      (Shape{N, 15, N, 3}));
  EXPECT_NE(
      failure("UpSampling2D", {{"interpolation", "area"}}, {N, 5, 6, 3}).find("interpolation"),
      std::string::npos);
  EXPECT_NE(failure("UpSampling2D", Json::object(), {N, 5}).find("4-D"), std::string::npos);
  EXPECT_EQ(single("Permute", {{"dims", {3, 1, 2}}}, {N, 5, 6, 3}).shape, (Shape{N, 3, 5, 6}));
  EXPECT_EQ(single("Permute", {{"dims", {2, 1}}}, {N, 4, 9}).shape, (Shape{N, 9, 4}));
  EXPECT_NE(failure("Permute", {{"dims", {1, 1, 2}}}, {N, 5, 6, 3}).find("dims"),
            std::string::npos);
}

// Keras builds gamma then beta, each the size of the normalized axis.
TEST(Normalization, LayerNormalizationWeights) {
  GraphBuilder b("m");
  auto x = b.input("in", {N, 5, 6, 3});
  b.add("LayerNormalization", "ln", {}, x);
  b.add("LayerNormalization", "ln_h", {{"axis", 1}, {"center", false}}, x);
  const GraphAnalysis a = analyze(b.build());
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  const auto& w = a.find("ln")->weights;
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].name, "gamma");
  EXPECT_EQ(w[0].shape, (Shape{3}));
  EXPECT_EQ(w[1].name, "beta");
  EXPECT_EQ(a.find("ln")->params, 6);
  EXPECT_EQ(a.find("ln")->trainableParams, 6);
  ASSERT_EQ(a.find("ln_h")->weights.size(), 1u);
  EXPECT_EQ(a.find("ln_h")->weights[0].shape, (Shape{5}));
  const Json c = LayerRegistry::standard().normalizeConfig("LayerNormalization", Json::object());
  EXPECT_EQ(c.at("epsilon"), 0.001);
  EXPECT_EQ(c.at("axis"), -1);
  EXPECT_NE(failure("LayerNormalization", {{"rms_scaling", true}}, {N, 5, 6, 3}).find("rms"),
            std::string::npos);
}

// Several axes: Keras builds gamma and beta with the sizes of the listed axes, in the listed
// order (Keras 3 sorts the list when it builds, and saves it sorted; tf.keras 2 keeps the
// order given: layer_normalization.py's build, param_shape = [input_shape[dim] for dim in axis]).
TEST(Normalization, LayerNormalizationOverSeveralAxes) {
  GraphBuilder b("m");
  auto x = b.input("in", {N, 5, 6, 3});
  b.add("LayerNormalization", "ln", {{"axis", {1, 2, 3}}}, x);
  b.add("LayerNormalization", "ln_neg", {{"axis", {-3, -2, -1}}, {"center", false}}, x);
  b.add("LayerNormalization", "ln_hc", {{"axis", {3, 1}}}, x);
  const GraphAnalysis a = analyze(b.build());
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  const auto& w = a.find("ln")->weights;
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].name, "gamma");
  EXPECT_EQ(w[0].shape, (Shape{5, 6, 3}));
  EXPECT_EQ(w[1].shape, (Shape{5, 6, 3}));
  EXPECT_EQ(a.find("ln")->params, 180);
  EXPECT_EQ(a.find("ln")->outputShape, (Shape{N, 5, 6, 3}));
  ASSERT_EQ(a.find("ln_neg")->weights.size(), 1u);
  EXPECT_EQ(a.find("ln_neg")->weights[0].shape, (Shape{5, 6, 3}));
  ASSERT_EQ(a.find("ln_hc")->weights.size(), 2u);
  EXPECT_EQ(a.find("ln_hc")->weights[0].shape, (Shape{3, 5}));

  // Refused naming the field: the batch axis, an unknown size, an axis twice, out of range.
  const auto refusal = [](const Json& axis, const Shape& input) {
    return failure("LayerNormalization", {{"axis", axis}}, input);
  };
  EXPECT_NE(refusal({0, 1}, {N, 5, 6, 3}).find("config field 'axis' [0,1]: axis 0 is the batch"),
            std::string::npos)
      << refusal({0, 1}, {N, 5, 6, 3});
  EXPECT_NE(refusal({1, 2}, {N, N, N, 3}).find("axis 1 of (None, None, None, 3) must have a known"),
            std::string::npos)
      << refusal({1, 2}, {N, N, N, 3});
  EXPECT_NE(refusal({1, -3}, {N, 5, 6, 3}).find("twice"), std::string::npos);
  EXPECT_NE(refusal({1, 4}, {N, 5, 6, 3}).find("out of range"), std::string::npos);
  EXPECT_NE(refusal(Json::array(), {N, 5, 6, 3}).find("config field 'axis' must be"),
            std::string::npos);
  EXPECT_NE(refusal({1, 2}, {N, N, N, 3}).find("layer"), std::string::npos);  // names the layer
}

// Keras's Normalization.build: mean and variance shaped like the kept axes, count a scalar, all
// non-trainable (Keras's summary counts 2n + 1); none when the config gives mean and variance.
TEST(Normalization, NormalizationWeightsFollowTheKeptAxes) {
  struct Case {
    Json axis;
    Shape input, kept;
  };
  for (const Case& c : std::vector<Case>{{-1, {N, 5, 6, 3}, {3}},
                                         {Json::array({-1}), {N, 5, 6, 3}, {3}},
                                         {Json::array({1, 3}), {N, 5, 6, 3}, {5, 3}},
                                         {Json::array({3, 1}), {N, 5, 6, 3}, {5, 3}},
                                         {nullptr, {N, 5, 6, 3}, {}},
                                         {Json::array(), {N, 7}, {}},
                                         {-1, {N, 7}, {7}},
                                         {Json::array({-1}), {N, N, N, 3}, {3}}}) {
    SCOPED_TRACE(c.axis.dump() + " " + shapeToString(c.input));
    GraphBuilder b("m");
    b.add("Normalization", "norm", {{"axis", c.axis}}, b.input("in", c.input));
    const GraphAnalysis a = analyze(b.build());
    ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
    const NodeInfo& info = *a.find("norm");
    EXPECT_EQ(info.outputShape, c.input);
    ASSERT_EQ(info.weights.size(), 3u);
    EXPECT_EQ(info.weights[0].name, "mean");
    EXPECT_EQ(info.weights[1].name, "variance");
    EXPECT_EQ(info.weights[2].name, "count");
    EXPECT_EQ(info.weights[0].shape, c.kept);
    EXPECT_EQ(info.weights[1].shape, c.kept);
    EXPECT_EQ(info.weights[2].shape, Shape{});
    for (const auto& w : info.weights) EXPECT_FALSE(w.trainable);
    EXPECT_EQ(info.params, 2 * elementCount(c.kept) + 1);
    EXPECT_EQ(info.trainableParams, 0);
  }
  const Result given =
      single("Normalization", {{"mean", {1.0, 2.0, 3.0}}, {"variance", 4.0}}, {N, 5, 6, 3});
  EXPECT_EQ(given.params, 0);
  const Json c = LayerRegistry::standard().normalizeConfig("Normalization", Json::object());
  EXPECT_EQ(c.at("axis"), -1);
  EXPECT_EQ(c.at("invert"), false);
  EXPECT_TRUE(c.at("mean").is_null());
}

TEST(Normalization, NormalizationRefusesWhatKerasRefuses) {
  EXPECT_NE(failure("Normalization", {{"axis", 0}}, {N, 5, 6, 3}).find("batch"), std::string::npos);
  EXPECT_NE(failure("Normalization", {{"axis", 4}}, {N, 5, 6, 3}).find("range"), std::string::npos);
  EXPECT_NE(failure("Normalization", {{"axis", 1}}, {N, N, 6, 3}).find("known"), std::string::npos);
  EXPECT_NE(failure("Normalization", {{"mean", 1.0}}, {N, 3}).find("together"), std::string::npos);
  EXPECT_NE(
      failure("Normalization", {{"mean", {1.0, 2.0}}, {"variance", 1.0}}, {N, 3}).find("broadcast"),
      std::string::npos);
  EXPECT_NE(failure("Normalization", {{"mean", {{1.0}, {2.0, 3.0}}}, {"variance", 1.0}}, {N, 3})
                .find("one shape"),
            std::string::npos);
  EXPECT_NE(failure("Normalization", {{"axis", "last"}}, {N, 3}).find("axis"), std::string::npos);
  // Broadcasting as numpy does, aligned from the right: (3,) and (1, 3) onto kept (5, 3).
  EXPECT_EQ(single("Normalization",
                   {{"axis", {1, 3}}, {"mean", {{1.0, 2.0, 3.0}}}, {"variance", {1.0, 2.0, 3.0}}},
                   {N, 5, 6, 3})
                .params,
            0);
}

// Keras's deconv_output_length (compute_conv_transpose_output_shape in Keras 3) and its kernel
// (kh, kw, filters, in) + bias: Keras's count_params.
TEST(Conv2DTranspose, ShapesAndParameters) {
  const Result r = single(
      "Conv2DTranspose", {{"filters", 16}, {"kernel_size", 3}, {"strides", 2}, {"padding", "same"}},
      {N, 7, 8, 5});
  EXPECT_EQ(r.shape, (Shape{N, 14, 16, 16}));
  EXPECT_EQ(r.params, 3 * 3 * 16 * 5 + 16);
  EXPECT_EQ(r.trainable, r.params);
  // valid: (n - 1) * s + max(k, s)
  EXPECT_EQ(
      single("Conv2DTranspose", {{"filters", 4}, {"kernel_size", 3}, {"strides", 2}}, {N, 7, 8, 5})
          .shape,
      (Shape{N, 15, 17, 4}));
  EXPECT_EQ(
      single("Conv2DTranspose", {{"filters", 4}, {"kernel_size", 1}, {"strides", 3}}, {N, 7, 8, 5})
          .shape,
      (Shape{N, 21, 24, 4}));
  // output_padding: (n - 1) * s + k - 2 * (k // 2) + p ('same'), (n - 1) * s + k + p ('valid')
  EXPECT_EQ(single("Conv2DTranspose",
                   {{"filters", 4},
                    {"kernel_size", 3},
                    {"strides", 3},
                    {"padding", "same"},
                    {"output_padding", {2, 0}}},
                   {N, 4, 4, 2})
                .shape,
            (Shape{N, 12, 10, 4}));
  EXPECT_EQ(single("Conv2DTranspose",
                   {{"filters", 4}, {"kernel_size", {3, 2}}, {"strides", 2}, {"output_padding", 1}},
                   {N, 4, 4, 2})
                .shape,
            (Shape{N, 10, 9, 4}));
  // dilation widens the kernel: (3 - 1) * 2 + 1 = 5; unknown sizes stay unknown
  EXPECT_EQ(single("Conv2DTranspose", {{"filters", 4}, {"dilation_rate", 2}}, {N, N, 6, 2}).shape,
            (Shape{N, N, 10, 4}));
  const Result noBias = single(
      "Conv2DTranspose", {{"filters", 2}, {"kernel_size", 2}, {"use_bias", false}}, {N, 3, 3, 3});
  EXPECT_EQ(noBias.params, 2 * 2 * 2 * 3);
  EXPECT_NE(failure("Conv2DTranspose", {{"strides", 2}, {"output_padding", 2}}, {N, 4, 4, 2})
                .find("output_padding"),
            std::string::npos);
  EXPECT_NE(failure("Conv2DTranspose", {{"strides", 2}, {"dilation_rate", 2}}, {N, 4, 4, 2})
                .find("dilation"),
            std::string::npos);
  EXPECT_NE(failure("Conv2DTranspose", Json::object(), {N, 4, 4, N}).find("channel"),
            std::string::npos);
}

// Keras's merges broadcast equal-rank inputs whose sizes differ only where one is 1.
TEST(Merge, BroadcastsSizesOfOne) {
  GraphBuilder b("m");
  auto x = b.input("in", {N, 8, 8, 4});
  auto pooled = b.add("GlobalAveragePooling2D", "gap", {{"keepdims", true}}, x);
  b.add("Multiply", "se", {}, {x, pooled});
  b.add("Add", "add", {}, {pooled, x, pooled});
  const GraphAnalysis a = analyze(b.build());
  ASSERT_TRUE(a.ok()) << joinDiagnostics(a.diagnostics);
  EXPECT_EQ(a.find("se")->outputShape, (Shape{N, 8, 8, 4}));
  EXPECT_EQ(a.find("add")->outputShape, (Shape{N, 8, 8, 4}));
  GraphBuilder c("m");
  auto y = c.input("in", {N, 8, 8, 4});
  auto flat = c.add("GlobalAveragePooling2D", "gap", {}, y);
  c.add("Multiply", "bad", {}, {y, flat});  // ranks differ
  EXPECT_FALSE(analyze(c.build()).ok());
}

TEST(Reshaping, RepeatVector) {
  EXPECT_EQ(single("RepeatVector", {{"n", 4}}, {N, 10}).shape, (Shape{N, 4, 10}));
  EXPECT_EQ(single("RepeatVector", {{"n", 4}}, {N, 10}).params, 0);
  EXPECT_NE(failure("RepeatVector", {{"n", 4}}, {N, 5, 10}).find("2-D"), std::string::npos);
  EXPECT_NE(failure("RepeatVector", {{"n", -1}}, {N, 10}).find("'n'"), std::string::npos);
  EXPECT_EQ(LayerRegistry::standard().normalizeConfig("RepeatVector", Json::object()).at("n"), 1);
}

}  // namespace
}  // namespace graft
