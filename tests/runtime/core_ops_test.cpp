// Dense, Flatten, Reshape, Concatenate, Add, Multiply, ZeroPadding2D, Cropping2D, Rescaling,
// Dropout: each against a reference computed in Keras's layout.
#include "graph/analysis.h"
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

TEST(CoreOps, DenseOnVectors) {
  for (bool bias : {true, false}) {
    Graph g = oneLayer("Dense", {{"units", 5}, {"use_bias", bias}, {"activation", "sigmoid"}},
                       {kUnknown, 7});
    WeightStore w = randomWeights(g, 1);
    torch::Tensor x = randomTensor({3, 7}, 2);
    torch::Tensor want = naive::dense(x, kerasWeight(w, "layer", 0),
                                      bias ? kerasWeight(w, "layer", 1) : torch::Tensor())
                             .sigmoid();
    EXPECT_TRUE(allClose(runLayer(g, w, x), want));
  }
}

// Keras applies Dense to the last axis: the channels of an image, or the last of a sequence.
TEST(CoreOps, DenseOnImagesActsOnChannels) {
  for (const Shape& shape : {Shape{kUnknown, 3, 4, 5}, Shape{kUnknown, 4, 5}}) {
    SCOPED_TRACE(shapeToString(shape));
    Graph g = oneLayer("Dense", {{"units", 6}}, shape);
    WeightStore w = randomWeights(g, 3);
    std::vector<int64_t> dims(shape.begin(), shape.end());
    dims[0] = 2;
    torch::Tensor x = randomTensor(dims, 4);
    torch::Tensor flat =
        naive::dense(x.reshape({-1, 5}), kerasWeight(w, "layer", 0), kerasWeight(w, "layer", 1));
    dims.back() = 6;
    EXPECT_TRUE(allClose(runLayer(g, w, x), flat.reshape(dims)));
  }
}

// The classic trap: Keras flattens H, W, C; a Dense after Flatten must see that order.
TEST(CoreOps, FlattenUsesKerasOrderBeforeDense) {
  GraphBuilder b("flatten_dense");
  std::string x = b.input("input_1", {kUnknown, 3, 4, 5});
  x = b.add("Flatten", "flatten", {}, x);
  x = b.add("Dense", "fc", {{"units", 7}}, x);
  Graph g = b.build({x});
  WeightStore w = randomWeights(g, 5);
  torch::Tensor input = randomTensor({2, 3, 4, 5}, 6);
  torch::Tensor want =
      naive::dense(input.reshape({2, 60}), kerasWeight(w, "fc", 0), kerasWeight(w, "fc", 1));
  EXPECT_TRUE(allClose(runLayer(g, w, input), want));
  // And Flatten alone gives H, W, C order.
  Graph f = oneLayer("Flatten", {}, {kUnknown, 3, 4, 5});
  EXPECT_TRUE(allClose(runLayer(f, {}, input), input.reshape({2, 60})));
}

TEST(CoreOps, ReshapeFollowsKerasLayout) {
  torch::Tensor x = randomTensor({2, 3, 4, 6}, 7);
  // Image -> (rows, values): values in H, W, C order.
  EXPECT_TRUE(allClose(
      runLayer(oneLayer("Reshape", {{"target_shape", {12, 6}}}, {kUnknown, 3, 4, 6}), {}, x),
      x.reshape({2, 12, 6})));
  // Image -> image of another shape, with -1.
  EXPECT_TRUE(allClose(
      runLayer(oneLayer("Reshape", {{"target_shape", {6, -1, 3}}}, {kUnknown, 3, 4, 6}), {}, x),
      x.reshape({2, 6, 4, 3})));
  // Vector -> (1, 1, C) as MobileNet's top does, then back.
  torch::Tensor v = randomTensor({2, 8}, 8);
  EXPECT_TRUE(
      allClose(runLayer(oneLayer("Reshape", {{"target_shape", {1, 1, 8}}}, {kUnknown, 8}), {}, v),
               v.reshape({2, 1, 1, 8})));
  EXPECT_TRUE(
      allClose(runLayer(oneLayer("Reshape", {{"target_shape", {2, 2, 2}}}, {kUnknown, 8}), {}, v),
               v.reshape({2, 2, 2, 2})));
}

