// Zoo builders: parameter totals and splits as Keras reports them, and the options.
#include <gtest/gtest.h>

#include <set>

#include "graph/analysis.h"
#include "graph/keras_json.h"
#include "io/keras_h5_reader.h"
#include "io/zoo/zoo.h"
#include "support/test_support.h"
#include "zoo_test_support.h"

namespace graft {
namespace {

using test::zooOptions;

GraphAnalysis analyzeZoo(const zoo::ZooOptions& options) {
  return analyzeOrThrow(zoo::buildGraph(options));
}

struct ParamCase {
  std::string architecture;
  bool includeTop;
  int64_t total;  // Keras's model.summary() total (DESIGN.md's table)
  std::string resnetNaming = "keras-applications";
  double alpha = 1.0;
};

std::string caseName(const ParamCase& c) {
  return c.architecture + (c.architecture == "resnet50" ? " (" + c.resnetNaming + ")" : "") +
         (c.architecture == "mobilenet" ? " alpha " + std::to_string(c.alpha) : "") +
         (c.includeTop ? " with top" : " without top");
}

TEST(Zoo, TotalParametersEqualKerasForEveryFamily) {
  const std::vector<ParamCase> cases = {
      {"vgg16", true, 138357544},
      {"vgg16", false, 14714688},
      {"vgg19", true, 143667240},
      {"vgg19", false, 20024384},
      {"resnet50", true, 25636712},
      {"resnet50", false, 23587712},
      {"resnet50", true, 25636712, "tf.keras"},
      {"resnet50", false, 23587712, "tf.keras"},
      {"inception_v3", true, 23851784},
      {"inception_v3", false, 21802784},
      {"xception", true, 22910480},
      {"xception", false, 20861480},
      {"mobilenet", true, 4253864},
      {"mobilenet", false, 3228864},
      {"mobilenet", false, 218544, "", 0.25},
  };
  for (const auto& c : cases) {
    auto o = zooOptions(c.architecture, c.includeTop);
    o.resnetNaming = c.resnetNaming.empty() ? o.resnetNaming : c.resnetNaming;
    o.alpha = c.alpha;
    EXPECT_EQ(analyzeZoo(o).totalParams, c.total) << caseName(c);
  }
}

// The non-trainable parameters are the BatchNormalization moving statistics. Keras's own
// topology file, read by graft's importer, is an independent count of them.
int64_t nonTrainableInKerasFile(const std::string& path) {
  return analyzeOrThrow(graphFromKerasJson(test::readJsonFile(path))).nonTrainableParams();
}

TEST(Zoo, NonTrainableParametersAreTheMovingStatisticsOfKerasFiles) {
  GRAFT_REQUIRE_FIXTURE(resnet, "keras-configs/resnet50_keras_applications.json");
  GRAFT_REQUIRE_FIXTURE(inception, "keras-configs/inception_v3.json");
  GRAFT_REQUIRE_FIXTURE(xception, "keras-configs/xception_keras1.json");
  GRAFT_REQUIRE_FIXTURE(mobilenet, "keras-configs/mobilenet.json");
  GRAFT_REQUIRE_FIXTURE(vgg16, "keras-configs/vgg16.json");

  // Keras's summaries: ResNet50 25,583,592 + 53,120; InceptionV3 23,817,352 + 34,432;
  // Xception 22,855,952 + 54,528; MobileNet 4,231,976 + 21,888.
  struct Split {
    std::string architecture, naming, file;
    int64_t trainable, nonTrainable;
  };
  const std::vector<Split> splits = {
      {"resnet50", "keras-applications", resnet, 25583592, 53120},
      {"resnet50", "tf.keras", resnet, 25583592, 53120},
      {"inception_v3", "", inception, 23817352, 34432},
      {"xception", "", xception, 22855952, 54528},
      {"mobilenet", "", mobilenet, 4231976, 21888},
      {"vgg16", "", vgg16, 138357544, 0},
  };
  for (const auto& s : splits) {
    auto o = zooOptions(s.architecture);
    if (!s.naming.empty()) o.resnetNaming = s.naming;
    const auto a = analyzeZoo(o);
    EXPECT_EQ(a.nonTrainableParams(), nonTrainableInKerasFile(s.file)) << s.architecture;
    EXPECT_EQ(a.nonTrainableParams(), s.nonTrainable) << s.architecture << " " << s.naming;
    EXPECT_EQ(a.trainableParams, s.trainable) << s.architecture << " " << s.naming;
    // Without the top only trainable weights go: the statistics all sit in the backbone.
    o.includeTop = false;
    EXPECT_EQ(analyzeZoo(o).nonTrainableParams(), s.nonTrainable) << s.architecture;
  }
}

TEST(Zoo, MobileNetQuarterSplitMatchesTheKerasWeightFile) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/mobilenet_2_5_224_tf_no_top.h5");
  // Sum the moving statistics Keras stored, straight from the dataset shapes.
  KerasH5Reader file(path);
  int64_t statistics = 0;
  for (const auto* layer : file.layersWithWeights())
    for (size_t i = 0; i < layer->weightNames.size(); ++i) {
      const std::string base = weightBaseName(layer->weightNames[i], layer->name);
      if (base == "moving_mean" || base == "moving_variance")
        statistics += elementCount(file.shape(*layer, i));
    }
  ASSERT_GT(statistics, 0);
  auto o = zooOptions("mobilenet", false);
  o.alpha = 0.25;
  const auto a = analyzeZoo(o);
  EXPECT_EQ(a.totalParams, 218544);
  EXPECT_EQ(a.nonTrainableParams(), statistics);
}

// ---- options --------------------------------------------------------------------------------

Shape shapeOf(const GraphAnalysis& a, const std::string& layer) {
  const NodeInfo* info = a.find(layer);
  if (!info) throw Error("no layer " + layer);
  return info->outputShape;
}

TEST(Zoo, VggWithoutTopAtAnotherSize) {
  auto o = zooOptions("vgg16", false);
  o.inputSize = 160;
  const auto a = analyzeZoo(o);
  EXPECT_EQ(shapeOf(a, "block2_pool"), (Shape{kUnknown, 40, 40, 128}));
  EXPECT_EQ(shapeOf(a, "block5_pool"), (Shape{kUnknown, 5, 5, 512}));
}

TEST(Zoo, MobileNetHalfWidthAt160) {
  auto o = zooOptions("mobilenet");
  o.alpha = 0.5;
  o.inputSize = 160;
  const Graph g = zoo::buildGraph(o);
  EXPECT_EQ(g.name(), "mobilenet_0.50_160");
  const auto a = analyzeOrThrow(g);
  EXPECT_EQ(shapeOf(a, "input_1"), (Shape{kUnknown, 160, 160, 3}));
  EXPECT_EQ(shapeOf(a, "conv1"), (Shape{kUnknown, 80, 80, 16}));
  EXPECT_EQ(shapeOf(a, "conv_pw_13_relu"), (Shape{kUnknown, 5, 5, 512}));
  EXPECT_EQ(shapeOf(a, "reshape_1"), (Shape{kUnknown, 1, 1, 512}));
  EXPECT_EQ(shapeOf(a, "reshape_2"), (Shape{kUnknown, 1000}));
  // Keras: MobileNet(alpha=0.5, input_shape=(160,160,3), weights=None).count_params(), which is
  // the width-scaled network: stem 3*3*3*16 + BN, 13 blocks, conv_preds 512*1000 + 1000.
  int64_t expected = 3 * 3 * 3 * 16 + 4 * 16;
  int64_t in = 16;
  for (int64_t out : {32, 64, 64, 128, 128, 256, 256, 256, 256, 256, 256, 512, 512}) {
    expected += 3 * 3 * in + 4 * in + in * out + 4 * out;
    in = out;
  }
  expected += 512 * 1000 + 1000;
  EXPECT_EQ(a.totalParams, expected);
}

TEST(Zoo, PoolingWithoutTopGivesAVectorPerImage) {
  struct PoolCase {
    std::string architecture;
    std::string pooling;
    std::string layer;  // the pooling layer's name as Keras names it
    int64_t channels;
  };
  const std::vector<PoolCase> cases = {
      {"vgg16", "max", "global_max_pooling2d", 512},
      {"resnet50", "avg", "global_average_pooling2d_1", 2048},
      {"resnet50", "max", "global_max_pooling2d_1", 2048},
      {"inception_v3", "avg", "global_average_pooling2d_1", 2048},
      {"xception", "max", "global_max_pooling2d", 2048},
      {"mobilenet", "avg", "global_average_pooling2d_1", 1024},
  };
  for (const auto& c : cases) {
    auto o = zooOptions(c.architecture, false);
    o.pooling = c.pooling;
    const Graph g = zoo::buildGraph(o);
    ASSERT_EQ(g.outputs(), std::vector<std::string>{c.layer}) << c.architecture;
    EXPECT_EQ(shapeOf(analyzeOrThrow(g), c.layer), (Shape{kUnknown, c.channels})) << c.architecture;
  }
  auto o = zooOptions("resnet50", false);
  o.resnetNaming = "tf.keras";
  o.pooling = "avg";
  EXPECT_EQ(zoo::buildGraph(o).outputs(), std::vector<std::string>{"avg_pool"});
  o.pooling = "max";
  EXPECT_EQ(zoo::buildGraph(o).outputs(), std::vector<std::string>{"max_pool"});
}

TEST(Zoo, WithoutTopOrPoolingTheOutputIsTheLastFeatureMap) {
  struct MapCase {
    std::string architecture;
    std::string naming;
    std::string last;
    Shape shape;  // at the default size
  };
  const std::vector<MapCase> cases = {
      {"resnet50", "keras-applications", "activation_49", {kUnknown, 7, 7, 2048}},
      {"resnet50", "tf.keras", "conv5_block3_out", {kUnknown, 7, 7, 2048}},
      {"inception_v3", "", "mixed10", {kUnknown, 8, 8, 2048}},
      {"xception", "", "block14_sepconv2_act", {kUnknown, 10, 10, 2048}},
      {"mobilenet", "", "conv_pw_13_relu", {kUnknown, 7, 7, 1024}},
  };
  for (const auto& c : cases) {
    auto o = zooOptions(c.architecture, false);
    if (!c.naming.empty()) o.resnetNaming = c.naming;
    o.inputSize = zoo::defaultInputSize(c.architecture);
    const Graph g = zoo::buildGraph(o);
    ASSERT_EQ(g.outputs(), std::vector<std::string>{c.last}) << c.architecture;
    EXPECT_EQ(g.nodes().back().name, c.last) << c.architecture;
    EXPECT_EQ(shapeOf(analyzeOrThrow(g), c.last), c.shape) << c.architecture;
    // Without a size the spatial dimensions stay open, as Keras's (None, None, 3) input.
    o.inputSize.reset();
    EXPECT_EQ(shapeOf(analyzeZoo(o), c.last), (Shape{kUnknown, kUnknown, kUnknown, c.shape[3]}))
        << c.architecture;
  }
}

TEST(Zoo, ClassesChangeOnlyTheLastClassifier) {
  struct ClassesCase {
    std::string architecture;
    std::string classifier;
    int64_t inputs;  // features feeding the classifier
  };
  const std::vector<ClassesCase> cases = {{"vgg16", "predictions", 4096},
                                          {"resnet50", "fc1000", 2048},
                                          {"inception_v3", "predictions", 2048},
                                          {"xception", "predictions", 2048},
                                          {"mobilenet", "conv_preds", 1024}};
  for (const auto& c : cases) {
    auto o = zooOptions(c.architecture);
    const Graph standard = zoo::buildGraph(o);
    o.classes = 5;
    const Graph five = zoo::buildGraph(o);
    ASSERT_EQ(standard.size(), five.size()) << c.architecture;
    for (size_t i = 0; i < standard.size(); ++i) {
      const Node& a = standard.nodes()[i];
      const Node& b = five.nodes()[i];
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.inputs, b.inputs) << a.name;
      // MobileNet's final Reshape names the class count too; everything else is untouched.
      if (a.name != c.classifier && a.name != "reshape_2") {
        EXPECT_EQ(a, b) << a.name;
      }
    }
    const auto before = analyzeOrThrow(standard);
    const auto after = analyzeOrThrow(five);
    EXPECT_EQ(before.totalParams - after.totalParams, (c.inputs + 1) * (1000 - 5))
        << c.architecture;
    EXPECT_EQ(after.nodes.at(five.outputs().front()).outputShape, (Shape{kUnknown, 5}))
        << c.architecture;
  }
}

