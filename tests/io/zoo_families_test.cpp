// The families added after the first six (#20): ResNet101/152, ResNet50V2/101V2/152V2,
// DenseNet121/169/201 and MobileNetV2. Parameter totals as Keras's model.summary() gives them,
// names and aliases, shapes, the published file names and recognition of weights-only files.
#include <gtest/gtest.h>

#include "graph/analysis.h"
#include "io/fetch/weights_catalogue.h"
#include "io/keras_h5_reader.h"
#include "io/keras_weights_import.h"
#include "io/model_source.h"
#include "io/recognize.h"
#include "io/zoo/layer_family.h"
#include "io/zoo/zoo.h"
#include "keras_file_writer.h"
#include "support/test_support.h"
#include "zoo_test_support.h"

namespace graft {
namespace {

using test::shapeOf;
using test::writeLayers;
using test::zooOptions;

TEST(ZooFamilies, TotalParametersEqualKeras) {
  struct Case {
    std::string architecture;
    int64_t withTop, withoutTop;
  };
  // With the top: the table (Keras's model.summary()); without it the same less the
  // classifier Dense (features * 1000 + 1000).
  const std::vector<Case> cases = {
      {"resnet101", 44707176, 44707176 - 2049000},   {"resnet152", 60419944, 60419944 - 2049000},
      {"resnet50v2", 25613800, 25613800 - 2049000},  {"resnet101v2", 44675560, 44675560 - 2049000},
      {"resnet152v2", 60380648, 60380648 - 2049000}, {"densenet121", 8062504, 8062504 - 1025000},
      {"densenet169", 14307880, 14307880 - 1665000}, {"densenet201", 20242984, 20242984 - 1921000},
      {"mobilenetv2", 3538984, 3538984 - 1281000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(analyzeOrThrow(zoo::buildGraph(zooOptions(c.architecture))).totalParams, c.withTop)
        << c.architecture;
    EXPECT_EQ(analyzeOrThrow(zoo::buildGraph(zooOptions(c.architecture, false))).totalParams,
              c.withoutTop)
        << c.architecture;
  }
}

TEST(ZooFamilies, MobileNetV2WidthsFollowMakeDivisible) {
  auto o = zooOptions("mobilenetv2", false);
  o.alpha = 0.35;
  // Keras's summary of the Teachable Machine export's inner MobileNetV2 (0.35, no top): 410,208.
  EXPECT_EQ(analyzeOrThrow(zoo::buildGraph(o)).totalParams, 410208);
  const Graph narrow = zoo::buildGraph(o);
  const auto a = analyzeOrThrow(narrow);
  EXPECT_EQ(a.nodes.at("Conv1").outputShape.back(), 16);  // _make_divisible(11.2, 8)
  EXPECT_EQ(a.nodes.at("block_16_project").outputShape.back(), 112);
  EXPECT_EQ(a.nodes.at("out_relu").outputShape.back(), 1280);  // not scaled below alpha 1
  o.alpha = 1.4;
  const auto wide = analyzeOrThrow(zoo::buildGraph(o));
  EXPECT_EQ(wide.nodes.at("Conv1").outputShape.back(), 48);
  EXPECT_EQ(wide.nodes.at("out_relu").outputShape.back(), 1792);  // _make_divisible(1792, 8)
  EXPECT_EQ(zoo::buildGraph(o).name(), "mobilenetv2_1.40_None");
}

// The Teachable Machine fixture holds a MobileNetV2 0.35 that Keras 2.4 built (as model1): the
// zoo has the same layers, classes, weight shapes and Keras order. Keras 2.4 padded the stem
// with Conv1_pad and a 'valid' Conv1; today's Keras uses 'same' (the same numbers).
TEST(ZooFamilies, MobileNetV2MatchesTheKerasBuiltModelInTheTeachableFixture) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5");
  ModelSpec spec;
  spec.source = path;
  const Graph fixture = loadModel(spec).model.graph;
  const auto fa = analyzeOrThrow(fixture);
  std::vector<std::string> fixtureOrder;
  for (const auto& node : fixture.nodes())
    if (node.group == "sequential_1/model1" && node.className != "InputLayer" &&
        node.name != "Conv1_pad")
      fixtureOrder.push_back(node.name);

  auto o = zooOptions("mobilenetv2", false);
  o.alpha = 0.35;
  o.inputSize = 224;
  const Graph zoo = zoo::buildGraph(o);
  const auto za = analyzeOrThrow(zoo);
  std::vector<std::string> zooOrder;
  for (const auto& node : zoo.nodes()) {
    if (node.className == "InputLayer") continue;
    zooOrder.push_back(node.name);
    const Node* other = fixture.find(node.name);
    ASSERT_NE(other, nullptr) << node.name;
    EXPECT_EQ(other->className, node.className) << node.name;
    EXPECT_EQ(za.nodes.at(node.name).outputShape, fa.nodes.at(node.name).outputShape) << node.name;
    const auto& mine = za.nodes.at(node.name).weights;
    const auto& theirs = fa.nodes.at(node.name).weights;
    ASSERT_EQ(mine.size(), theirs.size()) << node.name;
    for (size_t i = 0; i < mine.size(); ++i) EXPECT_EQ(mine[i].shape, theirs[i].shape);
    if (node.className == "BatchNormalization") {
      EXPECT_EQ(node.config.at("epsilon"), other->config.at("epsilon")) << node.name;
      EXPECT_EQ(node.config.at("momentum"), other->config.at("momentum")) << node.name;
    }
    if (node.className == "ZeroPadding2D") {
      EXPECT_EQ(node.config.at("padding"), other->config.at("padding")) << node.name;
    }
  }
  EXPECT_EQ(zooOrder, fixtureOrder);
}

TEST(ZooFamilies, NamesAliasesAndPreprocessing) {
  for (const char* name : {"resnet101", "resnet152", "resnet50v2", "resnet101v2", "resnet152v2",
                           "densenet121", "densenet169", "densenet201", "mobilenetv2"})
    EXPECT_TRUE(zoo::isArchitecture(name)) << name;
  EXPECT_EQ(zoo::canonicalArchitecture("mobilenet_v2"), "mobilenetv2");
  EXPECT_EQ(zoo::canonicalArchitecture("resnet152_v2"), "resnet152v2");
  EXPECT_EQ(zoo::canonicalArchitecture("inceptionv3"), "inception_v3");
  EXPECT_EQ(zoo::canonicalArchitecture("inception_v3"), "inception_v3");
  EXPECT_FALSE(zoo::isArchitecture("resnet18"));
  EXPECT_EQ(zoo::canonicalArchitecture("resnet18"), "resnet18");
  auto o = zooOptions("mobilenet_v2", false);
  EXPECT_EQ(zoo::buildGraph(o).nodes(), zoo::buildGraph(zooOptions("mobilenetv2", false)).nodes());
  ModelSpec spec;
  spec.source = "ResNet50_V2";
  EXPECT_EQ(zooOptionsOf(spec)->architecture, "resnet50v2");

  EXPECT_EQ(zoo::preprocessingFor("resnet152"), Preprocessing::Caffe);
  EXPECT_EQ(zoo::preprocessingFor("resnet50v2"), Preprocessing::Tf);
  EXPECT_EQ(zoo::preprocessingFor("densenet169"), Preprocessing::Torch);
  EXPECT_EQ(zoo::preprocessingFor("mobilenet_v2"), Preprocessing::Tf);
  EXPECT_EQ(zoo::familyOf("resnet101v2"), "ResNetV2");
  EXPECT_EQ(zoo::familyOf("densenet201"), "DenseNet");
  for (const char* name : {"resnet101", "resnet50v2", "densenet121", "mobilenetv2"}) {
    EXPECT_EQ(zoo::defaultInputSize(name), 224);
    EXPECT_EQ(zoo::minimumInputSize(name), 32);
  }
}

// The builders' own options reach the model through a spec (as the CLI, pipelines and the start
// page give them) and are refused, naming the option, for an architecture Keras builds without
// them: include_preprocessing for MobileNetV3, EfficientNetV2 and ConvNeXt; minimalistic and
// dropout_rate for MobileNetV3 only.
TEST(ZooFamilies, BuilderOptionsThroughASpecAndTheirRefusals) {
  auto options = [](const std::string& source, std::optional<bool> preprocessing) {
    ModelSpec spec;
    spec.source = source;
    spec.includePreprocessing = preprocessing;
    return zooOptionsOf(spec);
  };
  for (const char* name :
       {"mobilenetv3small", "efficientnetv2b0", "efficientnet_v2_s", "convnexttiny"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(zoo::hasPreprocessingOption(name));
    EXPECT_FALSE(zoo::preprocessingOptionHelp(name).empty());
    EXPECT_FALSE(options(name, false)->includePreprocessing);
    EXPECT_TRUE(options(name, std::nullopt)->includePreprocessing);
  }
  // Without its Normalization layer ConvNeXt has one layer fewer and reads torch's range.
  const auto plain = *options("convnexttiny", false);
  EXPECT_EQ(zoo::buildGraph(plain).nodes().size() + 1,
            zoo::buildGraph(*options("convnexttiny", std::nullopt)).nodes().size());
  EXPECT_EQ(zoo::preprocessingFor(plain), Preprocessing::Torch);
  for (const char* name : {"resnet50", "efficientnetb0", "mobilenetv2", "nasnetmobile"}) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(zoo::hasPreprocessingOption(name));
    try {
      options(name, false);
      ADD_FAILURE() << "include_preprocessing accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("include_preprocessing"), std::string::npos);
    }
  }
  ModelSpec spec;
  spec.source = "efficientnetv2b0";
  spec.minimalistic = true;
  try {
    zooOptionsOf(spec);
    ADD_FAILURE() << "minimalistic accepted for EfficientNetV2";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("minimalistic"), std::string::npos);
  }
}

TEST(ZooFamilies, SmallestInputsGiveOnePixelMapsAndPoolingIsNamedAsInKeras) {
  struct Case {
    std::string architecture, last, avg, max;
    int64_t channels;
  };
  const std::vector<Case> cases = {
      {"resnet152", "conv5_block3_out", "avg_pool", "max_pool", 2048},
      {"resnet101v2", "post_relu", "avg_pool", "max_pool", 2048},
      {"densenet121", "relu", "avg_pool", "max_pool", 1024},
      {"densenet201", "relu", "avg_pool", "max_pool", 1920},
      {"mobilenetv2", "out_relu", "global_average_pooling2d", "global_max_pooling2d", 1280},
  };
  for (const auto& c : cases) {
    auto o = zooOptions(c.architecture, false);
    o.inputSize = 32;
    const Graph g = zoo::buildGraph(o);
    EXPECT_EQ(g.outputs(), std::vector<std::string>{c.last}) << c.architecture;
    EXPECT_EQ(g.nodes().back().name, c.last) << c.architecture;
    EXPECT_EQ(shapeOf(g, c.last), (Shape{kUnknown, 1, 1, c.channels})) << c.architecture;
    o.inputSize = 31;
    EXPECT_THROW(zoo::buildGraph(o), Error) << c.architecture;
    o.inputSize.reset();
    o.pooling = "avg";
    EXPECT_EQ(zoo::buildGraph(o).outputs(), std::vector<std::string>{c.avg}) << c.architecture;
    o.pooling = "max";
    const Graph pooled = zoo::buildGraph(o);
    EXPECT_EQ(pooled.outputs(), std::vector<std::string>{c.max}) << c.architecture;
    EXPECT_EQ(shapeOf(pooled, c.max), (Shape{kUnknown, c.channels})) << c.architecture;
  }
}

TEST(ZooFamilies, MobileNetV2PadsByTheMapSizeAsCorrectPadDoes) {
  auto o = zooOptions("mobilenetv2", false);
  o.inputSize = 67;  // Conv1 34 (even), block_1 17 (odd), block_3 9, block_6 5, block_13 3
  const Graph g = zoo::buildGraph(o);
  const Json even = {{0, 1}, {0, 1}};
  const Json odd = {{1, 1}, {1, 1}};
  EXPECT_EQ(g.at("block_1_pad").config.at("padding"), even);
  EXPECT_EQ(g.at("block_3_pad").config.at("padding"), odd);
  EXPECT_EQ(g.at("block_13_pad").config.at("padding"), odd);
  EXPECT_EQ(shapeOf(g, "out_relu"), (Shape{kUnknown, 3, 3, 1280}));
  o.inputSize.reset();  // unknown size: correct_pad's (1, 1) adjustment
  EXPECT_EQ(zoo::buildGraph(o).at("block_3_pad").config.at("padding"), even);
}

TEST(ZooFamilies, ResNetV2AndDenseNetWiring) {
  const Graph v2 = zoo::buildGraph(zooOptions("resnet50v2"));
  // The first block projects the pre-activated input; the last block of a stack strides, its
  // shortcut an auto-named 1x1 max pool of the block's input.
  EXPECT_EQ(v2.at("conv2_block1_0_conv").inputs,
            std::vector<std::string>{"conv2_block1_preact_relu"});
  EXPECT_EQ(v2.at("max_pooling2d").inputs, std::vector<std::string>{"conv2_block2_out"});
  EXPECT_EQ(v2.at("conv2_block3_out").inputs,
            (std::vector<std::string>{"max_pooling2d", "conv2_block3_3_conv"}));
  EXPECT_EQ(v2.at("conv2_block3_2_conv").config.at("strides"), Json({2, 2}));
  EXPECT_FALSE(v2.at("conv2_block3_2_conv").config.at("use_bias").get<bool>());
  EXPECT_TRUE(v2.at("conv2_block3_3_conv").config.at("use_bias").get<bool>());
  EXPECT_EQ(v2.find("max_pooling2d_3"), nullptr);  // conv5 does not stride
  EXPECT_EQ(shapeOf(v2, "post_relu"), (Shape{kUnknown, 7, 7, 2048}));

  const Graph dense = zoo::buildGraph(zooOptions("densenet121"));
  EXPECT_EQ(dense.at("conv2_block1_concat").inputs,
            (std::vector<std::string>{"pool1", "conv2_block1_2_conv"}));
  EXPECT_EQ(shapeOf(dense, "conv2_block6_concat"), (Shape{kUnknown, 56, 56, 256}));
  EXPECT_EQ(shapeOf(dense, "pool2_pool"), (Shape{kUnknown, 28, 28, 128}));
  EXPECT_EQ(shapeOf(dense, "pool4_conv"), (Shape{kUnknown, 14, 14, 512}));
  EXPECT_EQ(dense.at("conv1_conv").inputs, std::vector<std::string>{"zero_padding2d"});
  EXPECT_EQ(dense.at("pool1").inputs, std::vector<std::string>{"zero_padding2d_1"});
}

TEST(ZooFamilies, PublishedFilesUnderKerasNamesAddressesAndHashes) {
  auto name = [](const std::string& architecture, bool top, double alpha = 1.0,
                 std::optional<int64_t> size = std::nullopt) {
    auto o = zooOptions(architecture, top);
    o.alpha = alpha;
    o.inputSize = size;
    return zoo::standardWeightsFileName(o);
  };
  EXPECT_EQ(name("resnet101", true), "resnet101_weights_tf_dim_ordering_tf_kernels.h5");
  EXPECT_EQ(name("resnet152v2", false), "resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5");
  EXPECT_EQ(name("densenet169", false), "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5");
  EXPECT_EQ(name("mobilenetv2", true),
            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5");
  EXPECT_EQ(name("mobilenet_v2", false, 0.35, 96),
            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5");
  EXPECT_EQ(name("mobilenetv2", true, 0.5, 100),  // no file at 100: Keras loads the 224 one
            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224.h5");
  EXPECT_EQ(name("mobilenetv2", true, 0.6), "");

  auto o = zooOptions("resnet50v2", false);
  const auto v2 = *fetch::publishedWeights(o);
  EXPECT_EQ(fetch::downloadUrl(v2, ""),
            "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
            "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5");
  EXPECT_EQ(v2.hash, "fac2f116257151a9d068a22e544a4917");  // resnet.py WEIGHTS_HASHES
  o = zooOptions("densenet201");
  EXPECT_EQ(fetch::publishedWeights(o)->hash, "1ceb130c1ea1b78c3bf6114dbdfd8807");
  o = zooOptions("mobilenet_v2");
  o.alpha = 1.3;
  o.inputSize = 224;
  const auto mobile = *fetch::publishedWeights(o);
  EXPECT_EQ(fetch::downloadUrl(mobile, ""),
            "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_224.h5");
  EXPECT_TRUE(mobile.hash.empty());  // mobilenet_v2.py's get_file has no hash

  int mobilenetV2Files = 0;
  for (const auto& variant : fetch::publishedVariants())
    mobilenetV2Files += variant.architecture == "mobilenetv2";
  EXPECT_EQ(mobilenetV2Files, 6 * 5 * 2);  // 6 alphas, 5 sizes, with and without the top
}

TEST(ZooFamilies, WeightsOnlyFilesAreRecognisedPerVariant) {
  test::TempDir dir;
  struct Case {
    std::string architecture;
    bool top;
    double alpha;
  };
  const std::vector<Case> cases = {
      {"resnet101", true, 1.0},    {"resnet152", false, 1.0},   {"resnet50v2", true, 1.0},
      {"resnet101v2", false, 1.0}, {"resnet152v2", true, 1.0},  {"densenet121", false, 1.0},
      {"densenet169", true, 1.0},  {"densenet201", false, 1.0}, {"mobilenetv2", true, 0.35},
      {"mobilenetv2", false, 0.5}, {"mobilenetv2", true, 0.75}, {"mobilenetv2", false, 1.0},
      {"mobilenetv2", true, 1.3},  {"mobilenetv2", false, 1.4},
  };
  for (const auto& c : cases) {
    auto o = zooOptions(c.architecture, c.top);
    o.alpha = c.alpha;
    const std::string path = writeLayers(zoo::buildGraph(o), dir, "w.h5");
    const auto r = recognizeZooWeights(KerasH5Reader(path));
    ASSERT_TRUE(r) << c.architecture;
    EXPECT_EQ(r->options.architecture, c.architecture);
    EXPECT_DOUBLE_EQ(r->options.alpha, c.alpha) << c.architecture;
    EXPECT_EQ(r->options.includeTop, c.top) << c.architecture;
    if (c.top) {
      EXPECT_EQ(r->options.classes, 1000) << c.architecture;
    }
  }
}

TEST(ZooFamilies, PublishedFilesWithKerasApplicationsNamesAreRecognised) {
  // Keras's published DenseNet and MobileNetV2 files were written by keras-applications:
  // conv1/conv, conv1/bn and the classifier fc1000; MobileNetV2's classifier Logits. The file
  // name gives MobileNetV2's input size.
  test::TempDir dir;
  const auto dense = recognizeZooWeights(KerasH5Reader(writeLayers(
      zoo::buildGraph(zooOptions("densenet169")), dir, "densenet169.h5",
      {{"conv1_conv", "conv1/conv"}, {"conv1_bn", "conv1/bn"}, {"predictions", "fc1000"}})));
  ASSERT_TRUE(dense);
  EXPECT_EQ(dense->options.architecture, "densenet169");
  EXPECT_TRUE(dense->options.includeTop);
  EXPECT_EQ(dense->options.classes, 1000);

  auto o = zooOptions("mobilenetv2");
  o.alpha = 0.75;
  const auto mobile = recognizeZooWeights(KerasH5Reader(writeLayers(
      zoo::buildGraph(o), dir, "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.75_160.h5",
      {{"predictions", "Logits"}})));
  ASSERT_TRUE(mobile);
  EXPECT_EQ(mobile->options.architecture, "mobilenetv2");
  EXPECT_DOUBLE_EQ(mobile->options.alpha, 0.75);
  EXPECT_EQ(mobile->options.inputSize, 160);
  EXPECT_TRUE(mobile->options.includeTop);
}

TEST(ZooFamilies, UserModelsBuiltOnTheFamiliesNameTheirFamily) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"resnet101", "ResNet101/ResNet152"},
      {"resnet50v2", "ResNetV2"},
      {"densenet121", "DenseNet"},
      {"mobilenetv2", "MobileNetV2"},
      {"resnet50", "ResNet50"}};
  for (const auto& [architecture, family] : cases) {
    auto o = zooOptions(architecture, false);
    if (architecture == "resnet50") o.resnetNaming = "tf.keras";
    const auto found = zoo::familyOfLayers(zoo::buildGraph(o));
    ASSERT_TRUE(found) << architecture;
    EXPECT_EQ(found->family, family);
    EXPECT_EQ(found->preprocessing, zoo::preprocessingFor(architecture)) << architecture;
  }
}

// Keras's published DenseNet and MobileNetV2 files name a few layers as keras-applications did;
// the zoo's loader finds them under those names (Keras itself loads the files by order).
TEST(ZooFamilies, PublishedFilesLoadTheirOlderLayerNames) {
  const Graph graph = zoo::buildGraph(zooOptions("densenet121"));
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  auto layer = [&](const std::string& name, const std::string& fileName, float offset) {
    test::LayerToWrite l{fileName, {}};
    for (const auto& w : analysis.nodes.at(name).weights)
      l.weights.push_back({w.name, test::ramp(w.shape, offset)});
    return l;
  };
  test::TempDir dir;
  const std::string path = dir.file("densenet121_weights_tf_dim_ordering_tf_kernels.h5");
  test::writeKerasWeights(
      path,
      {layer("conv1_conv", "conv1/conv", 1), layer("conv1_bn", "conv1/bn", 2),
       layer("conv2_block1_0_bn", "conv2_block1_0_bn", 3), layer("predictions", "fc1000", 4)});
  WeightStore store;
  const auto report = loadKerasWeights(KerasH5Reader(path), graph, analysis, store,
                                       {true, zoo::publishedFileNames("densenet121")});
  EXPECT_EQ(report.rule, MatchRule::ByName);
  EXPECT_EQ(std::set<std::string>(report.loaded.begin(), report.loaded.end()),
            (std::set<std::string>{"conv1_conv", "conv1_bn", "conv2_block1_0_bn", "predictions"}));
  EXPECT_TRUE(report.unused.empty());
  EXPECT_FLOAT_EQ((*store.find("predictions")->at(0).data)[0], 0.004f);
  EXPECT_FLOAT_EQ((*store.find("conv1_conv")->at(0).data)[0], 0.001f);
  EXPECT_EQ(zoo::publishedFileNames("mobilenet_v2").at("predictions"), "Logits");
  EXPECT_TRUE(zoo::publishedFileNames("resnet50v2").empty());
}

}  // namespace
}  // namespace graft
