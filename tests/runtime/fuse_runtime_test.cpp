// Fusion checked on the LibTorch runtime: exact BatchNormalization folding over a whole
// MobileNet gives the same activations, and the approximate least-squares fusion of two convs
// with a ReLU between them reports its error honestly and beats the naive exact composition.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

#include "graph/graph_builder.h"
#include "graph/surgery/ops.h"
#include "io/recipe.h"
#include "io/zoo/zoo.h"
#include "runtime/fuse_pair_model.h"
#include "runtime/fusion/fuse_approximate.h"
#include "runtime/module/graph_module.h"

namespace graft {
using test::chainModel;
using test::pairError;
using test::pairModel;
namespace {

// BN statistics that are not the identity, so that folding has something to fold.
void randomizeBatchNorms(Model& m, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> around(-0.3f, 0.3f), positive(0.3f, 1.5f);
  const GraphAnalysis analysis = analyzeOrThrow(m.graph);
  for (const auto& n : m.graph.nodes()) {
    if (n.className != "BatchNormalization") continue;
    std::vector<WeightTensor> tensors;
    for (const auto& spec : analysis.nodes.at(n.name).weights) {
      std::vector<float> v(size_t(elementCount(spec.shape)));
      const bool scaleLike = spec.name == "gamma" || spec.name == "moving_variance";
      for (auto& x : v) x = scaleLike ? positive(rng) : around(rng);
      tensors.push_back(WeightTensor::fromValues(spec.shape, std::move(v)));
    }
    m.weights.set(n.name, std::move(tensors));
  }
}

double relative(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / std::max(1e-12, b.abs().max().item<double>());
}

TEST(FuseRuntime, FoldingEveryBatchNormOfMobileNetKeepsItsActivations) {
  torch::manual_seed(0);
  zoo::ZooOptions options;
  options.architecture = "mobilenet";
  options.alpha = 0.25;
  options.includeTop = false;
  options.inputSize = 96;
  Model m;
  m.graph = zoo::buildGraph(options);
  initializeWeights(m.graph, analyzeOrThrow(m.graph), m.weights, 5);
  randomizeBatchNorms(m, 6);
  Json operations = Json::array({ops::fuse({"conv1", "conv1_bn"})});
  for (int i = 1; i <= 13; ++i) {
    const std::string n = std::to_string(i);
    operations.push_back(ops::fuse({"conv_dw_" + n, "conv_dw_" + n + "_bn"}));
    operations.push_back(ops::fuse({"conv_pw_" + n, "conv_pw_" + n + "_bn"}));
  }
  const Model fused = applyRecipe(m, operations).value().model;

  const torch::Tensor x = torch::rand({2, 3, 96, 96}) * 2 - 1;
  GraphModule before(m.graph, m.weights), after(fused.graph, fused.weights);
  for (const char* layer : {"conv1_relu", "conv_pw_1_relu", "conv_pw_7_relu", "conv_pw_13_relu"}) {
    const auto a = before.forward(x, {layer})[0], b = after.forward(x, {layer})[0];
    EXPECT_LT(relative(b, a), 1e-5) << layer;
    EXPECT_GT(a.abs().max().item<double>(), 0.1) << layer << " carries signal";
  }
}

TEST(FuseRuntime, LeastSquaresAcrossAReluReportsItsErrorAndBeatsTheLinearComposition) {
  torch::manual_seed(1);
  const Model m = pairModel("relu", "same");
  const torch::Tensor samples = torch::randn({16, 3, 10, 10});
  Expected<ApproximateFusion> fit = fuseApproximately(m, "a", "b", samples);
  ASSERT_TRUE(fit.ok()) << joinDiagnostics(fit.diagnostics());
  const Model& fused = fit->edit.model;
  EXPECT_FALSE(fused.graph.find("b"));
  EXPECT_EQ((*fused.weights.find("a"))[0].shape, (Shape{5, 5, 3, 5}));
  EXPECT_EQ(fit->rows, 16 * 10 * 10);
  EXPECT_NEAR(fit->relativeError, pairError(m, fused, samples), 1e-6) << "the reported error";
  EXPECT_GT(fit->relativeError, 1e-3) << "a ReLU between cannot be merged exactly";
  EXPECT_LT(fit->relativeError, 0.6);
  EXPECT_NE(fit->edit.notes.at(0).find("fitted by least squares over 1600 output positions"),
            std::string::npos)
      << fit->edit.notes.at(0);
  EXPECT_EQ(fused.recipe.back()["method"], "least_squares");
  EXPECT_TRUE((*fused.weights.find("head"))[0].data == (*m.weights.find("head"))[0].data);
  // How it does on images it was not fitted to: a quarter held out, said first.
  ASSERT_TRUE(fit->heldOutError);
  EXPECT_EQ(fit->heldOutSamples, 4);
  EXPECT_GT(*fit->heldOutError, 1e-3);
  EXPECT_LT(*fit->heldOutError, 0.8);
  EXPECT_DOUBLE_EQ(fused.recipe.back()["held_out_error"].get<double>(), *fit->heldOutError);
  // Said as what it is: a second fit's score on the samples it left out, not the kept kernel's.
  EXPECT_NE(fit->edit.notes.at(0).find("fitted to 12 of the 16 samples, scored on the other 4; "
                                       "the kernel kept is fitted to all 16"),
            std::string::npos)
      << fit->edit.notes.at(0);
  // Fitted to the pretrained pair: not an untrained layer the defaults would train alone.
  EXPECT_TRUE(fused.untrainedLayers.empty());

  // The naive alternative, dropping the ReLU and composing exactly, is one of the kernels the
  // fit considered: on the same samples it cannot do better.
  const Model noRelu =
      applyOperation(m, ops::setConfig("a", {{"activation", "linear"}})).value().model;
  const Model composed = applyOperation(noRelu, ops::fuse({"a", "b"})).value().model;
  EXPECT_LT(fit->relativeError, pairError(m, composed, samples));

  // The recorded step says what it was; the core cannot replay it without samples.
  auto replay = applyOperation(m, fused.recipe.back());
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.diagnostics()[0].subject, "method");
}

TEST(FuseRuntime, LeastSquaresWithoutANonlinearityFindsTheExactKernel) {
  torch::manual_seed(2);
  const Model m = pairModel("linear", "valid");
  const torch::Tensor samples = torch::randn({8, 3, 10, 10});
  Expected<ApproximateFusion> fit = fuseApproximately(m, "a", "b", samples);
  ASSERT_TRUE(fit.ok()) << joinDiagnostics(fit.diagnostics());
  EXPECT_LT(fit->relativeError, 1e-5);
  const Model exact = applyOperation(m, ops::fuse({"a", "b"})).value().model;
  const auto& k1 = (*fit->edit.model.weights.find("a"))[0];
  const auto& k2 = (*exact.weights.find("a"))[0];
  ASSERT_EQ(k1.shape, k2.shape);
  for (int64_t i = 0; i < k1.numel(); ++i) EXPECT_NEAR(k1.values()[i], k2.values()[i], 1e-4) << i;
}

// Fewer output positions than the kernel's unknowns: the fit would reproduce the samples
// exactly (error ~0) and compute nonsense on any other image. Refused, saying how many to use.
TEST(FuseRuntime, LeastSquaresRefusesTooFewSamplesToDetermineTheKernel) {
  const Model m = pairModel("relu", "valid");  // 5x5x3 + 1 = 76 unknowns, 6x6 outputs a sample
  auto few = fuseApproximately(m, "a", "b", torch::randn({2, 3, 10, 10}));
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.diagnostics().at(0).subject, "b");
  EXPECT_NE(few.diagnostics().at(0).message.find(
                "has 76 unknowns per output channel, but 2 samples give only 72 output "
                "positions"),
            std::string::npos)
      << few.diagnostics().at(0).message;
  EXPECT_NE(few.diagnostics().at(0).message.find("use at least 3 sample images"),
            std::string::npos);
  EXPECT_TRUE(fuseApproximately(m, "a", "b", torch::randn({3, 3, 10, 10})).ok());
}