// Three branches (x * 1.5, x * -0.5 + 1, x ^ 2 via Multiply) merged by each merge layer.
Graph mergeGraph(const std::string& cls, const Json& config, const Shape& shape) {
  GraphBuilder b("merge");
  std::string x = b.input("input_1", shape);
  std::string a = b.add("Rescaling", "a", {{"scale", 1.5}}, x);
  std::string c = b.add("Rescaling", "c", {{"scale", -0.5}, {"offset", 1.0}}, x);
  std::string sq = b.add("Multiply", "sq", {}, std::vector<std::string>{x, x});
  std::string m = b.add(cls, "merge", config, std::vector<std::string>{a, c, sq});
  return b.build({m});
}

TEST(CoreOps, AddAndMultiplyAnyNumberOfInputs) {
  torch::Tensor x = randomTensor({2, 3, 4, 5}, 9);
  torch::Tensor a = x * 1.5, c = x * -0.5 + 1.0, sq = x * x;
  EXPECT_TRUE(allClose(runLayer(mergeGraph("Add", {}, {kUnknown, 3, 4, 5}), {}, x), a + c + sq));
  EXPECT_TRUE(
      allClose(runLayer(mergeGraph("Multiply", {}, {kUnknown, 3, 4, 5}), {}, x), a * c * sq));
}

TEST(CoreOps, ConcatenateAlongKerasAxes) {
  torch::Tensor x = randomTensor({2, 3, 4, 5}, 10);
  torch::Tensor a = x * 1.5, c = x * -0.5 + 1.0, sq = x * x;
  for (int axis : {-1, 1, 2, 3}) {
    SCOPED_TRACE(axis);
    EXPECT_TRUE(
        allClose(runLayer(mergeGraph("Concatenate", {{"axis", axis}}, {kUnknown, 3, 4, 5}), {}, x),
                 torch::cat({a, c, sq}, axis < 0 ? 3 : axis)));
  }
  torch::Tensor v = randomTensor({2, 6}, 11);
  EXPECT_TRUE(allClose(runLayer(mergeGraph("Concatenate", {}, {kUnknown, 6}), {}, v),
                       torch::cat({v * 1.5, v * -0.5 + 1.0, v * v}, 1)));
}

TEST(CoreOps, ZeroPaddingAndCropping) {
  torch::Tensor x = randomTensor({2, 5, 6, 3}, 12);
  Graph pad = oneLayer("ZeroPadding2D", {{"padding", {{1, 2}, {0, 3}}}}, {kUnknown, 5, 6, 3});
  torch::Tensor padded = torch::zeros({2, 8, 9, 3});
  padded.narrow(1, 1, 5).narrow(2, 0, 6).copy_(x);
  EXPECT_TRUE(allClose(runLayer(pad, {}, x), padded));
  Graph crop = oneLayer("Cropping2D", {{"cropping", {{1, 2}, {2, 1}}}}, {kUnknown, 5, 6, 3});
  EXPECT_TRUE(allClose(runLayer(crop, {}, x), x.narrow(1, 1, 2).narrow(2, 2, 3)));
}

TEST(CoreOps, Rescaling) {
  torch::Tensor x = randomTensor({2, 3, 3, 3}, 13) * 255.0;
  Graph g = oneLayer("Rescaling", {{"scale", 1.0 / 127.5}, {"offset", -1.0}}, {kUnknown, 3, 3, 3});
  EXPECT_TRUE(allClose(runLayer(g, {}, x), x.to(torch::kFloat64) / 127.5 - 1.0));
}

