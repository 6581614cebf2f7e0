// Every named activation against its Keras formula (Keras 2's hard_sigmoid) (written here with
// <cmath>), the ReLU layer's cap / slope / threshold as keras.backend.relu, LeakyReLU, ELU's alpha,
// PReLU's alpha (shape and shared_axes as Keras builds it, values against a loop), and Softmax
// axes.
#include <cmath>
#include <functional>

#include "graph/analysis.h"
#include "graph/layer_helpers.h"
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

torch::Tensor applyScalar(const torch::Tensor& x, const std::function<double(double)>& f) {
  torch::Tensor y = torch::empty(x.sizes(), torch::kFloat64);
  torch::Tensor xc = x.to(torch::kFloat64).contiguous();
  const double* in = xc.data_ptr<double>();
  double* out = y.data_ptr<double>();
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = f(in[i]);
  return y;
}

double sigmoid(double v) {
  return 1.0 / (1.0 + std::exp(-v));
}

// Keras 3 hard_silu: 0 below -3, x above 3, x (x + 3) / 6 between.
double hardSilu(double v) {
  return v <= -3.0 ? 0.0 : v >= 3.0 ? v : v * (v + 3.0) / 6.0;
}

// Values across every breakpoint: +-2.5 (hard_sigmoid), +-3 (hard_silu), 0, 6 (relu6), large
// magnitudes.
torch::Tensor probe() {
  return torch::cat({torch::linspace(-8.0, 8.0, 161, torch::kFloat32),
                     torch::tensor({-2.5f, 2.5f, 0.f, 6.f, -0.5f, 0.5f, -3.f, 3.f})})
      .reshape({1, 169});
}

TEST(ActivationOps, EveryNamedActivationMatchesKerasFormula) {
  const double selA = 1.6732632423543772848170429916717, selS = 1.0507009873554804934193349852946;
  const std::map<std::string, std::function<double(double)>> formulas = {
      {"linear", [](double v) { return v; }},
      {"relu", [](double v) { return std::max(v, 0.0); }},
      {"relu6", [](double v) { return std::min(std::max(v, 0.0), 6.0); }},
      {"sigmoid", sigmoid},
      {"hard_sigmoid", [](double v) { return std::min(std::max(0.2 * v + 0.5, 0.0), 1.0); }},
      {"tanh", [](double v) { return std::tanh(v); }},
      {"elu", [](double v) { return v > 0 ? v : std::exp(v) - 1.0; }},
      {"selu", [&](double v) { return selS * (v > 0 ? v : selA * (std::exp(v) - 1.0)); }},
      {"swish", [](double v) { return v * sigmoid(v); }},
      {"silu", [](double v) { return v * sigmoid(v); }},
      {"softplus", [](double v) { return std::log1p(std::exp(v)); }},
      {"softsign", [](double v) { return v / (1.0 + std::abs(v)); }},
      {"exponential", [](double v) { return std::exp(v); }},
      {"gelu", [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }},
      {"hard_silu", hardSilu},
      // Keras 3's hard_sigmoid, relu6(x + 3) / 6 (Keras 2's is "hard_sigmoid" above).
      {"hard_sigmoid_keras3", [](double v) { return std::min(std::max(v + 3.0, 0.0), 6.0) / 6.0; }},
      {"hard_swish", hardSilu},
      {"mish", [](double v) { return v * std::tanh(std::log1p(std::exp(v))); }},
      {"leaky_relu", [](double v) { return v >= 0 ? v : 0.2 * v; }},  // Keras 3's slope
  };
  torch::Tensor x = probe();
  for (const auto& name : layers::knownActivations()) {
    if (name == "softmax" || name == "log_softmax") continue;  // below, with axes
    SCOPED_TRACE(name);
    ASSERT_TRUE(formulas.count(name)) << "no reference formula for " << name;
    Graph g = oneLayer("Activation", {{"activation", name}}, {kUnknown, 169});
    EXPECT_TRUE(allClose(runLayer(g, {}, x), applyScalar(x, formulas.at(name))));
  }
}

torch::Tensor softmaxReference(const torch::Tensor& x, int64_t axis) {
  torch::Tensor xd = x.to(torch::kFloat64);
  torch::Tensor e = (xd - std::get<0>(xd.max(axis, true))).exp();
  return e / e.sum(axis, true);
}

TEST(ActivationOps, SoftmaxActivationIsOverTheLastKerasAxis) {
  torch::Tensor x4 = randomTensor({2, 3, 4, 5}, 1) * 4.0;
  EXPECT_TRUE(allClose(
      runLayer(oneLayer("Activation", {{"activation", "softmax"}}, {kUnknown, 3, 4, 5}), {}, x4),
      softmaxReference(x4, 3)));
  torch::Tensor x2 = randomTensor({3, 7}, 2) * 4.0;
  EXPECT_TRUE(
      allClose(runLayer(oneLayer("Activation", {{"activation", "softmax"}}, {kUnknown, 7}), {}, x2),
               softmaxReference(x2, 1)));
}

