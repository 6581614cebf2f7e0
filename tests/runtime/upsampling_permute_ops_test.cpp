// UpSampling2D (nearest: rows and columns repeated as ops.repeat does; bilinear: TensorFlow's
// half-pixel resize) and Permute (Keras axes, whatever the runtime layout), against loops.
#include "graph/analysis.h"
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

TEST(UpSamplingOps, NearestRepeatsRowsAndColumns) {
  const torch::Tensor x = randomTensor({2, 3, 4, 5}, 51);
  for (const auto& [fh, fw] : std::vector<std::pair<int64_t, int64_t>>{{2, 2}, {2, 3}, {7, 1}}) {
    SCOPED_TRACE(std::to_string(fh) + "x" + std::to_string(fw));
    Graph g = oneLayer("UpSampling2D", {{"size", {fh, fw}}}, {kUnknown, 3, 4, 5});
    EXPECT_TRUE(torch::equal(runLayer(g, {}, x), naive::upsampleNearest(x, fh, fw)));
  }
  // An integer size is both factors; the spatial size may be unknown until the model runs.
  Graph any = oneLayer("UpSampling2D", {{"size", 3}}, {kUnknown, kUnknown, kUnknown, 5});
  EXPECT_TRUE(torch::equal(runLayer(any, {}, x), naive::upsampleNearest(x, 3, 3)));
}

TEST(UpSamplingOps, BilinearIsTensorFlowsHalfPixelResize) {
  const torch::Tensor x = randomTensor({2, 3, 4, 5}, 52);
  for (const auto& [fh, fw] : std::vector<std::pair<int64_t, int64_t>>{{2, 2}, {3, 2}, {1, 4}}) {
    SCOPED_TRACE(std::to_string(fh) + "x" + std::to_string(fw));
    Graph g = oneLayer("UpSampling2D", {{"size", {fh, fw}}, {"interpolation", "bilinear"}},
                       {kUnknown, 3, 4, 5});
    EXPECT_TRUE(allClose(runLayer(g, {}, x), naive::upsampleBilinear(x, fh, fw)));
  }
}

TEST(UpSamplingOps, OtherInterpolationsAreRefusedNamingTheField) {
  const GraphAnalysis a =
      analyze(oneLayer("UpSampling2D", {{"interpolation", "bicubic"}}, {kUnknown, 3, 4, 5}));
  ASSERT_EQ(a.diagnostics.size(), 1u);
  EXPECT_EQ(a.diagnostics[0].subject, "layer");
  EXPECT_NE(a.diagnostics[0].message.find("interpolation"), std::string::npos);
}

// Keras's Permute(dims): output axis i (after the batch) is input axis dims[i - 1].
torch::Tensor kerasPermute(const torch::Tensor& x, const std::vector<int64_t>& dims) {
  std::vector<int64_t> order{0};
  order.insert(order.end(), dims.begin(), dims.end());
  torch::Tensor out = torch::empty(
      [&] {
        std::vector<int64_t> s;
        for (int64_t d : order) s.push_back(x.size(d));
        return s;
      }(),
      torch::kFloat32);
  // Loop over the output's elements, reading the input at the permuted index.
  const torch::Tensor xc = x.contiguous();
  const float* in = xc.data_ptr<float>();
  float* o = out.data_ptr<float>();
  std::vector<int64_t> index(order.size(), 0), source(order.size());
  for (int64_t flat = 0; flat < out.numel(); ++flat) {
    for (size_t i = 0; i < order.size(); ++i) source[static_cast<size_t>(order[i])] = index[i];
    int64_t offset = 0;
    for (size_t d = 0; d < source.size(); ++d)
      offset = offset * x.size(static_cast<int64_t>(d)) + source[d];
    o[flat] = in[offset];
    for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
      if (++index[static_cast<size_t>(d)] < out.size(d)) break;
      index[static_cast<size_t>(d)] = 0;
    }
  }
  return out;
}

TEST(PermuteOps, EveryPermutationOfAFeatureMapAndOfRank3) {
  const torch::Tensor x = randomTensor({2, 3, 4, 5}, 53);
  for (const std::vector<int64_t>& dims : std::vector<std::vector<int64_t>>{
           {1, 2, 3}, {2, 1, 3}, {3, 1, 2}, {2, 3, 1}, {1, 3, 2}, {3, 2, 1}}) {
    SCOPED_TRACE(::testing::PrintToString(dims));
    Graph g = oneLayer("Permute", {{"dims", dims}}, {kUnknown, 3, 4, 5});
    EXPECT_TRUE(torch::equal(runLayer(g, {}, x), kerasPermute(x, dims)));
  }
  const torch::Tensor seq = randomTensor({2, 6, 7}, 54);
  Graph g = oneLayer("Permute", {{"dims", {2, 1}}}, {kUnknown, 6, 7});
  EXPECT_TRUE(torch::equal(runLayer(g, {}, seq), kerasPermute(seq, {2, 1})));
}

TEST(PermuteOps, DimsThatAreNoPermutationAreRefused) {
  for (const Json& dims :
       {Json::array({1, 1, 2}), Json::array({0, 1, 2}), Json::array({1, 2}), Json(nullptr)}) {
    const GraphAnalysis a = analyze(oneLayer("Permute", {{"dims", dims}}, {kUnknown, 3, 4, 5}));
    ASSERT_EQ(a.diagnostics.size(), 1u) << dims.dump();
    EXPECT_EQ(a.diagnostics[0].subject, "layer");
    EXPECT_NE(a.diagnostics[0].message.find("dims"), std::string::npos);
  }
}


// RepeatVector: every row a copy of the vector; a Dense after it sees rank 3.
TEST(RepeatVectorOps, RepeatsTheVector) {
  const torch::Tensor x = randomTensor({3, 7}, 97);
  for (int64_t n : {1, 4}) {
    SCOPED_TRACE(n);
    EXPECT_TRUE(torch::equal(runLayer(oneLayer("RepeatVector", {{"n", n}}, {kUnknown, 7}), {}, x),
                             naive::repeatVector(x, n)));
  }
  const GraphAnalysis a = analyzeOrThrow(oneLayer("RepeatVector", {{"n", 5}}, {kUnknown, 7}));
  EXPECT_EQ(a.find("layer")->outputShape, (Shape{kUnknown, 5, 7}));
  EXPECT_EQ(a.find("layer")->params, 0);
  for (const auto& [config, input] : std::vector<std::pair<Json, Shape>>{
           {{{"n", 0}}, {kUnknown, 7}}, {{{"n", 2}}, {kUnknown, 3, 7}}}) {
    const GraphAnalysis bad = analyze(oneLayer("RepeatVector", config, input));
    ASSERT_EQ(bad.diagnostics.size(), 1u) << config.dump();
    EXPECT_EQ(bad.diagnostics[0].subject, "layer");
  }
}

}  // namespace
}  // namespace graft::test
