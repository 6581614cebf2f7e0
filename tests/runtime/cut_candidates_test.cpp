// Cut-point candidates from the graph's structure (graph/cut_candidates.h) on every zoo family.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "graph/analysis.h"
#include "graph/cut_candidates.h"
#include "graph/graph_builder.h"
#include "io/zoo/zoo.h"
#include "runtime_test_util.h"

namespace graft {
namespace {

using test::zooGraph;

// Independent of the implementation's sweep: with `removed` taken out, can the output still be
// reached from the input?
bool outputReachableWithout(const Graph& g, const std::string& removed) {
  std::set<std::string> seen{g.inputs()[0]};
  std::vector<std::string> stack{g.inputs()[0]};
  while (!stack.empty()) {
    const auto name = stack.back();
    stack.pop_back();
    for (const auto& c : g.consumers(name))
      if (c != removed && seen.insert(c).second) stack.push_back(c);
  }
  return seen.count(g.outputs()[0]) != 0;
}

std::vector<std::string> numbered(const std::string& pattern, int from, int to) {
  std::vector<std::string> names;
  for (int i = from; i <= to; ++i) {
    std::string s = pattern;
    s.replace(s.find('#'), 1, std::to_string(i));
    names.push_back(s);
  }
  return names;
}

TEST(CutVertices, ABypassedLayerIsNotOneAndTheMergeIs) {
  GraphBuilder b("residual");
  const auto in = b.input("in", {kUnknown, 8, 8, 4});
  const auto c1 =
      b.add("Conv2D", "c1", {{"filters", 4}, {"kernel_size", {3, 3}}, {"padding", "same"}}, in);
  const auto c2 =
      b.add("Conv2D", "c2", {{"filters", 4}, {"kernel_size", {3, 3}}, {"padding", "same"}}, c1);
  const auto c3 =
      b.add("Conv2D", "c3", {{"filters", 4}, {"kernel_size", {3, 3}}, {"padding", "same"}}, c2);
  const auto add = b.add("Add", "add", Json::object(), {c1, c3});
  const auto out = b.add("GlobalAveragePooling2D", "gap", Json::object(), add);
  const Graph g = b.build({out});
  EXPECT_EQ(cutVertices(g), (std::vector<std::string>{"c1", "add", "gap"}));
  EXPECT_EQ(cutCandidates(g), (std::vector<std::string>{"add"}));
}

TEST(CutCandidates, VggIsItsBlockPools) {
  EXPECT_EQ(cutCandidates(zooGraph("vgg16")), numbered("block#_pool", 1, 5));
  EXPECT_EQ(cutCandidates(zooGraph("vgg19")), numbered("block#_pool", 1, 5));
}

TEST(CutCandidates, MobileNetIsItsPointwiseActivations) {
  EXPECT_EQ(cutCandidates(zooGraph("mobilenet")), numbered("conv_pw_#_relu", 1, 13));
}

TEST(CutCandidates, ResNetIsItsStemPoolAndEveryBlockOutputWithoutALimit) {
  std::vector<std::string> expected{"pool1_pool"};
  const int blocks[] = {3, 4, 6, 3};
  for (int stage = 2; stage <= 5; ++stage)
    for (int block = 1; block <= blocks[stage - 2]; ++block)
      expected.push_back("conv" + std::to_string(stage) + "_block" + std::to_string(block) +
                         "_out");
  EXPECT_EQ(cutCandidates(zooGraph("resnet50", "tf.keras"), 100), expected);
  // At 16 the stage ends (where the resolution halves) stay.
  const auto limited = cutCandidates(zooGraph("resnet50", "tf.keras"));
  ASSERT_EQ(limited.size(), 16u);
  for (const char* stageEnd : {"pool1_pool", "conv2_block3_out", "conv3_block4_out",
                               "conv4_block6_out", "conv5_block3_out"})
    EXPECT_NE(std::find(limited.begin(), limited.end(), stageEnd), limited.end()) << stageEnd;
}

TEST(CutCandidates, InceptionV3HasEveryMixedBlock) {
  const auto c = cutCandidates(zooGraph("inception_v3"));
  const auto mixed = numbered("mixed#", 0, 10);
  ASSERT_GE(c.size(), mixed.size());
  EXPECT_EQ(std::vector<std::string>(c.end() - 11, c.end()), mixed);
}

TEST(CutCandidates, XceptionIsItsResidualSumsAndTheLastMap) {
  auto expected = std::vector<std::string>{"add"};
  for (auto& n : numbered("add_#", 1, 11)) expected.push_back(n);
  expected.push_back("block14_sepconv2_act");
  EXPECT_EQ(cutCandidates(zooGraph("xception")), expected);
}

TEST(CutCandidates, DenseNetKeepsItsTransitionPools) {
  for (const char* arch : {"densenet121", "densenet169", "densenet201"}) {
    const auto c = cutCandidates(zooGraph(arch));
    EXPECT_EQ(c.size(), 16u) << arch;
    for (const char* pool : {"pool1", "pool2_pool", "pool3_pool", "pool4_pool"})
      EXPECT_NE(std::find(c.begin(), c.end(), pool), c.end()) << arch << " " << pool;
    EXPECT_EQ(c.back(), "relu") << arch;
  }
}

// Every family: at most 16, each a cut vertex (checked by reachability), spatial, in order of
// depth, the last map before the top at the end, spread over the network (the first third and
// the last third both have one).
TEST(CutCandidates, EveryZooFamilyGivesSpreadSpatialCutVertices) {
  for (const auto& arch : zoo::architectures()) {
    SCOPED_TRACE(arch);
    const Graph g = zooGraph(arch);
    const auto analysis = analyzeOrThrow(g);
    const auto candidates = cutCandidates(g);
    // NASNet's cells each read the outputs of the two cells before them: no single layer
    // separates input from output before the last cell, so only the last map is offered.
    const bool twoInputCells = zoo::familyOf(arch) == "NASNet";
    ASSERT_GE(candidates.size(), twoInputCells ? 1u : 4u);
    EXPECT_LE(candidates.size(), 16u);
    const auto order = g.topologicalOrder().value();
    std::unordered_map<std::string, size_t> depth;
    for (size_t i = 0; i < order.size(); ++i) depth[g.nodes()[order[i]].name] = i;
    for (size_t i = 0; i < candidates.size(); ++i) {
      EXPECT_FALSE(outputReachableWithout(g, candidates[i])) << candidates[i];
      EXPECT_EQ(analysis.find(candidates[i])->outputShape.size(), 4u) << candidates[i];
      if (i > 0) {
        EXPECT_LT(depth[candidates[i - 1]], depth[candidates[i]]);
      }
    }
    // The last map: the top (global pooling or Flatten) reads it.
    bool feedsTop = false;
    for (const auto& c : g.consumers(candidates.back())) {
      const auto& cls = g.at(c).className;
      feedsTop =
          feedsTop || cls.rfind("Global", 0) == 0 || cls == "Flatten" || cls == "AveragePooling2D";
    }
    EXPECT_TRUE(feedsTop) << candidates.back();
    if (twoInputCells) continue;
    EXPECT_LT(depth[candidates.front()], order.size() / 3);
    EXPECT_GT(depth[candidates[candidates.size() - 2]], order.size() / 2);
  }
}

TEST(CutCandidates, PrefixParametersCountWhatACutKeeps) {
  const Graph g = zooGraph("vgg16");
  const auto analysis = analyzeOrThrow(g);
  // block1: 3*3*3*64+64 and 3*3*64*64+64.
  EXPECT_EQ(prefixParameters(g, analysis, "block1_pool"), 1792 + 36928);
  // Keras's VGG16 without its top: 14,714,688.
  EXPECT_EQ(prefixParameters(g, analysis, "block5_pool"), 14714688);
}

TEST(CutVertices, RefusesTwoOutputs) {
  GraphBuilder b("two");
  const auto in = b.input("in", {kUnknown, 4, 4, 1});
  const auto a = b.add("Conv2D", "a", {{"filters", 1}, {"kernel_size", {1, 1}}}, in);
  const auto c = b.add("Conv2D", "c", {{"filters", 1}, {"kernel_size", {1, 1}}}, in);
  EXPECT_THROW(cutVertices(b.build({a, c})), Error);
}

}  // namespace
}  // namespace graft