// log(softmax) in double, shifted by the maximum: exact where float32's log(softmax) would
// underflow to -inf.
torch::Tensor logSoftmaxReference(const torch::Tensor& x, int64_t axis) {
  torch::Tensor shifted =
      x.to(torch::kFloat64) - std::get<0>(x.to(torch::kFloat64).max(axis, true));
  return shifted - shifted.exp().sum(axis, true).log();
}

// Keras's log_softmax activation (keras.activations.log_softmax, axis=-1; tf.nn.log_softmax in
// tf.keras): over the last Keras axis, channels on an image; confident scores stay finite.
TEST(ActivationOps, LogSoftmaxActivationIsOverTheLastKerasAxis) {
  const Graph image = oneLayer("Activation", {{"activation", "log_softmax"}}, {kUnknown, 3, 4, 5});
  torch::Tensor x4 = randomTensor({2, 3, 4, 5}, 5) * 4.0;
  EXPECT_TRUE(allClose(runLayer(image, {}, x4), logSoftmaxReference(x4, 3)));
  const Graph vector = oneLayer("Activation", {{"activation", "log_softmax"}}, {kUnknown, 4});
  torch::Tensor x2 = torch::tensor({{1.f, 3.f, -2.f, 0.5f}, {200.f, 0.f, -200.f, 100.f}});
  const torch::Tensor y2 = runLayer(vector, {}, x2);
  EXPECT_TRUE(allClose(y2, logSoftmaxReference(x2, 1)));
  EXPECT_TRUE(torch::isfinite(y2).all().item<bool>());  // log(softmax) would read -inf
  EXPECT_NEAR(y2[1][2].item<double>(), -400.0, 1e-3);
  // exp of the output is softmax's probabilities.
  EXPECT_TRUE(allClose(y2.exp(), softmaxReference(x2, 1)));
  // On a Dense layer, as activation="log_softmax".
  const Graph dense =
      oneLayer("Dense", {{"units", 3}, {"activation", "log_softmax"}}, {kUnknown, 2});
  const WeightStore w = randomWeights(dense, 3, -2.f, 2.f);
  const torch::Tensor in = randomTensor({3, 2}, 4) * 3.0;
  const torch::Tensor logits = in.matmul(kerasWeight(w, "layer", 0)) + kerasWeight(w, "layer", 1);
  EXPECT_TRUE(allClose(runLayer(dense, w, in), logSoftmaxReference(logits, 1)));
}

TEST(ActivationOps, SoftmaxLayerAxes) {
  torch::Tensor x4 = randomTensor({2, 3, 4, 5}, 3) * 4.0;
  for (int axis : {-1, 1, 2, 3}) {
    SCOPED_TRACE(axis);
    const int64_t k = axis < 0 ? 3 : axis;
    EXPECT_TRUE(
        allClose(runLayer(oneLayer("Softmax", {{"axis", axis}}, {kUnknown, 3, 4, 5}), {}, x4),
                 softmaxReference(x4, k)));
  }
  torch::Tensor x3 = randomTensor({2, 4, 5}, 4) * 4.0;
  EXPECT_TRUE(allClose(runLayer(oneLayer("Softmax", {{"axis", 1}}, {kUnknown, 4, 5}), {}, x3),
                       softmaxReference(x3, 1)));
}

// keras.backend.relu: x where x > threshold else 0, clipped to max_value, minus
// negative_slope * relu(threshold - x).
double kerasRelu(double v, double slope, std::optional<double> max, double threshold) {
  double y = v > threshold ? v : 0.0;
  if (max) y = std::min(std::max(y, 0.0), *max);
  return y - slope * std::max(threshold - v, 0.0);
}

TEST(ActivationOps, ReluLayerCapSlopeAndThreshold) {
  struct Case {
    Json max;
    double slope, threshold;
  };
  torch::Tensor x = probe();
  for (const Case& c : std::vector<Case>{{nullptr, 0.0, 0.0},
                                         {6.0, 0.0, 0.0},
                                         {nullptr, 0.1, 0.0},
                                         {4.0, 0.2, 0.0},
                                         {nullptr, 0.0, 1.5},
                                         {5.0, 0.3, 1.0},
                                         {nullptr, 0.3, -1.0}}) {
    SCOPED_TRACE("max " + c.max.dump() + " slope " + std::to_string(c.slope) + " threshold " +
                 std::to_string(c.threshold));
    Graph g = oneLayer(
        "ReLU", {{"max_value", c.max}, {"negative_slope", c.slope}, {"threshold", c.threshold}},
        {kUnknown, 169});
    std::optional<double> max;
    if (!c.max.is_null()) max = c.max.get<double>();
    EXPECT_TRUE(allClose(runLayer(g, {}, x), applyScalar(x, [&](double v) {
                           return kerasRelu(v, c.slope, max, c.threshold);
                         })));
  }
}

TEST(ActivationOps, LeakyRelu) {
  torch::Tensor x = probe();
  for (double alpha : {0.3, 0.01}) {
    Graph g = oneLayer("LeakyReLU", {{"alpha", alpha}}, {kUnknown, 169});
    EXPECT_TRUE(allClose(runLayer(g, {}, x),
                         applyScalar(x, [&](double v) { return v > 0 ? v : alpha * v; })));
  }
}