TEST(FuseRuntime, LeastSquaresRefusesPairsOneConvCannotReplace) {
  const Model m = pairModel("relu", "same");
  const torch::Tensor samples = torch::randn({2, 3, 10, 10});
  auto wrongOrder = fuseApproximately(m, "b", "a", samples);
  EXPECT_EQ(wrongOrder.diagnostics().at(0).subject, "a");
  auto notConv = fuseApproximately(m, "b", "pool", samples);
  EXPECT_EQ(notConv.diagnostics().at(0).subject, "pool");
  const Model strided = applyOperation(m, ops::setConfig("a", {{"strides", 2}})).value().model;
  auto stride = fuseApproximately(strided, "a", "b", samples);
  EXPECT_EQ(stride.diagnostics().at(0).subject, "a");
}

TEST(FuseRuntime, LeastSquaresMergesTheLayersBetweenTheConvolutions) {
  torch::manual_seed(5);
  const Model chain = chainModel();
  const torch::Tensor samples = torch::randn({16, 3, 10, 10});
  Expected<ApproximateFusion> fit = fuseApproximately(chain, "a", "b", samples);
  ASSERT_TRUE(fit.ok()) << joinDiagnostics(fit.diagnostics());
  const Model& fused = fit->edit.model;
  for (const char* gone : {"a_bn", "a_relu", "b"}) EXPECT_FALSE(fused.graph.find(gone)) << gone;
  EXPECT_EQ(fused.graph.at("pool").inputs, std::vector<std::string>{"a"});
  EXPECT_NEAR(fit->relativeError, pairError(chain, fused, samples), 1e-6);
  EXPECT_NE(fit->edit.notes.at(0).find("(a_relu (ReLU) cannot be merged exactly)"),
            std::string::npos)
      << fit->edit.notes.at(0);
  // The same pair with the ReLU as the first convolution's activation (and an identity
  // BatchNormalization) computes the same: the same fit, the same error.
  Expected<ApproximateFusion> inConfig =
      fuseApproximately(pairModel("relu", "same"), "a", "b", samples);
  ASSERT_TRUE(inConfig.ok());
  EXPECT_NEAR(fit->relativeError, inConfig->relativeError, 1e-6);
  ASSERT_TRUE(fit->heldOutError && inConfig->heldOutError);
  EXPECT_NEAR(*fit->heldOutError, *inConfig->heldOutError, 1e-6);
}

