// Subtract, Average, Maximum and Minimum against element-by-element loops (Keras's merge
// functions folded left to right), with two and three inputs; Subtract takes exactly two.
#include <algorithm>

#include "graph/analysis.h"
#include "naive_reference.h"
#include "runtime_test_util.h"

namespace graft::test {
namespace {

// `count` branches of one input (x * 1.5, x * -0.5 + 1, x * x) merged by `cls`.
Graph branches(const std::string& cls, size_t count, const Shape& shape) {
  GraphBuilder b("merge");
  const std::string x = b.input("input_1", shape);
  std::vector<std::string> in{b.add("Rescaling", "a", {{"scale", 1.5}}, x),
                              b.add("Rescaling", "c", {{"scale", -0.5}, {"offset", 1.0}}, x),
                              b.add("Multiply", "sq", {}, std::vector<std::string>{x, x})};
  in.resize(count);
  return b.build({b.add(cls, "merge", {}, in)});
}

std::vector<torch::Tensor> branchValues(const torch::Tensor& x, size_t count) {
  std::vector<torch::Tensor> v{x * 1.5, x * -0.5 + 1.0, x * x};
  v.resize(count);
  return v;
}

double plus(double a, double b) {
  return a + b;
}
double larger(double a, double b) {
  return std::max(a, b);
}
double smaller(double a, double b) {
  return std::min(a, b);
}

TEST(MergeOps, MaximumAndMinimumOfTwoAndThree) {
  for (const Shape& shape : {Shape{kUnknown, 3, 4, 5}, Shape{kUnknown, 7}}) {
    std::vector<int64_t> dims(shape.begin(), shape.end());
    dims[0] = 2;
    const torch::Tensor x = randomTensor(dims, 21) * 2.0;
    for (size_t count : {2u, 3u}) {
      SCOPED_TRACE(shapeToString(shape) + " inputs " + std::to_string(count));
      EXPECT_TRUE(allClose(runLayer(branches("Maximum", count, shape), {}, x),
                           naive::fold(branchValues(x, count), larger)));
      EXPECT_TRUE(allClose(runLayer(branches("Minimum", count, shape), {}, x),
                           naive::fold(branchValues(x, count), smaller)));
    }
  }
}

TEST(MergeOps, AverageIsTheSumOverTheCount) {
  const torch::Tensor x = randomTensor({2, 3, 4, 5}, 22);
  for (size_t count : {2u, 3u}) {
    SCOPED_TRACE(count);
    const torch::Tensor want =
        naive::fold(branchValues(x, count), plus) / static_cast<double>(count);
    EXPECT_TRUE(allClose(runLayer(branches("Average", count, {kUnknown, 3, 4, 5}), {}, x), want));
  }
}

TEST(MergeOps, SubtractIsFirstMinusSecond) {
  const torch::Tensor x = randomTensor({2, 3, 4, 5}, 23);
  const auto v = branchValues(x, 2);
  EXPECT_TRUE(allClose(runLayer(branches("Subtract", 2, {kUnknown, 3, 4, 5}), {}, x),
                       naive::fold(v, [](double a, double b) { return a - b; })));
}

TEST(MergeOps, SubtractRefusesThreeInputsAndMergesRefuseUnequalShapes) {
  const GraphAnalysis three = analyze(branches("Subtract", 3, {kUnknown, 3, 4, 5}));
  ASSERT_FALSE(three.diagnostics.empty());
  EXPECT_EQ(three.diagnostics.front().subject, "merge");
  EXPECT_NE(three.diagnostics.front().message.find("2"), std::string::npos)
      << three.diagnostics.front().str();

  GraphBuilder b("unequal");
  const std::string x = b.input("input_1", {kUnknown, 4, 4, 3});
  const std::string pooled = b.add("MaxPooling2D", "pool", {{"pool_size", 2}}, x);
  const Graph g = b.build({b.add("Maximum", "merge", {}, std::vector<std::string>{x, pooled})});
  const GraphAnalysis unequal = analyze(g);
  ASSERT_FALSE(unequal.diagnostics.empty());
  EXPECT_EQ(unequal.diagnostics.front().subject, "merge");
}

}  // namespace
}  // namespace graft::test
