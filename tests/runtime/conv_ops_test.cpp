// Conv2D, DepthwiseConv2D and SeparableConv2D against naive loops (TensorFlow's padding rule
// written out independently), on odd and even sizes where `same` padding is asymmetric.
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

struct ConvCase {
  int64_t h, w, cin, filters, k, stride, dilation, groups;
  std::string padding;
  bool bias;
};

std::string describe(const ConvCase& c) {
  return std::to_string(c.h) + "x" + std::to_string(c.w) + "x" + std::to_string(c.cin) + " k" +
         std::to_string(c.k) + " s" + std::to_string(c.stride) + " d" + std::to_string(c.dilation) +
         " g" + std::to_string(c.groups) + " " + c.padding;
}

TEST(ConvOps, Conv2DMatchesNaiveLoops) {
  const std::vector<ConvCase> cases = {
      {7, 8, 3, 4, 3, 2, 1, 1, "same", true},  // odd and even side, stride 2: asymmetric
      {8, 7, 3, 4, 3, 2, 1, 1, "same", true},
      {9, 9, 2, 3, 3, 1, 1, 1, "same", true},   // symmetric
      {6, 5, 2, 3, 2, 1, 1, 1, "same", false},  // even kernel: extra at bottom/right
      {10, 11, 2, 3, 4, 3, 1, 1, "same", true},
      {9, 8, 2, 3, 3, 1, 2, 1, "same", true},  // dilation
      {9, 8, 2, 3, 3, 1, 2, 1, "valid", true},
      {7, 8, 3, 4, 3, 2, 1, 1, "valid", true},
      {7, 6, 4, 6, 3, 2, 1, 2, "same", true},  // groups
      {5, 5, 6, 6, 1, 1, 1, 3, "valid", false},
  };
  uint64_t seed = 1;
  for (const auto& c : cases) {
    SCOPED_TRACE(describe(c));
    Graph g = oneLayer("Conv2D",
                       {{"filters", c.filters},
                        {"kernel_size", {c.k, c.k}},
                        {"strides", {c.stride, c.stride}},
                        {"dilation_rate", {c.dilation, c.dilation}},
                        {"padding", c.padding},
                        {"groups", c.groups},
                        {"use_bias", c.bias}},
                       {kUnknown, c.h, c.w, c.cin});
    WeightStore w = randomWeights(g, seed++);
    torch::Tensor x = randomTensor({2, c.h, c.w, c.cin}, seed++);
    naive::Geometry geo{c.k, c.k, c.stride, c.stride, c.dilation, c.dilation, c.padding == "same"};
    torch::Tensor want =
        naive::conv2d(x, kerasWeight(w, "layer", 0),
                      c.bias ? kerasWeight(w, "layer", 1) : torch::Tensor(), geo, c.groups);
    EXPECT_TRUE(allClose(runLayer(g, w, x), want));
  }
}

// By hand: 4x4 image x[r][c] = 4r + c, 3x3 kernel of ones, stride 2, 'same'. TensorFlow pads
// one row and column at the bottom/right only, so the first window covers rows/cols 0..2.
TEST(ConvOps, StridedSamePaddingGoesBottomRight) {
  Graph g = oneLayer("Conv2D",
                     {{"filters", 1},
                      {"kernel_size", {3, 3}},
                      {"strides", {2, 2}},
                      {"padding", "same"},
                      {"use_bias", false}},
                     {kUnknown, 4, 4, 1});
  WeightStore w;
  w.set("layer", {WeightTensor::filled({3, 3, 1, 1}, 1.0f)});
  torch::Tensor x = torch::arange(16, torch::kFloat32).reshape({1, 4, 4, 1});
  torch::Tensor want = torch::tensor({45.f, 39.f, 66.f, 50.f}).reshape({1, 2, 2, 1});
  EXPECT_TRUE(allClose(runLayer(g, w, x), want));
}

TEST(ConvOps, ConvActivationIsApplied) {
  Graph g = oneLayer("Conv2D", {{"filters", 3}, {"kernel_size", {3, 3}}, {"activation", "relu"}},
                     {kUnknown, 5, 5, 2});
  WeightStore w = randomWeights(g, 3);
  torch::Tensor x = randomTensor({1, 5, 5, 2}, 4);
  naive::Geometry geo{3, 3, 1, 1, 1, 1, false};
  torch::Tensor want =
      naive::conv2d(x, kerasWeight(w, "layer", 0), kerasWeight(w, "layer", 1), geo).clamp_min(0.0);
  EXPECT_TRUE(allClose(runLayer(g, w, x), want));
}

TEST(ConvOps, DepthwiseWithMultiplierMatchesNaiveLoops) {
  struct Case {
    int64_t h, w, k, stride, dilation, mult;
    std::string padding;
  };
  uint64_t seed = 100;
  for (const Case& c : std::vector<Case>{{7, 6, 3, 2, 1, 2, "same"},
                                         {8, 9, 3, 2, 1, 1, "same"},
                                         {7, 7, 3, 1, 2, 2, "same"},
                                         {7, 8, 3, 2, 1, 3, "valid"}}) {
    SCOPED_TRACE(std::to_string(c.h) + "x" + std::to_string(c.w) + " mult " +
                 std::to_string(c.mult) + " " + c.padding);
    Graph g = oneLayer("DepthwiseConv2D",
                       {{"kernel_size", {c.k, c.k}},
                        {"strides", {c.stride, c.stride}},
                        {"dilation_rate", {c.dilation, c.dilation}},
                        {"padding", c.padding},
                        {"depth_multiplier", c.mult}},
                       {kUnknown, c.h, c.w, 3});
    WeightStore w = randomWeights(g, seed++);
    torch::Tensor x = randomTensor({2, c.h, c.w, 3}, seed++);
    naive::Geometry geo{c.k, c.k, c.stride, c.stride, c.dilation, c.dilation, c.padding == "same"};
    torch::Tensor want =
        naive::depthwise(x, kerasWeight(w, "layer", 0), kerasWeight(w, "layer", 1), geo);
    EXPECT_TRUE(allClose(runLayer(g, w, x), want));
  }
}

TEST(ConvOps, SeparableIsDepthwiseThenPointwise) {
  for (const std::string padding : {"same", "valid"}) {
    SCOPED_TRACE(padding);
    Graph g = oneLayer("SeparableConv2D",
                       {{"filters", 5},
                        {"kernel_size", {3, 3}},
                        {"strides", {2, 2}},
                        {"padding", padding},
                        {"depth_multiplier", 2},
                        {"activation", "tanh"}},
                       {kUnknown, 7, 8, 3});
    WeightStore w = randomWeights(g, 7);
    torch::Tensor x = randomTensor({2, 7, 8, 3}, 8);
    naive::Geometry geo{3, 3, 2, 2, 1, 1, padding == "same"};
    torch::Tensor d = naive::depthwise(x, kerasWeight(w, "layer", 0), torch::Tensor(), geo);
    torch::Tensor want =
        naive::conv2d(d, kerasWeight(w, "layer", 1), kerasWeight(w, "layer", 2), naive::Geometry{})
            .tanh();
    EXPECT_TRUE(allClose(runLayer(g, w, x), want));
  }
}

}  // namespace
}  // namespace graft::test