void expectRefused(const zoo::ZooOptions& o, const std::vector<std::string>& phrases) {
  try {
    zoo::buildGraph(o);
    ADD_FAILURE() << o.architecture << ": expected a refusal";
  } catch (const Error& e) {
    for (const auto& phrase : phrases)
      EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos)
          << "'" << e.what() << "' does not mention '" << phrase << "'";
  }
}

TEST(Zoo, InputsBelowTheMinimumAreRefusedNamingSizeAndMinimum) {
  auto o = zooOptions("inception_v3", false);
  o.inputSize = 64;
  expectRefused(o, {"inception_v3", "64", "75"});
  o = zooOptions("xception", false);
  o.inputSize = 70;
  expectRefused(o, {"xception", "70", "71"});
  o = zooOptions("mobilenet", false);
  o.inputSize = 31;
  expectRefused(o, {"mobilenet", "31", "32"});
  // The keras-applications ResNet50 top pools a fixed 7x7 window.
  o = zooOptions("resnet50");
  o.inputSize = 160;
  expectRefused(o, {"resnet50", "160", "197", "avg_pool"});

  // The minimum itself works and gives Keras's smallest maps.
  o = zooOptions("inception_v3", false);
  o.inputSize = 75;
  EXPECT_EQ(shapeOf(analyzeZoo(o), "mixed10"), (Shape{kUnknown, 1, 1, 2048}));
  o = zooOptions("xception", false);
  o.inputSize = 71;
  EXPECT_EQ(shapeOf(analyzeZoo(o), "block14_sepconv2_act"), (Shape{kUnknown, 3, 3, 2048}));
  o = zooOptions("resnet50");
  o.inputSize = 197;
  EXPECT_EQ(shapeOf(analyzeZoo(o), "avg_pool"), (Shape{kUnknown, 1, 1, 2048}));
  o = zooOptions("resnet50", false);
  o.inputSize = 32;
  EXPECT_EQ(shapeOf(analyzeZoo(o), "activation_49"), (Shape{kUnknown, 1, 1, 2048}));
  o.resnetNaming = "tf.keras";
  EXPECT_EQ(shapeOf(analyzeZoo(o), "conv5_block3_out"), (Shape{kUnknown, 1, 1, 2048}));
}

