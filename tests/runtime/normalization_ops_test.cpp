// BatchNormalization: inference with moving statistics (scale/center off too), training with
// batch statistics and Keras's moving-average update, frozen layers always in inference mode.
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

// Keras's inference formula over the last (channel) axis of a Keras-layout tensor, in double.
torch::Tensor bnReference(const torch::Tensor& x, const torch::Tensor& mean,
                          const torch::Tensor& var, const torch::Tensor& gamma,
                          const torch::Tensor& beta, double eps) {
  torch::Tensor y =
      (x.to(torch::kFloat64) - mean.to(torch::kFloat64)) / (var.to(torch::kFloat64) + eps).sqrt();
  if (gamma.defined()) y = y * gamma.to(torch::kFloat64);
  if (beta.defined()) y = y + beta.to(torch::kFloat64);
  return y;
}

TEST(NormalizationOps, InferenceUsesMovingStatistics) {
  for (bool scale : {true, false})
    for (bool center : {true, false})
      for (const Shape& shape :
           {Shape{kUnknown, 5, 4, 3}, Shape{kUnknown, 3}, Shape{kUnknown, 4, 3}}) {
        SCOPED_TRACE(std::string(scale ? "scale " : "no scale ") +
                     (center ? "center " : "no center ") + shapeToString(shape));
        Graph g = oneLayer("BatchNormalization",
                           {{"scale", scale}, {"center", center}, {"epsilon", 0.01}}, shape);
        WeightStore w = randomWeights(g, 5);
        size_t i = 0;
        torch::Tensor gamma = scale ? kerasWeight(w, "layer", i++) : torch::Tensor();
        torch::Tensor beta = center ? kerasWeight(w, "layer", i++) : torch::Tensor();
        torch::Tensor mean = kerasWeight(w, "layer", i++), var = kerasWeight(w, "layer", i++);
        std::vector<int64_t> dims(shape.begin(), shape.end());
        dims[0] = 2;
        torch::Tensor x = randomTensor(dims, 6) * 3.0;
        EXPECT_TRUE(allClose(runLayer(g, w, x), bnReference(x, mean, var, gamma, beta, 0.01)));
      }
}

TEST(NormalizationOps, TrainingUsesBatchStatisticsAndUpdatesMovingAverages) {
  for (const Shape& shape : {Shape{kUnknown, 4, 5, 3}, Shape{kUnknown, 3}, Shape{kUnknown, 6, 3}}) {
    SCOPED_TRACE(shapeToString(shape));
    Graph g = oneLayer("BatchNormalization", {{"momentum", 0.9}, {"epsilon", 0.001}}, shape);
    WeightStore w = randomWeights(g, 9);
    GraphModule m(g, w);
    m.train(true);
    std::vector<int64_t> dims(shape.begin(), shape.end());
    dims[0] = 3;
    torch::Tensor x = randomTensor(dims, 10) * 2.0 + 0.5;
    torch::Tensor got = runKeras(m, x);

    // Keras: batch mean and the biased batch variance over every axis but the channels.
    torch::Tensor xd = x.to(torch::kFloat64).reshape({-1, 3});
    torch::Tensor mean = xd.mean(0);
    torch::Tensor var = (xd - mean).pow(2).mean(0);
    torch::Tensor gamma = kerasWeight(w, "layer", 0), beta = kerasWeight(w, "layer", 1);
    EXPECT_TRUE(allClose(got, bnReference(x, mean, var, gamma, beta, 0.001)));

    // moving = moving * momentum + batch * (1 - momentum), with the biased variance.
    WeightStore after = m.weights();
    torch::Tensor oldMean = kerasWeight(w, "layer", 2).to(torch::kFloat64);
    torch::Tensor oldVar = kerasWeight(w, "layer", 3).to(torch::kFloat64);
    EXPECT_TRUE(allClose(kerasWeight(after, "layer", 2), oldMean * 0.9 + mean * 0.1));
    EXPECT_TRUE(allClose(kerasWeight(after, "layer", 3), oldVar * 0.9 + var * 0.1));
    // gamma and beta are not touched by a forward pass.
    EXPECT_TRUE(torch::equal(kerasWeight(after, "layer", 0), gamma));

    // Back in inference mode the updated moving statistics are used.
    m.train(false);
    EXPECT_TRUE(
        allClose(runKeras(m, x), bnReference(x, kerasWeight(after, "layer", 2),
                                             kerasWeight(after, "layer", 3), gamma, beta, 0.001)));
  }
}

