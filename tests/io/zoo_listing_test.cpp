// The zoo as users browse it (`graft-cli zoo`, the start page): exact counts from the built
// graphs agree with Keras's published table, the cache is searched for Keras's file names, and
// the filter finds models by name, alias and family.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "io/zoo/zoo.h"
#include "io/zoo/zoo_listing.h"
#include "support/test_support.h"

namespace graft {
namespace {

TEST(ZooListing, EveryArchitectureHasKerasFiguresThatAgreeWithTheBuiltModel) {
  test::TempDir cache;
  const auto listing = zoo::zooListing(cache.path().string());
  ASSERT_EQ(listing.size(), zoo::architectures().size());
  for (const auto& e : listing) {
    SCOPED_TRACE(e.architecture);
    ASSERT_TRUE(e.published) << "Keras's table has every family Graft builds";
    EXPECT_GT(e.published->top1, 0.6);
    EXPECT_LT(e.published->top1, 0.9);
    EXPECT_EQ(e.published->inputSize, e.defaultInputSize)
        << "the accuracy was measured at the default size";
    // Keras's table gives 0.1 M, mostly rounded (InceptionV3's 23,851,784 is 23.9 M) but
    // sometimes cut (ConvNeXtBase's 88,591,464 is 88.5 M): the exact count must be within it.
    if (e.published->parametersMillions) {
      EXPECT_LT(
          std::abs(static_cast<double>(e.parameters) / 1e6 - *e.published->parametersMillions),
          0.1);
    }
    EXPECT_TRUE(e.weightsFound.empty());
    EXPECT_FALSE(e.weightsMissing.empty()) << "Keras publishes weights for every family";
    EXPECT_EQ(e.family, zoo::familyOf(e.architecture));
  }
}

TEST(ZooListing, ExactCountsAreKerasSummaryTotals) {
  test::TempDir cache;
  std::map<std::string, int64_t> counts;
  for (const auto& e : zoo::zooListing(cache.path().string()))
    counts[e.architecture] = e.parameters;
  // Keras's model.summary() with the default options (DESIGN.md's and issue #20's tables).
  EXPECT_EQ(counts.at("vgg16"), 138357544);
  EXPECT_EQ(counts.at("resnet50"), 25636712);
  EXPECT_EQ(counts.at("mobilenet"), 4253864);
  EXPECT_EQ(counts.at("mobilenetv2"), 3538984);
  EXPECT_EQ(counts.at("inceptionresnetv2"), 55873736);
}

TEST(ZooListing, PublishedCountsAreKerasFiguresAndExactWhereKerasHasNone) {
  test::TempDir cache;
  const auto exact = zoo::zooListing(cache.path().string());
  const auto quick = zoo::zooListing(cache.path().string(), zoo::ParameterCounts::Published);
  ASSERT_EQ(exact.size(), quick.size());
  for (size_t i = 0; i < exact.size(); ++i) {
    SCOPED_TRACE(exact[i].architecture);
    EXPECT_TRUE(exact[i].parametersExact);
    EXPECT_LT(std::abs(static_cast<double>(quick[i].parameters - exact[i].parameters)), 1e5);
    if (quick[i].architecture == "mobilenetv3small") {
      EXPECT_TRUE(quick[i].parametersExact) << "Keras's table has no figure for it";
      EXPECT_EQ(quick[i].parameters, 2554968);
    }
  }
}

TEST(ZooListing, FindsTheFilesInTheKerasCacheAndNothingElse) {
  test::TempDir cache;
  std::ofstream(cache.path() / "mobilenet_2_5_224_tf_no_top.h5") << "x";
  std::ofstream(cache.path() / "resnet50_weights_tf_dim_ordering_tf_kernels.h5") << "x";
  std::ofstream(cache.path() / "unrelated.h5") << "x";
  for (const auto& e : zoo::zooListing(cache.path().string())) {
    if (e.architecture == "mobilenet") {
      EXPECT_EQ(e.weightsFound, std::vector<std::string>{"mobilenet_2_5_224_tf_no_top.h5"});
      // 4 widths x 4 sizes x top or not.
      EXPECT_EQ(e.weightsFound.size() + e.weightsMissing.size(), 32u);
    } else if (e.architecture == "resnet50") {
      EXPECT_EQ(e.weightsFound,
                std::vector<std::string>{"resnet50_weights_tf_dim_ordering_tf_kernels.h5"});
    } else {
      EXPECT_TRUE(e.weightsFound.empty()) << e.architecture;
    }
  }
  // A cache folder that does not exist lists everything as missing.
  for (const auto& e : zoo::zooListing((cache.path() / "absent").string()))
    EXPECT_TRUE(e.weightsFound.empty());
}

TEST(ZooListing, FilterMatchesEveryWordInNameAliasOrFamily) {
  test::TempDir cache;
  const auto listing = zoo::zooListing(cache.path().string());
  auto matching = [&](const std::string& filter) {
    std::vector<std::string> names;
    for (const auto& e : listing)
      if (zoo::matchesFilter(e, filter)) names.push_back(e.architecture);
    return names;
  };
  EXPECT_EQ(matching("").size(), listing.size());
  // inception_resnet_v2 has both words too.
  EXPECT_EQ(matching("ResNet V2"), (std::vector<std::string>{"resnet50v2", "resnet101v2",
                                                             "resnet152v2", "inceptionresnetv2"}));
  EXPECT_EQ(matching("resnet50"), (std::vector<std::string>{"resnet50", "resnet50v2"}));
  EXPECT_EQ(matching("mobilenet_v3"),
            (std::vector<std::string>{"mobilenetv3small", "mobilenetv3large"}));  // alias
  EXPECT_EQ(matching("  DENSENET  "),
            (std::vector<std::string>{"densenet121", "densenet169", "densenet201"}));
  EXPECT_TRUE(matching("resnet transformer").empty());
}

TEST(ZooListing, ReadableCounts) {
  EXPECT_EQ(zoo::readableCount(138357544), "138.4 M");
  EXPECT_EQ(zoo::readableCount(410208), "410 K");
  EXPECT_EQ(zoo::readableCount(999), "999");
}

}  // namespace
}  // namespace graft