TEST(Zoo, PoolingWithATopAndUnknownValuesAreRefused) {
  auto o = zooOptions("xception");
  o.pooling = "avg";
  expectRefused(o, {"xception", "pooling", "without the top"});
  o = zooOptions("resnet50", false);
  o.pooling = "mean";
  expectRefused(o, {"pooling", "avg or max", "mean"});
  o = zooOptions("resnet50");
  o.resnetNaming = "caffe";
  expectRefused(o, {"resnet50", "keras-applications", "tf.keras"});
  o = zooOptions("mobilenet");
  o.alpha = 0;
  expectRefused(o, {"mobilenet", "alpha"});
}

TEST(Zoo, ResNetNamingsDifferInNamesAndEpsilonOnly) {
  auto o = zooOptions("resnet50");
  const Graph keras = zoo::buildGraph(o);
  o.resnetNaming = "tf.keras";
  const Graph tf = zoo::buildGraph(o);
  EXPECT_EQ(keras.at("bn_conv1").config.at("epsilon").get<double>(), 1e-3);
  EXPECT_EQ(tf.at("conv1_bn").config.at("epsilon").get<double>(), 1.001e-5);
  EXPECT_EQ(keras.at("res2a_branch1").inputs, std::vector<std::string>{"max_pooling2d_1"});
  EXPECT_EQ(tf.at("conv2_block1_0_conv").inputs, std::vector<std::string>{"pool1_pool"});
  EXPECT_EQ(tf.at("conv2_block1_add").inputs,
            (std::vector<std::string>{"conv2_block1_0_bn", "conv2_block1_3_bn"}));
  EXPECT_EQ(tf.at("conv3_block2_add").inputs,
            (std::vector<std::string>{"conv3_block1_out", "conv3_block2_3_bn"}));
  // tf.keras pads before the max pool, so stage 2 is 56x56 (Keras 2.1's is 55x55).
  const auto a = analyzeOrThrow(tf);
  EXPECT_EQ(shapeOf(a, "conv2_block3_out"), (Shape{kUnknown, 56, 56, 256}));
  EXPECT_EQ(shapeOf(analyzeOrThrow(keras), "activation_10"), (Shape{kUnknown, 55, 55, 256}));
  EXPECT_EQ(shapeOf(a, "predictions"), (Shape{kUnknown, 1000}));
  EXPECT_EQ(keras.size(), 177u);
  EXPECT_EQ(tf.size(), 177u);

  // The same weights under other names: one naming's files convert to the other's.
  auto weightShapes = [](const GraphAnalysis& analysis) {
    std::multiset<std::pair<std::string, Shape>> shapes;
    for (const auto& [layer, info] : analysis.nodes)
      for (const auto& w : info.weights) shapes.insert({w.name, w.shape});
    return shapes;
  };
  EXPECT_EQ(weightShapes(analyzeOrThrow(keras)), weightShapes(a));
}

}  // namespace
}  // namespace graft
