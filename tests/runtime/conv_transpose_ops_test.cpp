// Conv2DTranspose against a loop (each input cell scattered through the kernel, TensorFlow's
// cells of the result kept), and against its definition: TensorFlow's conv2d_transpose is the
// adjoint of the convolution from the output's size to the input's, so <conv(y), x> equals
// <conv_transpose(x), y> for every y (checked with the independent Conv2D loop).
#include "graph/analysis.h"
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

struct TransposeCase {
  int64_t h, w, cin, filters, kh, kw, stride, dilation;
  std::string padding;
  Json outputPadding;  // null: Keras's None
  bool bias;
};

std::string describe(const TransposeCase& c) {
  return std::to_string(c.h) + "x" + std::to_string(c.w) + "x" + std::to_string(c.cin) + " k" +
         std::to_string(c.kh) + "x" + std::to_string(c.kw) + " s" + std::to_string(c.stride) +
         " d" + std::to_string(c.dilation) + " " + c.padding + " op " + c.outputPadding.dump();
}

Json configOf(const TransposeCase& c) {
  return {{"filters", c.filters},
          {"kernel_size", {c.kh, c.kw}},
          {"strides", {c.stride, c.stride}},
          {"dilation_rate", {c.dilation, c.dilation}},
          {"padding", c.padding},
          {"output_padding", c.outputPadding},
          {"use_bias", c.bias}};
}

naive::Geometry geometryOf(const TransposeCase& c) {
  return {c.kh, c.kw, c.stride, c.stride, c.dilation, c.dilation, c.padding == "same"};
}

int64_t padOf(const Json& op, size_t i) {
  if (op.is_null()) return -1;
  return op.is_array() ? op[i].get<int64_t>() : op.get<int64_t>();
}

const std::vector<TransposeCase>& cases() {
  static const std::vector<TransposeCase> all = {
      {4, 5, 3, 2, 3, 3, 2, 1, "same", nullptr, true},  // the common upsampler: crop at the end
      {4, 5, 3, 2, 3, 3, 2, 1, "valid", nullptr, true},
      {3, 4, 2, 3, 2, 2, 2, 1, "same", nullptr, false},  // even kernel = stride: no crop
      {3, 4, 2, 3, 4, 4, 2, 1, "same", nullptr, true},   // crop at both ends
      {5, 3, 2, 2, 1, 1, 3, 1, "same", nullptr, true},   // kernel < stride: zero cells appended
      {5, 3, 2, 2, 1, 1, 3, 1, "valid", nullptr, true},
      {4, 4, 2, 2, 3, 3, 2, 1, "same", 0, true},  // output_padding given
      {4, 4, 2, 2, 3, 3, 3, 1, "same", {2, 1}, true},
      {4, 4, 2, 2, 3, 2, 2, 1, "valid", 1, true},
      {5, 6, 2, 3, 3, 3, 1, 2, "same", nullptr, true},  // dilation
      {5, 6, 2, 3, 3, 2, 1, 2, "valid", nullptr, false},
      {6, 6, 3, 4, 5, 5, 1, 1, "same", nullptr, true},
  };
  return all;
}

TEST(ConvTransposeOps, MatchesLoop) {
  uint64_t seed = 80;
  for (const auto& c : cases()) {
    SCOPED_TRACE(describe(c));
    Graph g = oneLayer("Conv2DTranspose", configOf(c), {kUnknown, c.h, c.w, c.cin});
    WeightStore w = randomWeights(g, ++seed);
    const torch::Tensor x = randomTensor({2, c.h, c.w, c.cin}, ++seed);
    const torch::Tensor bias = c.bias ? kerasWeight(w, "layer", 1) : torch::Tensor();
    const torch::Tensor want =
        naive::conv2dTranspose(x, kerasWeight(w, "layer", 0), bias, geometryOf(c),
                               padOf(c.outputPadding, 0), padOf(c.outputPadding, 1));
    const torch::Tensor got = runLayer(g, w, x);
    // The graph's shape inference and the op agree on the size.
    const GraphAnalysis a = analyzeOrThrow(g);
    const Shape& s = a.find("layer")->outputShape;
    EXPECT_EQ(got.size(1), s[1]);
    EXPECT_EQ(got.size(2), s[2]);
    EXPECT_TRUE(allClose(got, want));
  }
}

// <conv2d(y, K), x> == <conv2d_transpose(x, K), y>: the loop above and the op both follow
// TensorFlow's definition, not a shared assumption.
TEST(ConvTransposeOps, IsTheAdjointOfTheConvolution) {
  uint64_t seed = 120;
  for (const auto& c : cases()) {
    SCOPED_TRACE(describe(c));
    TransposeCase noBias = c;
    noBias.bias = false;
    Graph g = oneLayer("Conv2DTranspose", configOf(noBias), {kUnknown, c.h, c.w, c.cin});
    WeightStore w = randomWeights(g, ++seed);
    const torch::Tensor x = randomTensor({1, c.h, c.w, c.cin}, ++seed);
    const torch::Tensor tx = runLayer(g, w, x);
    const torch::Tensor y = randomTensor({1, tx.size(1), tx.size(2), tx.size(3)}, ++seed);
    const torch::Tensor cy = naive::conv2d(y, kerasWeight(w, "layer", 0), {}, geometryOf(c));
    ASSERT_EQ(cy.sizes(), x.sizes()) << "the convolution does not map the output back";
    const double left = (cy.to(torch::kFloat64) * x.to(torch::kFloat64)).sum().item<double>();
    const double right = (tx.to(torch::kFloat64) * y.to(torch::kFloat64)).sum().item<double>();
    EXPECT_NEAR(left, right, 1e-4 * std::max(1.0, std::abs(left)));
  }
}

// Bias on the appended zero cells too, activation after the bias; weights round-trip in
// Keras's (kh, kw, filters, in) layout.
TEST(ConvTransposeOps, BiasActivationAndWeightsRoundTrip) {
  Graph g = oneLayer("Conv2DTranspose",
                     {{"filters", 3}, {"kernel_size", 1}, {"strides", 3}, {"activation", "relu"}},
                     {kUnknown, 2, 2, 2});
  WeightStore w = randomWeights(g, 7, 0.1f, 0.5f);
  const torch::Tensor x = randomTensor({1, 2, 2, 2}, 8);
  const torch::Tensor got = runLayer(g, w, x);
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{1, 6, 6, 3}));
  // Cell (1, 1) receives no input: it is relu(bias).
  EXPECT_TRUE(allClose(got[0][1][1], torch::relu(kerasWeight(w, "layer", 1))));
  GraphModule m(g, w);
  const WeightStore back = m.weights();
  EXPECT_TRUE(torch::equal(kerasWeight(back, "layer", 0), kerasWeight(w, "layer", 0)));
  EXPECT_TRUE(torch::equal(kerasWeight(back, "layer", 1), kerasWeight(w, "layer", 1)));
}

}  // namespace
}  // namespace graft::test