TEST(FuseRuntime, LeastSquaresRefusesWhatOneConvolutionCannotSeeThrough) {
  const torch::Tensor samples = torch::randn({16, 3, 10, 10});
  // A pooling between widens what an output depends on.
  GraphBuilder pooled("pooled");
  auto x = pooled.input("input", {kUnknown, 10, 10, 3});
  x = pooled.add("Conv2D", "a", {{"filters", 4}, {"padding", "same"}}, x);
  x = pooled.add("MaxPooling2D", "squeeze", {{"pool_size", 3}, {"strides", 1}, {"padding", "same"}},
                 x);
  x = pooled.add("Conv2D", "b", {{"filters", 4}, {"padding", "same"}}, x);
  Model m;
  m.graph = pooled.build({x});
  initializeWeights(m.graph, analyzeOrThrow(m.graph), m.weights, 3);
  auto refused = fuseApproximately(m, "a", "b", samples);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.diagnostics().at(0).subject, "squeeze");
  EXPECT_NE(refused.diagnostics().at(0).message.find("only activations, normalizations and "
                                                     "dropouts"),
            std::string::npos);

  // A softmax over a spatial axis mixes a whole column, as a pooling does.
  const Model spatial =
      applyOperation(m, ops::replace({"squeeze"}, ops::layer("Softmax", "mix", {{"axis", 1}})))
          .value()
          .model;
  auto mixed = fuseApproximately(spatial, "a", "b", samples);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.diagnostics().at(0).subject, "mix");

  // A layer between that also feeds another layer cannot go.
  GraphBuilder branched("branched");
  x = branched.input("input", {kUnknown, 10, 10, 3});
  x = branched.add("Conv2D", "a", {{"filters", 4}, {"padding", "same"}}, x);
  auto relu = branched.add("ReLU", "relu", {}, x);
  auto b = branched.add("Conv2D", "b", {{"filters", 4}, {"padding", "same"}}, relu);
  auto sum = branched.add("Add", "sum", {}, {b, relu});
  Model n;
  n.graph = branched.build({sum});
  initializeWeights(n.graph, analyzeOrThrow(n.graph), n.weights, 3);
  auto shared = fuseApproximately(n, "a", "b", samples);
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.diagnostics().at(0).subject, "relu");
  EXPECT_NE(shared.diagnostics().at(0).message.find("also feeds 'sum'"), std::string::npos);
}

}  // namespace
}  // namespace graft