TEST(NormalizationOps, TrainingGradientsFlowThroughBatchStatistics) {
  Graph g = oneLayer("BatchNormalization", {}, {kUnknown, 3, 3, 2});
  GraphModule m(g, randomWeights(g, 2));
  m.train(true);
  torch::Tensor x = randomTensor({4, 2, 3, 3}, 3).requires_grad_(true);
  m.forward(x).sum().backward();
  // Sum of a batch-normalized output does not depend on x (mean removed): gradient ~ 0, but
  // gamma's gradient is sum of normalized values (~0) and beta's is the element count per channel.
  auto params = m.module().named_parameters();
  EXPECT_TRUE(allClose(params["layer.beta"].grad(), torch::full({2}, 4.0 * 9.0)));
  EXPECT_TRUE(allClose(x.grad(), torch::zeros_like(x), 1e-4));
}

TEST(NormalizationOps, FrozenLayerStaysInInferenceModeWhileTraining) {
  Graph g =
      oneLayer("BatchNormalization", {{"momentum", 0.5}}, {kUnknown, 4, 4, 3}, /*trainable=*/false);
  WeightStore w = randomWeights(g, 11);
  GraphModule m(g, w);
  m.train(true);
  torch::Tensor x = randomTensor({2, 4, 4, 3}, 12) * 4.0;
  torch::Tensor want = bnReference(x, kerasWeight(w, "layer", 2), kerasWeight(w, "layer", 3),
                                   kerasWeight(w, "layer", 0), kerasWeight(w, "layer", 1), 0.001);
  EXPECT_TRUE(allClose(runKeras(m, x), want));
  WeightStore after = m.weights();
  for (size_t i = 0; i < 4; ++i)
    EXPECT_TRUE(torch::equal(kerasWeight(after, "layer", i), kerasWeight(w, "layer", i))) << i;
  for (const auto& p : m.module().parameters()) EXPECT_FALSE(p.requires_grad());
}

// Keras LayerNormalization along the channels (the default), along another axis of a feature
// map, and on vectors; over several axes (axis=[1, 2, 3], [-3, -2, -1], a pair, tf.keras 2's
// unsorted [3, 1]: one mean and variance over all of them per sample, gamma and beta broadcast
// as Keras reshapes them); with and without gamma / beta; the same in training.
TEST(NormalizationOps, LayerNormalizationMatchesLoop) {
  struct Case {
    Json config;
    Shape shape;
    std::vector<int64_t> axes;
  };
  for (const Case& c : std::vector<Case>{
           {Json::object(), {kUnknown, 3, 4, 5}, {3}},
           {{{"axis", 1}}, {kUnknown, 3, 4, 5}, {1}},
           {{{"axis", Json::array({2})}}, {kUnknown, 3, 4, 5}, {2}},
           {{{"center", false}, {"epsilon", 1e-5}}, {kUnknown, 9}, {1}},
           {{{"scale", false}}, {kUnknown, 6, 7}, {2}},
           {{{"axis", {1, 2, 3}}}, {kUnknown, 3, 4, 5}, {1, 2, 3}},
           {{{"axis", {-3, -2, -1}}, {"epsilon", 1e-6}}, {kUnknown, 3, 4, 5}, {1, 2, 3}},
           {{{"axis", {1, 2}}, {"center", false}}, {kUnknown, 3, 4, 5}, {1, 2}},
           {{{"axis", {3, 1}}}, {kUnknown, 3, 4, 5}, {3, 1}},
           {{{"axis", {2, 3}}, {"scale", false}}, {kUnknown, 3, 4, 5}, {2, 3}},
           {{{"axis", {1, 2}}}, {kUnknown, 6, 7}, {1, 2}}}) {
    SCOPED_TRACE(c.config.dump() + " " + shapeToString(c.shape));
    Graph g = oneLayer("LayerNormalization", c.config, c.shape);
    WeightStore w = randomWeights(g, 61, 0.5f, 1.5f);
    std::vector<int64_t> dims(c.shape.begin(), c.shape.end());
    dims[0] = 2;
    const torch::Tensor x = randomTensor(dims, 62) * 3.0 + 0.5;
    const bool scale = c.config.value("scale", true), center = c.config.value("center", true);
    const torch::Tensor gamma = scale ? kerasWeight(w, "layer", 0) : torch::Tensor();
    const torch::Tensor beta = center ? kerasWeight(w, "layer", scale ? 1 : 0) : torch::Tensor();
    const double epsilon = c.config.value("epsilon", 1e-3);
    const torch::Tensor want = c.axes.size() == 1
                                   ? naive::layerNorm(x, c.axes[0], gamma, beta, epsilon)
                                   : naive::layerNormAxes(x, c.axes, gamma, beta, epsilon);
    EXPECT_TRUE(allClose(runLayer(g, w, x), want));
    GraphModule m(g, w);
    m.train(true);
    EXPECT_TRUE(allClose(runKeras(m, x), want));
  }
}

