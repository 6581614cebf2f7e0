// MaxPooling2D, AveragePooling2D (padding excluded from the mean) and the global poolings.
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

struct PoolCase {
  int64_t h, w, pool, stride;
  std::string padding;
};

TEST(PoolingOps, MaxAndAverageMatchNaiveLoops) {
  const std::vector<PoolCase> cases = {
      {7, 8, 3, 2, "same"}, {8, 8, 3, 2, "same"},  {7, 7, 2, 2, "same"},  {6, 7, 2, 1, "same"},
      {9, 8, 3, 1, "same"}, {7, 8, 3, 2, "valid"}, {9, 9, 2, 2, "valid"}, {10, 11, 4, 3, "same"}};
  uint64_t seed = 10;
  for (const auto& c : cases) {
    for (const std::string cls : {"MaxPooling2D", "AveragePooling2D"}) {
      SCOPED_TRACE(cls + " " + std::to_string(c.h) + "x" + std::to_string(c.w) + " pool " +
                   std::to_string(c.pool) + " stride " + std::to_string(c.stride) + " " +
                   c.padding);
      Graph g = oneLayer(cls,
                         {{"pool_size", {c.pool, c.pool}},
                          {"strides", {c.stride, c.stride}},
                          {"padding", c.padding}},
                         {kUnknown, c.h, c.w, 3});
      torch::Tensor x = randomTensor({2, c.h, c.w, 3}, seed++);
      naive::Geometry geo{c.pool, c.pool, c.stride, c.stride, 1, 1, c.padding == "same"};
      torch::Tensor want = cls == "MaxPooling2D" ? naive::maxPool(x, geo) : naive::avgPool(x, geo);
      EXPECT_TRUE(allClose(runLayer(g, {}, x), want));
    }
  }
}

// Negative inputs: -inf padding must never win a maximum (zero padding would).
TEST(PoolingOps, MaxPoolingSamePaddingNeverWins) {
  Graph g =
      oneLayer("MaxPooling2D", {{"pool_size", {2, 2}}, {"padding", "same"}}, {kUnknown, 3, 3, 1});
  torch::Tensor x = -torch::arange(1, 10, torch::kFloat32).reshape({1, 3, 3, 1});
  torch::Tensor want = torch::tensor({-1.f, -3.f, -7.f, -9.f}).reshape({1, 2, 2, 1});
  EXPECT_TRUE(allClose(runLayer(g, {}, x), want));
}

// By hand: 3x3 image 1..9, 2x2 windows, stride 2, 'same': padding only at the bottom/right and
// not counted, so the edge windows average 2 cells and the corner 1.
TEST(PoolingOps, AveragePoolingSameExcludesPadding) {
  Graph g = oneLayer("AveragePooling2D", {{"pool_size", {2, 2}}, {"padding", "same"}},
                     {kUnknown, 3, 3, 1});
  torch::Tensor x = torch::arange(1, 10, torch::kFloat32).reshape({1, 3, 3, 1});
  torch::Tensor want = torch::tensor({3.f, 4.5f, 7.5f, 9.f}).reshape({1, 2, 2, 1});
  EXPECT_TRUE(allClose(runLayer(g, {}, x), want));
}

TEST(PoolingOps, StridesDefaultToPoolSize) {
  Graph g = oneLayer("MaxPooling2D", {{"pool_size", {3, 3}}}, {kUnknown, 7, 7, 2});
  torch::Tensor x = randomTensor({1, 7, 7, 2}, 3);
  EXPECT_TRUE(allClose(runLayer(g, {}, x), naive::maxPool(x, {3, 3, 3, 3, 1, 1, false})));
}

TEST(PoolingOps, GlobalPoolingWithAndWithoutKeepdims) {
  torch::Tensor x = randomTensor({2, 5, 6, 4}, 21);
  for (bool keep : {false, true}) {
    SCOPED_TRACE(keep ? "keepdims" : "no keepdims");
    torch::Tensor mean = x.to(torch::kFloat64).mean({1, 2}, keep);
    torch::Tensor max = std::get<0>(x.reshape({2, 30, 4}).max(1));
    if (keep) max = max.reshape({2, 1, 1, 4});
    EXPECT_TRUE(allClose(
        runLayer(oneLayer("GlobalAveragePooling2D", {{"keepdims", keep}}, {kUnknown, 5, 6, 4}), {},
                 x),
        mean));
    EXPECT_TRUE(allClose(
        runLayer(oneLayer("GlobalMaxPooling2D", {{"keepdims", keep}}, {kUnknown, 5, 6, 4}), {}, x),
        max));
  }
}

}  // namespace
}  // namespace graft::test
