// SpatialDropout2D, GaussianNoise, GaussianDropout and StochasticDepth: the input unchanged at
// inference; in training the noise Keras's layers add, checked by its statistics (whole channels
// dropped and the rest scaled by 1 / (1 - rate); N(0, stddev) added; N(1, sqrt(rate / (1 -
// rate))) multiplied; whole samples dropped and the rest scaled by 1 / (1 - rate)).
#include <cmath>

#include "graph/analysis.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

TEST(RegularizationOps, IdentityAtInference) {
  const torch::Tensor x = randomTensor({2, 4, 5, 6}, 41);
  for (const auto& [cls, config] :
       std::vector<std::pair<std::string, Json>>{{"SpatialDropout2D", {{"rate", 0.5}}},
                                                 {"GaussianNoise", {{"stddev", 0.3}}},
                                                 {"GaussianDropout", {{"rate", 0.4}}},
                                                 {"StochasticDepth", {{"drop_path_rate", 0.4}}}}) {
    SCOPED_TRACE(cls);
    EXPECT_TRUE(torch::equal(runLayer(oneLayer(cls, config, {kUnknown, 4, 5, 6}), {}, x), x));
  }
}

TEST(RegularizationOps, SpatialDropout2DDropsWholeChannels) {
  Graph g = oneLayer("SpatialDropout2D", {{"rate", 0.3}}, {kUnknown, 3, 4, 500});
  GraphModule m(g, {});
  m.train(true);
  const torch::Tensor x = torch::rand({8, 3, 4, 500}) + 1.0;  // never 0 itself
  const torch::Tensor y = runKeras(m, x);
  // Per (sample, channel): every position dropped, or every position kept and scaled.
  const torch::Tensor dropped = (y == 0).all(2).all(1);  // (N, C)
  const torch::Tensor kept = torch::isclose(y, x / 0.7, 1e-6, 0.0).all(2).all(1);
  EXPECT_TRUE((dropped ^ kept).all().item<bool>());
  EXPECT_NEAR(dropped.to(torch::kFloat64).mean().item<double>(), 0.3, 0.03);
}

TEST(RegularizationOps, GaussianNoiseAddsNormalNoise) {
  Graph g = oneLayer("GaussianNoise", {{"stddev", 0.25}}, {kUnknown, 50000});
  GraphModule m(g, {});
  m.train(true);
  const torch::Tensor x = randomTensor({2, 50000}, 42);
  const torch::Tensor noise = (m.forward(x) - x).to(torch::kFloat64);
  EXPECT_NEAR(noise.mean().item<double>(), 0.0, 0.005);
  EXPECT_NEAR(noise.std().item<double>(), 0.25, 0.005);
}

TEST(RegularizationOps, GaussianDropoutMultipliesByNormalNoise) {
  Graph g = oneLayer("GaussianDropout", {{"rate", 0.2}}, {kUnknown, 50000});
  GraphModule m(g, {});
  m.train(true);
  const torch::Tensor x = torch::rand({2, 50000}) + 1.0;
  const torch::Tensor factor = (m.forward(x) / x).to(torch::kFloat64);
  EXPECT_NEAR(factor.mean().item<double>(), 1.0, 0.01);
  EXPECT_NEAR(factor.std().item<double>(), std::sqrt(0.2 / 0.8), 0.01);
}

// convnext.py: (x / keep) * floor(keep + U[0, 1)) with one draw per sample.
TEST(RegularizationOps, StochasticDepthDropsWholeSamples) {
  Graph g = oneLayer("StochasticDepth", {{"drop_path_rate", 0.25}}, {kUnknown, 3, 4, 5});
  GraphModule m(g, {});
  m.train(true);
  const torch::Tensor x = torch::rand({4000, 3, 4, 5}) + 1.0;  // never 0 itself
  const torch::Tensor y = runKeras(m, x);
  const torch::Tensor dropped = (y == 0).flatten(1).all(1);
  const torch::Tensor kept = torch::isclose(y, x / 0.75, 1e-6, 0.0).flatten(1).all(1);
  EXPECT_TRUE((dropped ^ kept).all().item<bool>());
  EXPECT_NEAR(dropped.to(torch::kFloat64).mean().item<double>(), 0.25, 0.03);
}

// Out-of-range values name the layer and the field.
TEST(RegularizationOps, OutOfRangeFieldsNameTheLayer) {
  for (const auto& [cls, config, field] : std::vector<std::tuple<std::string, Json, std::string>>{
           {"SpatialDropout2D", {{"rate", nullptr}}, "rate"},
           {"SpatialDropout2D", {{"rate", 1.0}}, "rate"},
           {"GaussianNoise", {{"stddev", "0.1"}}, "stddev"},
           {"GaussianNoise", {{"stddev", -0.1}}, "stddev"},
           {"GaussianDropout", {{"rate", -0.2}}, "rate"},
           {"StochasticDepth", {{"drop_path_rate", 1.0}}, "drop_path_rate"}}) {
    SCOPED_TRACE(cls + " " + config.dump());
    const GraphAnalysis a = analyze(oneLayer(cls, config, {kUnknown, 4, 5, 6}));
    ASSERT_EQ(a.diagnostics.size(), 1u);
    EXPECT_EQ(a.diagnostics[0].subject, "layer");
    EXPECT_NE(a.diagnostics[0].message.find(field), std::string::npos) << a.diagnostics[0].str();
  }
  const GraphAnalysis rank2 = analyze(oneLayer("SpatialDropout2D", {{"rate", 0.1}}, {kUnknown, 8}));
  ASSERT_EQ(rank2.diagnostics.size(), 1u);
  EXPECT_EQ(rank2.diagnostics[0].subject, "layer");
}

}  // namespace
}  // namespace graft::test
