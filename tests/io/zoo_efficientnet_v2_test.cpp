// EfficientNetV2B0 .. B3, S, M and L in the zoo (#20), as keras/src/applications/
// efficientnet_v2.py builds them in Keras 3: parameter totals, input sizes, include_preprocessing
// (B0 .. B3: Rescaling and a Normalization with constants; S, M, L: Rescaling to -1..1), the
// Fused-MBConv and MBConv blocks' names and wiring, the published files under Keras's names and
// hashes, and recognition of weights-only files per variant.
#include <gtest/gtest.h>

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

const std::vector<std::string> kVariants = {"b0", "b1", "b2", "b3", "s", "m", "l"};

TEST(ZooEfficientNetV2, TotalParametersEqualKeras) {
  struct Case {
    std::string architecture;
    int64_t withTop;  // Keras's model.summary() total
    int64_t topConv;  // round_filters(1280): the top is the Dense from it to 1000 classes
    int64_t defaultSize;
  };
  // Keras's totals (its applications table: 7.2M ... 119.0M), which make_reference.py's own
  // port of efficientnet_v2.py counts exactly.
  const std::vector<Case> cases = {
      {"efficientnetv2b0", 7200312, 1280, 224},  {"efficientnetv2b1", 8212124, 1280, 240},
      {"efficientnetv2b2", 10178374, 1408, 260}, {"efficientnetv2b3", 14467622, 1536, 300},
      {"efficientnetv2s", 21612360, 1280, 384},  {"efficientnetv2m", 54431388, 1280, 480},
      {"efficientnetv2l", 119027848, 1280, 480},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.architecture);
    EXPECT_EQ(totalOf(zooOptions(c.architecture)), c.withTop);
    EXPECT_EQ(totalOf(zooOptions(c.architecture, false)), c.withTop - (c.topConv * 1000 + 1000));
    // The preprocessing layers hold no weights (the Normalization's statistics are constants).
    auto plain = zooOptions(c.architecture);
    plain.includePreprocessing = false;
    EXPECT_EQ(totalOf(plain), c.withTop);
    EXPECT_EQ(zoo::defaultInputSize(c.architecture), c.defaultSize);
    EXPECT_EQ(zoo::minimumInputSize(c.architecture), 32);
  }
}

TEST(ZooEfficientNetV2, NamesSizesAndPreprocessing) {
  for (const auto& v : kVariants) {
    EXPECT_EQ(zoo::canonicalArchitecture("efficientnet_v2_" + v), "efficientnetv2" + v);
    EXPECT_EQ(zoo::familyOf("efficientnetv2" + v), "EfficientNetV2");
  }
  // B0 .. B3: Rescaling(1/255) and ImageNet's mean and variance as constants.
  const Graph b0 = zoo::buildGraph(zooOptions("efficientnetv2b0"));
  EXPECT_EQ(b0.name(), "efficientnetv2-b0");
  EXPECT_EQ(shapeOf(b0, "input_1"), (Shape{kUnknown, 224, 224, 3}));
  EXPECT_DOUBLE_EQ(b0.at("rescaling").config.at("scale").get<double>(), 1.0 / 255);
  const Json& norm = b0.at("normalization").config;
  EXPECT_EQ(norm.at("mean"), Json({0.485, 0.456, 0.406}));
  EXPECT_DOUBLE_EQ(norm.at("variance")[1].get<double>(), 0.224 * 0.224);
  EXPECT_EQ(b0.at("stem_conv").inputs, std::vector<std::string>{"normalization"});
  // S, M, L: Rescaling(1/128, offset -1).
  const Graph s = zoo::buildGraph(zooOptions("efficientnetv2s"));
  EXPECT_EQ(s.name(), "efficientnetv2-s");
  EXPECT_DOUBLE_EQ(s.at("rescaling").config.at("scale").get<double>(), 1.0 / 128);
  EXPECT_DOUBLE_EQ(s.at("rescaling").config.at("offset").get<double>(), -1.0);
  EXPECT_EQ(s.find("normalization"), nullptr);
  EXPECT_EQ(s.at("stem_conv").inputs, std::vector<std::string>{"rescaling"});
  // The model reads pixels 0..255; without its preprocessing layers B0 .. B3 want torch's
  // normalization, S .. L about -1..1 (x / 128 - 1, which 'tf' approximates).
  auto o = zooOptions("efficientnetv2b2");
  EXPECT_EQ(zoo::preprocessingFor(o), Preprocessing::None);
  o.includePreprocessing = false;
  EXPECT_EQ(zoo::preprocessingFor(o), Preprocessing::Torch);
  EXPECT_EQ(zoo::buildGraph(o).at("stem_conv").inputs, std::vector<std::string>{"input_1"});
  auto l = zooOptions("efficientnetv2l");
  l.includePreprocessing = false;
  EXPECT_EQ(zoo::preprocessingFor(l), Preprocessing::Tf);

  auto open = zooOptions("efficientnetv2m", false);
  EXPECT_EQ(shapeOf(zoo::buildGraph(open), "top_activation"),
            (Shape{kUnknown, kUnknown, kUnknown, 1280}));
  open.pooling = "max";
  open.inputSize = 32;
  EXPECT_EQ(shapeOf(zoo::buildGraph(open), "max_pool"), (Shape{kUnknown, 1280}));
  open.inputSize = 31;
  EXPECT_THROW(zoo::buildGraph(open), Error);
}

