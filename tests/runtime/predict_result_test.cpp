// Top-K lists from a model's class vector.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/prediction/predict_result.h"

namespace graft {
namespace {

TEST(PredictResult, ClassVectorIsRankOneWithTwoOrMoreEntries) {
  EXPECT_TRUE(isClassVector({2}));
  EXPECT_TRUE(isClassVector({1000}));
  EXPECT_FALSE(isClassVector({1}));
  EXPECT_FALSE(isClassVector({7, 7, 256}));
  EXPECT_FALSE(isClassVector({}));
}

TEST(PredictResult, TopKOfProbabilitiesKeepsTheValues) {
  const auto top = topK({0.1f, 0.7f, 0.2f}, 2, {"cat", "dog", "fox"});
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].index, 1);
  EXPECT_EQ(top[0].label, "dog");
  EXPECT_NEAR(top[0].probability, 0.7, 1e-7);
  EXPECT_EQ(top[1].index, 2);
  EXPECT_EQ(top[1].label, "fox");
  EXPECT_NEAR(top[1].probability, 0.2, 1e-7);
}

TEST(PredictResult, LogitsGoThroughSoftmax) {
  // softmax(1, 3, -2) = (0.11849965, 0.8756006, 0.00589975)
  const auto top = topK({1.f, 3.f, -2.f}, 5, {});
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].index, 1);
  EXPECT_NEAR(top[0].probability, 0.8756006, 1e-6);
  EXPECT_EQ(top[1].index, 0);
  EXPECT_NEAR(top[1].probability, 0.11849965, 1e-6);
  EXPECT_EQ(top[2].index, 2);
  EXPECT_NEAR(top[2].probability, 0.00589975, 1e-6);
  EXPECT_TRUE(top[0].label.empty());
}

TEST(PredictResult, TiesLabelsAndLimits) {
  const auto tie = topK({0.25f, 0.5f, 0.25f}, 3, {"a", "b"});  // label count wrong: no labels
  ASSERT_EQ(tie.size(), 3u);
  EXPECT_EQ(tie[1].index, 0);
  EXPECT_EQ(tie[2].index, 2);
  EXPECT_TRUE(tie[0].label.empty());
  EXPECT_TRUE(topK({0.5f, 0.5f}, 0, {}).empty());
  EXPECT_TRUE(topK({}, 3, {}).empty());
  const auto nan = topK({std::nanf(""), 2.f}, 2, {});
  ASSERT_EQ(nan.size(), 2u);
}

}  // namespace
}  // namespace graft