// Keras 3's list scale (EfficientNet's 1 / sqrt(stddev) per colour) multiplies the last axis.
TEST(CoreOps, RescalingPerChannel) {
  torch::Tensor x = randomTensor({2, 3, 4, 3}, 14);
  Graph g =
      oneLayer("Rescaling", {{"scale", {2.0, -1.0, 0.5}}, {"offset", 0.25}}, {kUnknown, 3, 4, 3});
  const torch::Tensor factors = torch::tensor({2.0, -1.0, 0.5}, torch::kFloat64);
  EXPECT_TRUE(allClose(runLayer(g, {}, x), x.to(torch::kFloat64) * factors + 0.25));
  // On a rank-2 input too; a one-entry list is a number.
  Graph flat = oneLayer("Rescaling", {{"scale", {2.0, -1.0, 0.5}}}, {kUnknown, 3});
  torch::Tensor v = randomTensor({4, 3}, 15);
  EXPECT_TRUE(allClose(runLayer(flat, {}, v), v.to(torch::kFloat64) * factors));
  Graph one = oneLayer("Rescaling", {{"scale", {3.0}}}, {kUnknown, 2, 2, 5});
  torch::Tensor w = randomTensor({1, 2, 2, 5}, 16);
  EXPECT_TRUE(allClose(runLayer(one, {}, w), w.to(torch::kFloat64) * 3.0));
  // (x - mean) / std per colour: both lists; and Keras 3's NumPy form of a list.
  const Json numpy = {{"class_name", "__numpy__"},
                      {"config", {{"value", {-1.0, 0.0, 2.0}}, {"dtype", "float32"}}}};
  Graph both =
      oneLayer("Rescaling", {{"scale", {2.0, -1.0, 0.5}}, {"offset", numpy}}, {kUnknown, 3, 4, 3});
  const torch::Tensor offsets = torch::tensor({-1.0, 0.0, 2.0}, torch::kFloat64);
  EXPECT_TRUE(allClose(runLayer(both, {}, x), x.to(torch::kFloat64) * factors + offsets));
  // A list of the wrong length names the field.
  const GraphAnalysis wrong =
      analyze(oneLayer("Rescaling", {{"offset", {1.0, 2.0}}}, {kUnknown, 3, 4, 3}));
  EXPECT_FALSE(wrong.ok());
  EXPECT_NE(joinDiagnostics(wrong.diagnostics).find("config field 'offset' lists 2 values"),
            std::string::npos)
      << joinDiagnostics(wrong.diagnostics);
}

// Keras 3's AutoContrast: each image's channels stretched between their own minimum and
// maximum. Worked by hand: 10, 20, 30, 50 in [0, 255] -> scale 255 / 40 = 6.375, offset -63.75
// -> 0, 63.75, 127.5, 255; the same in value_range [0, 1] (0.1 .. 0.5 -> 0 .. 1). A channel of
// one value divides by zero in Keras (NaN) and comes back as it was. Then against the loop of
// naive::autoContrast for random images, value ranges given in either order.
TEST(CoreOps, AutoContrastStretchesEachImagesChannels) {
  const auto run = [](const Json& config, const torch::Tensor& x) {
    const Shape shape{kUnknown, x.size(1), x.size(2), x.size(3)};
    return runLayer(oneLayer("AutoContrast", config, shape), {}, x);
  };
  const torch::Tensor bytes = torch::tensor({10.0f, 20.0f, 30.0f, 50.0f}).reshape({1, 2, 2, 1});
  EXPECT_TRUE(torch::equal(run(Json::object(), bytes),
                           torch::tensor({0.0f, 63.75f, 127.5f, 255.0f}).reshape({1, 2, 2, 1})));
  EXPECT_TRUE(allClose(run({{"value_range", {0, 1}}}, bytes / 100.0f),
                       torch::tensor({0.0f, 0.25f, 0.5f, 1.0f}).reshape({1, 2, 2, 1})));
  // Keras's own test (auto_contrast_test.py, test_auto_contrast_different_values_per_channel):
  // channels 1..10, 2..11, 3..12 each become 0, 85, 170, 255.
  const torch::Tensor ramp = torch::arange(1, 13, torch::kFloat32).reshape({1, 2, 2, 3});
  EXPECT_TRUE(allClose(
      run(Json::object(), ramp),
      torch::tensor({0.0f, 85.0f, 170.0f, 255.0f}).reshape({1, 2, 2, 1}).expand({1, 2, 2, 3})));
  // Two images, two channels: image 1's channel 0 is flat (kept), the rest stretched.
  torch::Tensor two = randomTensor({2, 3, 4, 2}, 91) * 100.0 + 120.0;
  two.select(0, 1).select(2, 0).fill_(42.0f);
  const torch::Tensor out = run(Json::object(), two);
  EXPECT_TRUE(torch::equal(out.select(0, 1).select(2, 0), two.select(0, 1).select(2, 0)));
  EXPECT_EQ(out.select(0, 0).select(2, 1).min().item<float>(), 0.0f);
  EXPECT_EQ(out.select(0, 0).select(2, 1).max().item<float>(), 255.0f);
  EXPECT_TRUE(allClose(out, naive::autoContrast(two, 0.0f, 255.0f), 1e-6));
  const torch::Tensor x = randomTensor({3, 5, 4, 3}, 92);
  EXPECT_TRUE(allClose(run({{"value_range", {1, -1}}}, x), naive::autoContrast(x, -1.0f, 1.0f)));
  // Values outside value_range map outside [0, 255] and are clipped there, as in Keras.
  EXPECT_TRUE(
      allClose(run({{"value_range", {-0.5, 0.5}}}, x), naive::autoContrast(x, -0.5f, 0.5f)));
}