TEST(ZooEfficientNetV2, FusedAndDepthwiseBlocksAsKerasNamesThem) {
  auto o = zooOptions("efficientnetv2s");
  o.inputSize = 33;  // 'same' padding: ceil(n / 2) at every stride 2, no ZeroPadding2D
  const Graph g = zoo::buildGraph(o);
  EXPECT_EQ(g.at("stem_conv").config.at("padding"), "same");
  EXPECT_EQ(shapeOf(g, "stem_conv"), (Shape{kUnknown, 17, 17, 24}));
  // Stage 1: Fused-MBConv without expansion: a 3x3 project_conv with its own activation, and
  // the residual (24 -> 24); block1a's stochastic depth rate is 0, so no Dropout.
  EXPECT_EQ(g.find("block1a_expand_conv"), nullptr);
  EXPECT_EQ(g.at("block1a_project_conv").config.at("kernel_size"), Json({3, 3}));
  EXPECT_EQ(g.at("block1a_project_activation").inputs,
            std::vector<std::string>{"block1a_project_bn"});
  EXPECT_EQ(g.find("block1a_drop"), nullptr);
  EXPECT_EQ(g.at("block1a_add").inputs,
            (std::vector<std::string>{"block1a_project_activation", "stem_activation"}));
  // Stage 2: the 3x3 expansion takes the stride; the projection is 1x1.
  EXPECT_EQ(g.at("block2a_expand_conv").config.at("strides"), Json({2, 2}));
  EXPECT_EQ(g.at("block2a_expand_conv").config.at("filters"), 96);
  EXPECT_EQ(g.at("block2a_project_conv").config.at("kernel_size"), Json({1, 1}));
  EXPECT_EQ(g.find("block2a_project_activation"), nullptr);
  // Stage 4: MBConv with dwconv2 and squeeze-and-excitation (filters_in * 0.25).
  EXPECT_EQ(g.at("block4b_dwconv2").config.at("padding"), "same");
  EXPECT_EQ(g.at("block4b_se_reduce").config.at("filters"), 32);
  EXPECT_EQ(g.at("block4b_se_reshape").config.at("target_shape"), Json({1, 1, 512}));
  EXPECT_EQ(g.at("block4b_se_excite").inputs,
            (std::vector<std::string>{"block4b_activation", "block4b_se_expand"}));
  EXPECT_DOUBLE_EQ(g.at("block4b_bn").config.at("momentum").get<double>(), 0.9);
  // Stochastic depth: 0.2 * b / 40 (S has 2 + 4 + 4 + 6 + 9 + 15 blocks); block1b is b = 1.
  EXPECT_DOUBLE_EQ(g.at("block1b_drop").config.at("rate").get<double>(), 0.2 / 40);
  EXPECT_EQ(g.at("block1b_drop").config.at("noise_shape"), Json({nullptr, 1, 1, 1}));
  EXPECT_NE(g.find("block6o_add"), nullptr);
  EXPECT_EQ(g.find("block6p_dwconv2"), nullptr);
  EXPECT_EQ(g.at("top_dropout").config.at("rate"), 0.2);
}

TEST(ZooEfficientNetV2, PublishedFilesUnderKerasNamesAndHashes) {
  EXPECT_EQ(zoo::standardWeightsFileName(zooOptions("efficientnetv2b0")), "efficientnetv2-b0.h5");
  EXPECT_EQ(zoo::standardWeightsFileName(zooOptions("efficientnet_v2_l", false)),
            "efficientnetv2-l_notop.h5");
  // efficientnet_v2.py's BASE_WEIGHTS_PATH and WEIGHTS_HASHES.
  const auto s = *fetch::publishedWeights(zooOptions("efficientnetv2s"));
  EXPECT_EQ(fetch::downloadUrl(s, ""),
            "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
            "efficientnetv2-s.h5");
  EXPECT_EQ(s.hash, "e1d88a8495beba45748fedd0cecbe016");
  EXPECT_EQ(fetch::publishedWeights(zooOptions("efficientnetv2b3", false))->hash,
            "f6abf7b5849ac99a89b50dd3fd532856");
  EXPECT_EQ(fetch::publishedWeights(zooOptions("efficientnetv2l"))->hash,
            "27e6d408b53c7ebc868fefa357689935");
  std::set<std::string> files;
  for (const auto& variant : fetch::publishedVariants())
    if (zoo::familyOf(variant.architecture) == "EfficientNetV2")
      files.insert(fetch::publishedWeights(variant)->fileName);
  EXPECT_EQ(files.size(), 14u);  // seven models, with and without the top
}

TEST(ZooEfficientNetV2, WeightsOnlyFilesAreRecognisedPerVariant) {
  test::TempDir dir;
  for (size_t i = 0; i < kVariants.size(); ++i) {
    const std::string architecture = "efficientnetv2" + kVariants[i];
    const bool top = i % 2 == 1;
    SCOPED_TRACE(architecture + (top ? " with the top" : " without"));
    auto o = zooOptions(architecture, top);
    o.inputSize = 32;
    const auto r = recognizeZooWeights(KerasH5Reader(writeLayers(zoo::buildGraph(o), dir)));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->options.architecture, architecture);
    EXPECT_EQ(r->options.includeTop, top);
  }
  // EfficientNet (V1) stays V1.
  auto v1 = zooOptions("efficientnetb0", false);
  v1.inputSize = 32;
  EXPECT_EQ(recognizeZooWeights(KerasH5Reader(writeLayers(zoo::buildGraph(v1), dir)))
                ->options.architecture,
            "efficientnetb0");
}

TEST(ZooEfficientNetV2, UserModelsBuiltOnItNameTheFamily) {
  auto o = zooOptions("efficientnetv2b1", false);
  o.includePreprocessing = false;
  const auto found = zoo::familyOfLayers(zoo::buildGraph(o));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->family, "EfficientNetV2");
  EXPECT_EQ(zoo::familyOfLayers(zoo::buildGraph(zooOptions("efficientnetb0", false)))->family,
            "EfficientNet");
}

}  // namespace
}  // namespace graft