// Keras's Normalization against a loop: statistics from weights along one or several kept axes
// or one scalar (axis None), from the config (broadcast as Keras broadcasts them), inverted,
// and a variance below epsilon^2 (the divisor is floored at 1e-7, never sqrt(0)).
TEST(NormalizationOps, NormalizationMatchesLoop) {
  struct Case {
    Json config;
    Shape shape;
    std::vector<int64_t> kept;
  };
  for (const Case& c :
       std::vector<Case>{{Json::object(), {kUnknown, 3, 4, 5}, {3}},
                         {{{"axis", {1, 3}}}, {kUnknown, 3, 4, 5}, {1, 3}},
                         {{{"axis", {2}}, {"invert", true}}, {kUnknown, 3, 4, 5}, {2}},
                         {{{"axis", nullptr}}, {kUnknown, 3, 4, 5}, {}},
                         {{{"axis", -1}}, {kUnknown, 9}, {1}},
                         {{{"axis", 1}}, {kUnknown, 6, 7}, {1}}}) {
    SCOPED_TRACE(c.config.dump() + " " + shapeToString(c.shape));
    Graph g = oneLayer("Normalization", c.config, c.shape);
    WeightStore w = randomWeights(g, 71, -2.0f, 2.0f);
    // One variance far below epsilon^2: the divisor is 1e-7 there.
    std::vector<WeightTensor> tensors = *w.find("layer");
    std::vector<float> variance(tensors[1].values(), tensors[1].values() + tensors[1].numel());
    variance[0] = 1e-20f;
    tensors[1] = WeightTensor::fromValues(tensors[1].shape, variance);
    w.set("layer", tensors);
    std::vector<int64_t> dims(c.shape.begin(), c.shape.end());
    dims[0] = 2;
    const torch::Tensor x = randomTensor(dims, 72) * 3.0;
    const torch::Tensor want =
        naive::normalization(x, c.kept, kerasWeight(w, "layer", 0), kerasWeight(w, "layer", 1),
                             c.config.value("invert", false));
    EXPECT_TRUE(allClose(runLayer(g, w, x), want));
    GraphModule m(g, w);
    m.train(true);  // a preprocessing layer: the same in training
    EXPECT_TRUE(allClose(runKeras(m, x), want));
    // The weights come back bit for bit (count included).
    const WeightStore back = m.weights();
    for (size_t i = 0; i < 3; ++i)
      EXPECT_TRUE(torch::equal(kerasWeight(back, "layer", i), kerasWeight(w, "layer", i)));
  }
}

TEST(NormalizationOps, NormalizationWithMeanAndVarianceInTheConfig) {
  // mean (1, 5) and variance scalar broadcast onto the kept axes (3, 5), as numpy does.
  const Json config = {
      {"axis", {1, 3}}, {"mean", {{0.5, -1.0, 2.0, 0.0, 3.0}}}, {"variance", 2.25}};
  Graph g = oneLayer("Normalization", config, {kUnknown, 3, 4, 5});
  const torch::Tensor mean =
      torch::tensor({0.5, -1.0, 2.0, 0.0, 3.0}, torch::kFloat64).reshape({1, 5}).expand({3, 5});
  const torch::Tensor variance = torch::full({3, 5}, 2.25, torch::kFloat64);
  const torch::Tensor x = randomTensor({2, 3, 4, 5}, 73) * 4.0;
  EXPECT_TRUE(allClose(runLayer(g, {}, x), naive::normalization(x, {1, 3}, mean, variance, false)));
  GraphModule m(g, {});
  EXPECT_TRUE(m.weights().empty() || m.weights().find("layer") == nullptr ||
              m.weights().find("layer")->empty());
}

}  // namespace
}  // namespace graft::test