TEST(CoreOps, AutoContrastRefusesWhatKerasCannotCompute) {
  const auto refusal = [](const Json& config, const Shape& shape) {
    const GraphAnalysis a = analyze(oneLayer("AutoContrast", config, shape));
    return a.diagnostics.empty() ? std::string() : a.diagnostics[0].str();
  };
  EXPECT_NE(refusal({{"value_range", {1, 1}}}, {kUnknown, 4, 4, 3}).find("'value_range'"),
            std::string::npos);
  EXPECT_NE(refusal({{"value_range", {0}}}, {kUnknown, 4, 4, 3}).find("two numbers"),
            std::string::npos);
  EXPECT_NE(refusal(Json::object(), {kUnknown, 12}).find("4-D"), std::string::npos);
  EXPECT_NE(refusal(Json::object(), {kUnknown, 12}).find("layer"), std::string::npos);
}

TEST(CoreOps, DropoutOnlyWhileTraining) {
  Graph g = oneLayer("Dropout", {{"rate", 0.25}}, {kUnknown, 20000});
  GraphModule m(g, {});
  torch::Tensor x = torch::rand({2, 20000}) + 1.0;
  EXPECT_TRUE(torch::equal(m.forward(x), x));
  m.train(true);
  torch::Tensor y = m.forward(x);
  torch::Tensor dropped = y == 0;
  const double fraction = dropped.to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(fraction, 0.25, 0.02);
  // Kept values are scaled by 1 / (1 - rate), as Keras does.
  torch::Tensor kept = ~dropped;
  EXPECT_TRUE(allClose(y.masked_select(kept), x.masked_select(kept) / 0.75));
}

// Stochastic depth (EfficientNet's blockNx_drop): noise_shape (None, 1, 1, 1) keeps or drops a
// whole sample's residual branch while training, and is the identity at inference.
TEST(CoreOps, DropoutNoiseShapePerSampleIsStochasticDepth) {
  Graph g = oneLayer("Dropout", {{"rate", 0.5}, {"noise_shape", {nullptr, 1, 1, 1}}},
                     {kUnknown, 3, 3, 8});
  GraphModule m(g, {});
  const torch::Tensor x = torch::rand({64, 3, 3, 8}) + 1.0;
  EXPECT_TRUE(torch::equal(runKeras(m, x), x));
  m.train(true);
  const torch::Tensor y = runKeras(m, x);
  const torch::Tensor dropped = (y == 0).flatten(1).all(1), kept = (y == x * 2).flatten(1).all(1);
  EXPECT_TRUE((dropped | kept).all().item<bool>());  // each sample whole, one way or the other
  EXPECT_TRUE(dropped.any().item<bool>());
  EXPECT_TRUE(kept.any().item<bool>());
}

// noise_shape (None, 1, 1, C): one decision per sample and channel, shared over H and W.
TEST(CoreOps, DropoutNoiseShapeSharesTheMask) {
  Graph g = oneLayer("Dropout", {{"rate", 0.5}, {"noise_shape", {nullptr, 1, 1, 64}}},
                     {kUnknown, 4, 4, 64});
  GraphModule m(g, {});
  m.train(true);
  torch::Tensor y = runKeras(m, torch::ones({3, 4, 4, 64}));
  torch::Tensor first = y.narrow(1, 0, 1).narrow(2, 0, 1);
  EXPECT_TRUE(torch::equal(y, first.expand_as(y)));
  EXPECT_TRUE((y == 0).any().item<bool>());
  EXPECT_TRUE((y == 2).any().item<bool>());
}

}  // namespace
}  // namespace graft::test
