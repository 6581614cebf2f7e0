// A mistyped layer name is answered with the one it most likely meant.
#include <gtest/gtest.h>

#include "graph/nearest_name.h"
#include "graph/surgery/ops.h"
#include "surgery_models.h"

namespace graft {
namespace {

const std::vector<std::string> kNames{"conv_pw_13_relu", "conv_pw_12_relu",
                                      "global_average_pooling2d_1", "dense", "dense_1"};

TEST(NearestName, ASlipInCaseOrAFewLettersFindsTheName) {
  EXPECT_EQ(nearestName("conv_pw_13_Relu", kNames), "conv_pw_13_relu");
  EXPECT_EQ(nearestName("global_avg_pooling2d_1", kNames), "global_average_pooling2d_1");
  EXPECT_EQ(nearestName("dnese", kNames), "dense");
}

TEST(NearestName, NothingFarOrAmbiguousIsSuggested) {
  EXPECT_EQ(nearestName("flatten", kNames), std::nullopt);
  EXPECT_EQ(nearestName("conv_pw_1x_relu", kNames), std::nullopt);  // 12 or 13: a tie
  EXPECT_EQ(nearestName("x", {}), std::nullopt);
}

TEST(NearestName, SurgerySuggestsItForAnUnknownLayer) {
  const Model m = test::modelFrom(test::chainGraph());
  const auto cut = applyOperation(m, ops::cut("conv_B"));
  ASSERT_FALSE(cut);
  EXPECT_TRUE(test::mentions(cut.diagnostics(), "conv_B", "did you mean 'conv_b'?"))
      << joinDiagnostics(cut.diagnostics());
}

}  // namespace
}  // namespace graft