TEST(ActivationOps, EluAlpha) {
  torch::Tensor x = probe();
  for (double alpha : {1.0, 0.3, 2.5}) {
    SCOPED_TRACE(alpha);
    Graph g = oneLayer("ELU", {{"alpha", alpha}}, {kUnknown, 169});
    EXPECT_TRUE(allClose(runLayer(g, {}, x), applyScalar(x, [&](double v) {
                           return v > 0 ? v : alpha * (std::exp(v) - 1.0);
                         })));
  }
}

// alpha has the input's shape without the batch, 1 along shared_axes (Keras PReLU.build).
TEST(ActivationOps, PReluAlphaShapeFollowsSharedAxes) {
  struct Case {
    Json shared;
    Shape input, alpha;
  };
  for (const Case& c : std::vector<Case>{{nullptr, {kUnknown, 4, 5, 3}, {4, 5, 3}},
                                         {{1, 2}, {kUnknown, 4, 5, 3}, {1, 1, 3}},
                                         {2, {kUnknown, 4, 5, 3}, {4, 1, 3}},
                                         {{1, 2}, {kUnknown, kUnknown, kUnknown, 3}, {1, 1, 3}},
                                         {nullptr, {kUnknown, 6}, {6}}}) {
    SCOPED_TRACE(c.shared.dump() + " " + shapeToString(c.input));
    const GraphAnalysis a = analyzeOrThrow(oneLayer("PReLU", {{"shared_axes", c.shared}}, c.input));
    const NodeInfo& info = *a.find("layer");
    ASSERT_EQ(info.weights.size(), 1u);
    EXPECT_EQ(info.weights[0].name, "alpha");
    EXPECT_EQ(info.weights[0].shape, c.alpha);
    EXPECT_TRUE(info.weights[0].trainable);
    EXPECT_EQ(a.totalParams, elementCount(c.alpha));
  }
  // An unknown size that alpha would need, and an axis out of range, name the layer.
  for (const auto& [shared, input] :
       std::vector<std::pair<Json, Shape>>{{nullptr, {kUnknown, kUnknown, 5, 3}},
                                           {{3, 4}, {kUnknown, 4, 5, 3}},
                                           {0, {kUnknown, 4, 5, 3}}}) {
    const GraphAnalysis a = analyze(oneLayer("PReLU", {{"shared_axes", shared}}, input));
    ASSERT_EQ(a.diagnostics.size(), 1u) << shared.dump();
    EXPECT_EQ(a.diagnostics[0].subject, "layer");
  }
}

TEST(ActivationOps, PReluMatchesLoopForEverySharing) {
  for (const Json& shared : {Json(nullptr), Json::array({1, 2}), Json(2), Json::array({1, 3})}) {
    SCOPED_TRACE(shared.dump());
    Graph g = oneLayer("PReLU", {{"shared_axes", shared}}, {kUnknown, 4, 5, 3});
    WeightStore w = randomWeights(g, 31, -1.0f, 1.0f);
    torch::Tensor x = randomTensor({2, 4, 5, 3}, 32);
    EXPECT_TRUE(allClose(runLayer(g, w, x), naive::prelu(x, kerasWeight(w, "layer", 0))));
  }
  Graph flat = oneLayer("PReLU", Json::object(), {kUnknown, 7});
  WeightStore w = randomWeights(flat, 33, -1.0f, 1.0f);
  torch::Tensor x = randomTensor({3, 7}, 34);
  EXPECT_TRUE(allClose(runLayer(flat, w, x), naive::prelu(x, kerasWeight(w, "layer", 0))));
}

// alpha comes back in Keras's layout bit for bit, and its gradient is Keras's: d(sum y)/d alpha
// of a channel is the sum of that channel's negative inputs.
TEST(ActivationOps, PReluAlphaRoundTripsAndTrains) {
  Graph g = oneLayer("PReLU", {{"shared_axes", {1, 2}}}, {kUnknown, 4, 5, 3});
  WeightStore w = randomWeights(g, 35);
  GraphModule m(g, w);
  const WeightStore back = m.weights();
  EXPECT_TRUE(torch::equal(kerasWeight(back, "layer", 0), kerasWeight(w, "layer", 0)));

  m.train(true);
  const torch::Tensor x = randomTensor({2, 4, 5, 3}, 36);
  m.forward(x.permute({0, 3, 1, 2}).contiguous()).sum().backward();
  torch::Tensor grad;
  for (const auto& p : m.module().named_parameters(true))
    if (p.key().find("alpha") != std::string::npos) grad = p.value().grad();
  ASSERT_TRUE(grad.defined());
  const torch::Tensor want = torch::clamp_max(x, 0.0).sum({0, 1, 2}).reshape({1, 1, 3});
  EXPECT_TRUE(allClose(grad, want));
}

}  // namespace
}  // namespace graft::test
