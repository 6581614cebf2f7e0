// EfficientNetB0 .. B7 in the zoo (#20), as keras/src/applications/efficientnet.py builds them in
// Keras 3: parameter totals, input sizes, the stem's preprocessing layers, the blocks' names and
// wiring (squeeze-and-excitation, stochastic depth), the published files under Keras's names
// and hashes, and recognition of weights-only files per variant.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "graph/analysis.h"
#include "io/fetch/weights_catalogue.h"
#include "io/keras_h5_reader.h"
#include "io/recognize.h"
#include "io/zoo/layer_family.h"
#include "io/zoo/zoo.h"
#include "keras_file_writer.h"
#include "support/test_support.h"
#include "zoo_test_support.h"

namespace graft {
namespace {

using test::shapeOf;
using test::totalOf;
using test::writeLayers;
using test::zooOptions;

TEST(ZooEfficientNet, TotalParametersEqualKeras) {
  struct Case {
    std::string architecture;
    int64_t withTop;  // Keras's model.summary() total
    int64_t topConv;  // round_filters(1280): the top is the Dense from it to 1000 classes
    int64_t defaultSize;
  };
  // tf.keras's published totals (the Normalization's mean, variance and count included), which
  // make_reference.py's own port of efficientnet.py counts the same.
  const std::vector<Case> cases = {
      {"efficientnetb0", 5330571, 1280, 224},  {"efficientnetb1", 7856239, 1280, 240},
      {"efficientnetb2", 9177569, 1408, 260},  {"efficientnetb3", 12320535, 1536, 300},
      {"efficientnetb4", 19466823, 1792, 380}, {"efficientnetb5", 30562527, 2048, 456},
      {"efficientnetb6", 43265143, 2304, 528}, {"efficientnetb7", 66658687, 2560, 600},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.architecture);
    EXPECT_EQ(totalOf(zooOptions(c.architecture)), c.withTop);
    EXPECT_EQ(totalOf(zooOptions(c.architecture, false)), c.withTop - (c.topConv * 1000 + 1000));
    EXPECT_EQ(zoo::defaultInputSize(c.architecture), c.defaultSize);
    EXPECT_EQ(zoo::minimumInputSize(c.architecture), 32);
    EXPECT_EQ(shapeOf(zoo::buildGraph(zooOptions(c.architecture)), "input_1"),
              (Shape{kUnknown, c.defaultSize, c.defaultSize, 3}));
  }
  // Normalization's statistics are not trainable: 2 * 3 + 1 of them, plus the BatchNorm
  // moving statistics.
  const GraphAnalysis b0 = analyzeOrThrow(zoo::buildGraph(zooOptions("efficientnetb0")));
  EXPECT_EQ(b0.nodes.at("normalization").params, 7);
  EXPECT_EQ(b0.trainableParams, 5288548);  // Keras's "Trainable params: 5,288,548"
}

TEST(ZooEfficientNet, NamesSizesAndPreprocessing) {
  for (int b = 0; b <= 7; ++b) {
    const std::string n = std::to_string(b);
    EXPECT_EQ(zoo::canonicalArchitecture("efficientnet_b" + n), "efficientnetb" + n);
    EXPECT_EQ(zoo::familyOf("efficientnetb" + n), "EfficientNet");
    EXPECT_FALSE(zoo::hasAlpha("efficientnetb" + n));
  }
  // The model reads pixels 0..255 itself.
  EXPECT_EQ(zoo::preprocessingFor(zooOptions("efficientnetb0")), Preprocessing::None);

  const Graph g = zoo::buildGraph(zooOptions("efficientnetb0"));
  EXPECT_EQ(g.name(), "efficientnetb0");
  EXPECT_EQ(g.at("rescaling").inputs, std::vector<std::string>{"input_1"});
  EXPECT_DOUBLE_EQ(g.at("rescaling").config.at("scale").get<double>(), 1.0 / 255.0);
  EXPECT_EQ(g.at("normalization").inputs, std::vector<std::string>{"rescaling"});
  EXPECT_EQ(g.at("normalization").config.at("axis"), Json::array({3}));
  // The variance correction for the ImageNet weights: one factor per colour.
  const Json& scale = g.at("rescaling_1").config.at("scale");
  ASSERT_EQ(scale.size(), 3u);
  EXPECT_DOUBLE_EQ(scale[0].get<double>(), 1.0 / std::sqrt(0.229));
  EXPECT_DOUBLE_EQ(scale[2].get<double>(), 1.0 / std::sqrt(0.225));
  EXPECT_EQ(g.at("stem_conv_pad").inputs, std::vector<std::string>{"rescaling_1"});
  EXPECT_EQ(g.outputs(), std::vector<std::string>{"predictions"});
  EXPECT_EQ(g.at("predictions").config.at("activation"), "softmax");
  EXPECT_EQ(g.at("top_dropout").config.at("rate"), 0.2);
  EXPECT_EQ(zoo::buildGraph(zooOptions("efficientnetb7")).at("top_dropout").config.at("rate"), 0.5);

  // Without the top the size is open; pooling as Keras names it.
  auto o = zooOptions("efficientnetb1", false);
  EXPECT_EQ(shapeOf(zoo::buildGraph(o), "top_activation"),
            (Shape{kUnknown, kUnknown, kUnknown, 1280}));
  o.pooling = "avg";
  EXPECT_EQ(zoo::buildGraph(o).outputs(), std::vector<std::string>{"avg_pool"});
  o.pooling = "max";
  o.inputSize = 32;
  EXPECT_EQ(shapeOf(zoo::buildGraph(o), "max_pool"), (Shape{kUnknown, 1280}));
  o.inputSize = 31;
  EXPECT_THROW(zoo::buildGraph(o), Error);
  auto classes = zooOptions("efficientnetb2");
  classes.classes = 7;
  classes.inputSize = 64;
  EXPECT_EQ(shapeOf(zoo::buildGraph(classes), "predictions"), (Shape{kUnknown, 7}));
}

TEST(ZooEfficientNet, BlocksAsKerasNamesAndWiresThem) {
  auto o = zooOptions("efficientnetb0");
  o.inputSize = 33;  // odd: correct_pad pads (1, 1) where an even map gets (0, 1)
  const Graph g = zoo::buildGraph(o);
  EXPECT_EQ(g.at("stem_conv_pad").config.at("padding"), Json({{1, 1}, {1, 1}}));
  EXPECT_EQ(shapeOf(g, "stem_conv"), (Shape{kUnknown, 17, 17, 32}));
  // block1a: no expansion (expand_ratio 1), no residual (32 -> 16 filters).
  EXPECT_EQ(g.find("block1a_expand_conv"), nullptr);
  EXPECT_EQ(g.at("block1a_dwconv").inputs, std::vector<std::string>{"stem_activation"});
  EXPECT_EQ(g.find("block1a_add"), nullptr);
  // Squeeze-and-excitation: filters_in * 0.25 (not the expanded width), swish then sigmoid.
  EXPECT_EQ(g.at("block2b_se_reshape").config.at("target_shape"), Json({1, 1, 144}));
  EXPECT_EQ(g.at("block2b_se_reduce").config.at("filters"), 6);
  EXPECT_EQ(g.at("block2b_se_reduce").config.at("activation"), "silu");
  EXPECT_EQ(g.at("block2b_se_expand").config.at("activation"), "sigmoid");
  EXPECT_EQ(g.at("block2b_se_excite").inputs,
            (std::vector<std::string>{"block2b_activation", "block2b_se_expand"}));
  // A stride 2 block pads for its own kernel (5x5 in stage 3) on the map it gets (9 px: odd).
  EXPECT_EQ(g.at("block3a_dwconv_pad").config.at("padding"), Json({{2, 2}, {2, 2}}));
  EXPECT_EQ(g.at("block3a_dwconv").config.at("padding"), "valid");
  EXPECT_EQ(g.at("block2a_dwconv_pad").config.at("padding"), Json({{1, 1}, {1, 1}}));
  // Stochastic depth: drop_connect_rate 0.2 * b / 16 before the residual add.
  EXPECT_EQ(g.at("block2b_drop").config.at("noise_shape"), Json({nullptr, 1, 1, 1}));
  EXPECT_DOUBLE_EQ(g.at("block2b_drop").config.at("rate").get<double>(), 0.2 * 2 / 16);
  EXPECT_DOUBLE_EQ(g.at("block7a_project_bn").config.at("epsilon").get<double>(), 1e-3);
  EXPECT_EQ(g.at("block2b_add").inputs,
            (std::vector<std::string>{"block2b_drop", "block2a_project_bn"}));
  EXPECT_EQ(g.find("block2a_add"), nullptr);
  // Depth: B0 has 16 blocks, the last block6d and block7a; B7 (depth 3.1) 55, up to block7d.
  EXPECT_NE(g.find("block6d_add"), nullptr);
  EXPECT_EQ(g.find("block6e_dwconv"), nullptr);
  const Graph b7 = zoo::buildGraph(zooOptions("efficientnetb7", false));
  EXPECT_NE(b7.find("block7d_add"), nullptr);
  EXPECT_NE(b7.find("block6m_add"), nullptr);
  EXPECT_EQ(b7.find("block6n_dwconv"), nullptr);
  EXPECT_EQ(b7.at("stem_conv").config.at("filters"), 64);
  // Keras's model.layers order: the input, the preprocessing layers, the stem.
  std::vector<std::string> first;
  for (size_t i = 0; i < 6; ++i) first.push_back(g.nodes()[i].name);
  EXPECT_EQ(first, (std::vector<std::string>{"input_1", "rescaling", "normalization", "rescaling_1",
                                             "stem_conv_pad", "stem_conv"}));
}

TEST(ZooEfficientNet, PublishedFilesUnderKerasNamesAndHashes) {
  EXPECT_EQ(zoo::standardWeightsFileName(zooOptions("efficientnetb0")), "efficientnetb0.h5");
  auto sized = zooOptions("efficientnet_b5", false);
  sized.inputSize = 128;  // the one file at any size
  EXPECT_EQ(zoo::standardWeightsFileName(sized), "efficientnetb5_notop.h5");
  auto classes = zooOptions("efficientnetb0");
  classes.classes = 10;
  EXPECT_EQ(zoo::standardWeightsFileName(classes), "");

  // efficientnet.py's BASE_WEIGHTS_PATH and WEIGHTS_HASHES.
  const auto b0 = *fetch::publishedWeights(zooOptions("efficientnetb0"));
  EXPECT_EQ(fetch::downloadUrl(b0, ""),
            "https://storage.googleapis.com/keras-applications/efficientnetb0.h5");
  EXPECT_EQ(b0.hash, "902e53a9f72be733fc0bcb005b3ebbac");
  const auto b7 = *fetch::publishedWeights(zooOptions("efficientnetb7", false));
  EXPECT_EQ(fetch::downloadUrl(b7, ""),
            "https://storage.googleapis.com/keras-applications/efficientnetb7_notop.h5");
  EXPECT_EQ(b7.hash, "cbcfe4450ddf6f3ad90b1b398090fe4a");
  EXPECT_EQ(fetch::publishedWeights(zooOptions("efficientnetb3"))->hash,
            "ffd1fdc53d0ce67064dc6a9c7960ede0");
  std::set<std::string> files;
  for (const auto& variant : fetch::publishedVariants())
    if (zoo::familyOf(variant.architecture) == "EfficientNet")
      files.insert(fetch::publishedWeights(variant)->fileName);
  EXPECT_EQ(files.size(), 16u);  // eight models, with and without the top
}

TEST(ZooEfficientNet, WeightsOnlyFilesAreRecognisedPerVariant) {
  test::TempDir dir;
  for (int b = 0; b <= 7; ++b) {
    const std::string architecture = "efficientnetb" + std::to_string(b);
    const bool top = b % 2 == 0;
    SCOPED_TRACE(architecture + (top ? " with the top" : " without"));
    auto o = zooOptions(architecture, top);
    o.inputSize = 32;  // shapes of weights do not depend on it
    const auto r = recognizeZooWeights(KerasH5Reader(writeLayers(zoo::buildGraph(o), dir)));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->options.architecture, architecture);
    EXPECT_EQ(r->options.includeTop, top);
    if (top) {
      EXPECT_EQ(r->options.classes, 1000);
    }
  }
  // MobileNetV2 and V3 stay themselves.
  EXPECT_EQ(recognizeZooWeights(
                KerasH5Reader(writeLayers(zoo::buildGraph(zooOptions("mobilenetv3small")), dir)))
                ->options.architecture,
            "mobilenetv3small");
}

TEST(ZooEfficientNet, UserModelsBuiltOnItNameTheFamily) {
  const auto found = zoo::familyOfLayers(zoo::buildGraph(zooOptions("efficientnetb4", false)));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->family, "EfficientNet");
  EXPECT_EQ(found->preprocessing, Preprocessing::None);
}

}  // namespace
}  // namespace graft
