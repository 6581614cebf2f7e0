// fuse: BatchNormalization folding and linear merges are output-exact. Each case evaluates the
// model before and after the edit with the naive reference evaluator (surgery_reference.h) on a
// random input, with random weights and BN statistics so every term of the fold matters.
#include <gtest/gtest.h>

#include "graph/surgery/ops.h"
#include "surgery_models.h"
#include "surgery_reference.h"

namespace graft {
namespace {

using test::applyOk;
using test::mentions;
using test::modelFrom;

struct Layer {
  std::string className;
  std::string name;
  Json config;
};

// input -> layers[0] -> layers[1] -> ... (a chain), random weights.
Model chain(const Shape& input, const std::vector<Layer>& layers, uint32_t seed = 3) {
  GraphBuilder b("fuse");
  auto x = b.input("input", input);
  for (const auto& l : layers) x = b.add(l.className, l.name, l.config, x);
  Model m = modelFrom(b.build({x}));
  test::randomizeWeights(m, seed);
  return m;
}

// Output difference between the model and its edit on a random input.
double fusedError(const Model& before, const Model& after, const Shape& input) {
  const test::Tensor x = test::randomTensor(input, 11);
  return test::maxAbsDifference(test::evaluate(before, x), test::evaluate(after, x));
}

const Json kBn = Json::object();

TEST(SurgeryFuse, BatchNormFoldsIntoConv2DExactly) {
  for (bool bias : {true, false}) {
    const Model m =
        chain({kUnknown, 7, 7, 3},
              {{"Conv2D",
                "conv1",
                {{"filters", 5}, {"strides", 2}, {"padding", "same"}, {"use_bias", bias}}},
               {"BatchNormalization", "conv1_bn", {{"epsilon", 1.001e-5}}},
               {"ReLU", "conv1_relu", kBn}});
    const EditResult r = applyOk(m, ops::fuse({"conv1", "conv1_bn"}));
    EXPECT_FALSE(r.model.graph.find("conv1_bn"));
    EXPECT_EQ(r.model.graph.at("conv1_relu").inputs, std::vector<std::string>{"conv1"});
    EXPECT_TRUE(r.model.graph.at("conv1").config["use_bias"].get<bool>())
        << "the conv gains a bias";
    EXPECT_LT(fusedError(m, r.model, {1, 7, 7, 3}), 1e-5) << "use_bias=" << bias;
    EXPECT_GT(test::maxAbsDifference(test::evaluate(m, test::randomTensor({1, 7, 7, 3}, 11)),
                                     test::evaluate(r.model, test::randomTensor({1, 7, 7, 3}, 12))),
              1e-3)
        << "the comparison can tell different outputs apart";
  }
}

TEST(SurgeryFuse, BatchNormWithoutScaleOrCenterFoldsExactly) {
  for (auto [scale, center] :
       {std::pair{false, true}, std::pair{true, false}, std::pair{false, false}}) {
    const Model m = chain({kUnknown, 6, 6, 2},
                          {{"Conv2D", "c", {{"filters", 3}, {"kernel_size", 2}}},
                           {"BatchNormalization", "bn", {{"scale", scale}, {"center", center}}}});
    const EditResult r = applyOk(m, ops::fuse({"c", "bn"}));
    EXPECT_LT(fusedError(m, r.model, {1, 6, 6, 2}), 1e-5) << scale << center;
  }
}

TEST(SurgeryFuse, BatchNormFoldsIntoDepthwiseSeparableAndDense) {
  const Model dw = chain({kUnknown, 6, 6, 3},
                         {{"DepthwiseConv2D",
                           "dw",
                           {{"depth_multiplier", 2}, {"padding", "same"}, {"use_bias", false}}},
                          {"BatchNormalization", "dw_bn", kBn}});
  EXPECT_LT(fusedError(dw, applyOk(dw, ops::fuse({"dw", "dw_bn"})).model, {1, 6, 6, 3}), 1e-5);

  const Model sep = chain({kUnknown, 6, 6, 3}, {{"SeparableConv2D", "sep", {{"filters", 4}}},
                                                {"BatchNormalization", "sep_bn", kBn}});
  EXPECT_LT(fusedError(sep, applyOk(sep, ops::fuse({"sep", "sep_bn"})).model, {1, 6, 6, 3}), 1e-5);

  const Model dense =
      chain({kUnknown, 3, 3, 2}, {{"Flatten", "flat", kBn},
                                  {"Dense", "fc", {{"units", 6}}},
                                  {"BatchNormalization", "fc_bn", kBn},
                                  {"Activation", "act", {{"activation", "softmax"}}}});
  EXPECT_LT(fusedError(dense, applyOk(dense, ops::fuse({"fc", "fc_bn"})).model, {1, 3, 3, 2}),
            1e-5);
}

TEST(SurgeryFuse, DenseIntoDenseIsExact) {
  const Model m = chain({kUnknown, 5}, {{"Dense", "fc1", {{"units", 7}}},
                                        {"Dense", "fc2", {{"units", 3}, {"activation", "relu"}}}});
  const EditResult r = applyOk(m, ops::fuse({"fc1", "fc2"}));
  EXPECT_EQ(r.model.graph.size(), 2u);
  EXPECT_EQ(r.model.graph.at("fc1").config["units"], 3);
  EXPECT_EQ(r.model.graph.at("fc1").config["activation"], "relu");
  EXPECT_EQ(analyze(r.model.graph).totalParams, 5 * 3 + 3);
  EXPECT_LT(fusedError(m, r.model, {1, 5}), 1e-5);
}

TEST(SurgeryFuse, PointwiseConvAfterAnyConvIsExact) {
  const Model m =
      chain({kUnknown, 9, 9, 3},
            {{"Conv2D", "c3", {{"filters", 6}, {"strides", 2}, {"padding", "same"}}},
             {"Conv2D", "c1", {{"filters", 4}, {"kernel_size", 1}, {"activation", "relu"}}}});
  const EditResult r = applyOk(m, ops::fuse({"c3", "c1"}));
  EXPECT_EQ(r.model.graph.at("c3").config["kernel_size"], Json::array({3, 3}));
  EXPECT_EQ((*r.model.weights.find("c3"))[0].shape, (Shape{3, 3, 3, 4}));
  EXPECT_LT(fusedError(m, r.model, {1, 9, 9, 3}), 1e-5);
}

TEST(SurgeryFuse, TwoValid3x3ConvsAreExactlyOne5x5) {
  const Model m = chain({kUnknown, 9, 9, 2},
                        {{"Conv2D", "a", {{"filters", 5}}}, {"Conv2D", "b", {{"filters", 3}}}});
  const EditResult r = applyOk(m, ops::fuse({"a", "b"}));
  EXPECT_EQ((*r.model.weights.find("a"))[0].shape, (Shape{5, 5, 2, 3}));
  EXPECT_LT(fusedError(m, r.model, {1, 9, 9, 2}), 1e-5);
  EXPECT_NE(r.notes.at(0).find("5x5 convolution (exact)"), std::string::npos) << r.notes.at(0);
}

TEST(SurgeryFuse, TwoSame3x3ConvsMatchInsideAndTheNoteNamesTheBorder) {
  const Model m =
      chain({kUnknown, 8, 8, 2}, {{"Conv2D", "a", {{"filters", 4}, {"padding", "same"}}},
                                  {"Conv2D", "b", {{"filters", 3}, {"padding", "same"}}}});
  const EditResult r = applyOk(m, ops::fuse({"a", "b"}));
  EXPECT_NE(r.notes.at(0).find("exact except on the outer 1-pixel border"), std::string::npos)
      << r.notes.at(0);
  const test::Tensor x = test::randomTensor({1, 8, 8, 2}, 5);
  const test::Tensor y0 = test::evaluate(m, x), y1 = test::evaluate(r.model, x);
  double inside = 0, border = 0;
  for (int64_t i = 0; i < 8; ++i)
    for (int64_t j = 0; j < 8; ++j)
      for (int64_t c = 0; c < 3; ++c) {
        const size_t k = size_t((i * 8 + j) * 3 + c);
        const double diff = std::abs(y0.values[k] - y1.values[k]);
        const bool edge = i == 0 || j == 0 || i == 7 || j == 7;
        (edge ? border : inside) = std::max(edge ? border : inside, diff);
      }
  EXPECT_LT(inside, 1e-5);
  EXPECT_GT(border, 1e-3) << "the note is honest: Keras zero-pads the intermediate map";
}

// ResNet's bottleneck: a 1x1 convolution with Keras's default 'valid' before a 'same' 3x3. A 1x1
// pads nothing either way, so the pair merges as two 'same' ones (it was refused: "merging
// needs the same padding on both").
TEST(SurgeryFuse, AValid1x1BeforeASame3x3MergesAsASamePair) {
  const Model m = chain({kUnknown, 8, 8, 2},
                        {{"Conv2D", "a", {{"filters", 4}, {"kernel_size", 1}, {"use_bias", false}}},
                         {"Conv2D", "b", {{"filters", 3}, {"padding", "same"}}}});
  const EditResult r = applyOk(m, ops::fuse({"a", "b"}));
  EXPECT_EQ(r.model.graph.at("a").config["padding"], "same");
  EXPECT_EQ((*r.model.weights.find("a"))[0].shape, (Shape{3, 3, 2, 3}));
  // Without a bias in the 1x1 the border matches too: padded zeros stay zeros through it.
  EXPECT_LT(fusedError(m, r.model, {1, 8, 8, 2}), 1e-5);
  EXPECT_NE(r.notes.at(0).find("3x3 convolution (exact)"), std::string::npos) << r.notes.at(0);
}

TEST(SurgeryFuse, ConvBatchNormThenPointwiseInOneOperation) {
  const Model m =
      chain({kUnknown, 6, 6, 3}, {{"Conv2D", "c", {{"filters", 4}, {"padding", "same"}}},
                                  {"BatchNormalization", "bn", kBn},
                                  {"Conv2D", "p", {{"filters", 2}, {"kernel_size", 1}}}});
  const EditResult r = applyOk(m, ops::fuse({"c", "bn", "p"}));
  EXPECT_EQ(r.model.graph.size(), 2u);
  EXPECT_LT(fusedError(m, r.model, {1, 6, 6, 3}), 1e-5);
}

TEST(SurgeryFuse, RefusesWhatWouldNotBeExactNamingTheLayer) {
  const Model relu = chain({kUnknown, 6, 6, 3}, {{"Conv2D", "c", {{"activation", "relu"}}},
                                                 {"BatchNormalization", "bn", kBn}});
  auto r1 = applyOperation(relu, ops::fuse({"c", "bn"}));
  EXPECT_TRUE(mentions(r1.diagnostics(), "c", "has activation 'relu' before 'bn'"))
      << joinDiagnostics(r1.diagnostics());

  const Model convs =
      chain({kUnknown, 6, 6, 3}, {{"Conv2D", "a", {{"activation", "relu"}}}, {"Conv2D", "b", kBn}});
  EXPECT_TRUE(mentions(applyOperation(convs, ops::fuse({"a", "b"})).diagnostics(), "a",
                       "graft-cli edit --samples"));

  const Model res = modelFrom(test::residualGraph());
  auto branch = applyOperation(res, ops::fuse({"stem", "branch_a"}));
  EXPECT_TRUE(mentions(branch.diagnostics(), "stem", "also feeds 'shortcut'"))
      << joinDiagnostics(branch.diagnostics());
  auto notAdjacent = applyOperation(res, ops::fuse({"stem", "branch_b"}));
  EXPECT_TRUE(mentions(notAdjacent.diagnostics(), "branch_b", "does not read 'stem'"));
  auto kinds = applyOperation(res, ops::fuse({"add", "relu"}));
  EXPECT_TRUE(mentions(kinds.diagnostics(), "relu", "cannot fuse a ReLU into a Add"));

  const Model mixed =
      chain({kUnknown, 6, 6, 3}, {{"Conv2D", "a", {{"padding", "same"}}}, {"Conv2D", "b", kBn}});
  EXPECT_TRUE(mentions(applyOperation(mixed, ops::fuse({"a", "b"})).diagnostics(), "b",
                       "same padding on both"));
}

}  // namespace
}  // namespace graft
