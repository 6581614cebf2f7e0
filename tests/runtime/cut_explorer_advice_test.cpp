// The explorer's report read back and turned into advice (runtime/explore/cut_explorer_advice.h).
#include <gtest/gtest.h>

#include "io/zoo/zoo.h"
#include "runtime/explore/cut_explorer_advice.h"

namespace graft {
namespace {

CutExplorerReport vggReport(double pool3, double pool4, double pool5) {
  CutExplorerReport r;
  r.candidates = {{"block3_pool", pool3, 256, 1735488, 3.0},
                  {"block4_pool", pool4, 512, 7635264, 5.0},
                  {"block5_pool", pool5, 512, 14714688, 6.5}};
  return r;
}

Graph vgg16() {
  zoo::ZooOptions o;
  o.architecture = "vgg16";
  o.includeTop = false;
  return zoo::buildGraph(o);
}

TEST(CutExplorerAdvice, JsonReadsBackWhatProbeWrites) {
  const auto report = vggReport(0.5, 0.75, 0.625);
  const auto back = cutExplorerReportFromJson(cutExplorerReportJson(report), "p.json");
  ASSERT_EQ(back.candidates.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.candidates[i].layer, report.candidates[i].layer);
    EXPECT_EQ(back.candidates[i].valAccuracy, report.candidates[i].valAccuracy);
    EXPECT_EQ(back.candidates[i].featureSize, report.candidates[i].featureSize);
    EXPECT_EQ(back.candidates[i].prefixParams, report.candidates[i].prefixParams);
    EXPECT_EQ(back.candidates[i].msPerImage, report.candidates[i].msPerImage);
  }
}

TEST(CutExplorerAdvice, BadReportsNameTheFileAndThePath) {
  auto json = cutExplorerReportJson(vggReport(0.5, 0.75, 0.625));
  json["candidates"][1]["val_accuracy"] = 1.5;
  try {
    cutExplorerReportFromJson(json, "p.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "p.json: $.candidates[1].val_accuracy: out of range: 1.5");
  }
  EXPECT_THROW(cutExplorerReportFromJson(Json::array(), "p.json"), Error);
  EXPECT_THROW(cutExplorerReportFromJson(Json{{"candidates", {{{"layer", "x"}}}}}, "p.json"),
               Error);
}

TEST(CutExplorerAdvice, AShallowerBestIsAdvisedWithItsCut) {
  const auto advice = cutAdvice(vggReport(0.5, 0.75, 0.625), vgg16());
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_NE(advice[0].find("block4_pool best (75.0 %"), std::string::npos) << advice[0];
  EXPECT_NE(advice[0].find("62.5 % at the deepest candidate, block5_pool"), std::string::npos);
  EXPECT_NE(advice[0].find("{\"op\": \"cut\", \"at\": \"block4_pool\"}"), std::string::npos);
  EXPECT_NE(advice[0].find("keeps 7.64 M of 14.71 M parameters"), std::string::npos);
}

// A small cut's parameters in full: the explorer's first cut of MobileNet 0.25 kept "0.00 M".
TEST(CutExplorerAdvice, ASmallCutsParametersAreCountedInFull) {
  CutExplorerReport report = vggReport(0.9, 0.5, 0.5);
  report.candidates[0].prefixParams = 544;
  const auto advice = cutAdvice(report, vgg16());
  ASSERT_FALSE(advice.empty());
  EXPECT_NE(advice[0].find("which keeps 544 of 14.71 M parameters"), std::string::npos)
      << advice[0];
}

TEST(CutExplorerAdvice, TheCheapestWithinToleranceIsNamedToo) {
  const auto advice = cutAdvice(vggReport(0.74, 0.75, 0.75), vgg16());
  ASSERT_EQ(advice.size(), 2u);
  // Equal accuracy at block4 and block5: the shallower one is the best.
  EXPECT_NE(advice[0].find("block4_pool best"), std::string::npos) << advice[0];
  EXPECT_EQ(advice[1].rfind("block3_pool scores within 2.0 % of the best (74.0 %) with 1.74 M", 0),
            0u)
      << advice[1];
  EXPECT_NE(advice[1].find("3.00 ms per image"), std::string::npos) << advice[1];
}

TEST(CutExplorerAdvice, TheDeepestBestKeepsTheBaseAndForeignLayersAreSaid) {
  auto report = vggReport(0.5, 0.6, 0.9);
  report.candidates.insert(report.candidates.begin(), {"conv2_block3_out", 0.95, 256, 1, 1.0});
  const auto advice = cutAdvice(report, vgg16());
  ASSERT_EQ(advice.size(), 2u);
  EXPECT_NE(advice[0].find("lacks (conv2_block3_out)"), std::string::npos) << advice[0];
  EXPECT_NE(advice[1].find("block5_pool, the deepest candidate, best (90.0 %"), std::string::npos)
      << advice[1];
  EXPECT_TRUE(cutAdvice(CutExplorerReport{}, vgg16()).empty());
}

}  // namespace
}  // namespace graft
