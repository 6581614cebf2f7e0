// ConvNeXtTiny/Small/Base/Large/XLarge in the zoo (#20), as keras/src/applications/convnext.py
// builds them in Keras 3: parameter totals, names and nested Sequentials, the block's layers
// (grouped 7x7 Conv2D, LayerNormalization, Dense on the map, gelu, LayerScale, the linear
// _identity and Keras 3's add operation), include_preprocessing, the published files with
// Keras's sha256 hashes, recognition of weights-only files per variant and the family of
// models built on it.
#include <gtest/gtest.h>

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

using test::writeLayers;
using test::zooOptions;

struct Variant {
  std::string architecture, alias, kerasName;
  std::array<int64_t, 4> depths, dims;
  int64_t withTop;  // Keras's model.summary() total
};

// convnext.py's MODEL_CONFIGS. The totals, worked out from the architecture (Keras documents
// them rounded: 28.6M, 50.2M, 88.5M, 197.8M, 350.1M):
//   stem:              Conv2D 4x4x3xd0 + d0, LayerNormalization 2 d0
//   block of width d:  depthwise 7x7 (groups d) 49 d + d, LayerNormalization 2 d,
//                      Dense d x 4d + 4d, Dense 4d x d + d, LayerScale d   = 8 d^2 + 58 d
//   downsampling i:    LayerNormalization 2 d(i-1), Conv2D 2x2 x d(i-1) x d(i) + d(i)
//   head:              LayerNormalization 2 d3, Dense d3 x 1000 + 1000 (no top: the last
//                      LayerNormalization's 2 d3 only); the Normalization holds no weights.
// e.g. Tiny: 4,704 + 192 + 3 (8*96^2 + 58*96) + 192 + 73,920 + 3 (8*192^2 + 58*192) + 384 +
// 295,296 + 9 (8*384^2 + 58*384) + 768 + 1,180,416 + 3 (8*768^2 + 58*768) + 1,536 + 769,000
// = 28,589,128.
const std::vector<Variant>& variants() {
  static const std::vector<Variant> all = {
      {"convnexttiny",
       "convnext_tiny",
       "convnext_tiny",
       {3, 3, 9, 3},
       {96, 192, 384, 768},
       28589128},
      {"convnextsmall",
       "convnext_small",
       "convnext_small",
       {3, 3, 27, 3},
       {96, 192, 384, 768},
       50223688},
      {"convnextbase",
       "convnext_base",
       "convnext_base",
       {3, 3, 27, 3},
       {128, 256, 512, 1024},
       88591464},
      {"convnextlarge",
       "convnext_large",
       "convnext_large",
       {3, 3, 27, 3},
       {192, 384, 768, 1536},
       197767336},
      {"convnextxlarge",
       "convnext_xlarge",
       "convnext_xlarge",
       {3, 3, 27, 3},
       {256, 512, 1024, 2048},
       350196968},
  };
  return all;
}

int64_t byFormula(const Variant& v, bool top) {
  const auto& d = v.dims;
  int64_t total = 16 * 3 * d[0] + d[0] + 2 * d[0];
  for (size_t i = 0; i < 4; ++i) {
    if (i) total += 2 * d[i - 1] + 4 * d[i - 1] * d[i] + d[i];
    total += v.depths[i] * (8 * d[i] * d[i] + 58 * d[i]);
  }
  return total + 2 * d[3] + (top ? d[3] * 1000 + 1000 : 0);
}

TEST(ZooConvNeXt, TotalParametersEqualKeras) {
  for (const Variant& v : variants()) {
    SCOPED_TRACE(v.architecture);
    EXPECT_EQ(byFormula(v, true), v.withTop);
    const GraphAnalysis top = analyzeOrThrow(zoo::buildGraph(zooOptions(v.architecture)));
    EXPECT_EQ(top.totalParams, v.withTop);
    EXPECT_EQ(top.trainableParams, v.withTop);  // no BatchNormalization statistics
    auto noTop = zooOptions(v.alias, false);
    noTop.includePreprocessing = false;
    EXPECT_EQ(analyzeOrThrow(zoo::buildGraph(noTop)).totalParams, byFormula(v, false));
  }
}

TEST(ZooConvNeXt, NamesSizesFamilyAndPreprocessing) {
  for (const Variant& v : variants()) {
    SCOPED_TRACE(v.architecture);
    EXPECT_EQ(zoo::canonicalArchitecture(v.alias), v.architecture);
    EXPECT_EQ(zoo::familyOf(v.alias), "ConvNeXt");
    EXPECT_EQ(zoo::defaultInputSize(v.architecture), 224);
    EXPECT_EQ(zoo::minimumInputSize(v.architecture), 32);
    EXPECT_FALSE(zoo::hasAlpha(v.architecture));
    const Graph g = zoo::buildGraph(zooOptions(v.architecture));
    EXPECT_EQ(g.name(), v.kerasName);
    EXPECT_EQ(analyzeOrThrow(g).nodes.at(v.kerasName + "_head_dense").outputShape,
              (Shape{kUnknown, 1000}));
    // The model reads pixels 0..255 through its Normalization; without it, 'torch'.
    EXPECT_EQ(zoo::preprocessingFor(v.architecture), Preprocessing::None);
    auto plain = zooOptions(v.architecture);
    plain.includePreprocessing = false;
    EXPECT_EQ(zoo::preprocessingFor(plain), Preprocessing::Torch);
    EXPECT_EQ(zoo::buildGraph(plain).find(v.kerasName + "_prestem_normalization"), nullptr);
  }
  auto small = zooOptions("convnexttiny");
  small.inputSize = 31;
  EXPECT_THROW(zoo::buildGraph(small), Error);
  // Without the top and a size, the input is open as in Keras.
  const Graph open = zoo::buildGraph(zooOptions("convnexttiny", false));
  EXPECT_EQ(analyzeOrThrow(open).nodes.at("input_1").outputShape,
            (Shape{kUnknown, kUnknown, kUnknown, 3}));
}

TEST(ZooConvNeXt, LayersAreConvNeXtPyLayers) {
  auto o = zooOptions("convnext_tiny");
  o.inputSize = 64;
  const Graph g = zoo::buildGraph(o);
  const GraphAnalysis a = analyzeOrThrow(g);
  const Node& norm = g.at("convnext_tiny_prestem_normalization");
  EXPECT_EQ(norm.className, "Normalization");
  EXPECT_DOUBLE_EQ(norm.config.at("mean")[0].get<double>(), 0.485 * 255);
  EXPECT_DOUBLE_EQ(norm.config.at("variance")[2].get<double>(), (0.225 * 255) * (0.225 * 255));
  EXPECT_EQ(g.at("convnext_tiny_stem_conv").inputs,
            std::vector<std::string>{"convnext_tiny_prestem_normalization"});
  EXPECT_EQ(a.nodes.at("convnext_tiny_stem_conv").outputShape, (Shape{kUnknown, 16, 16, 96}));
  // The stem and downsampling blocks are nested Sequential models.
  EXPECT_EQ(g.at("convnext_tiny_stem_layernorm").group, "convnext_tiny_stem");
  EXPECT_EQ(g.at("convnext_tiny_downsampling_conv_2").group, "convnext_tiny_downsampling_block_2");
  EXPECT_EQ(g.at("convnext_tiny_stage_0_block_0_depthwise_conv").group, "");
  ASSERT_EQ(g.groups().size(), 4u);
  EXPECT_EQ(g.groups()[0].path, "convnext_tiny_stem");
  EXPECT_EQ(g.groups()[0].className, "Sequential");
  // A block: grouped 7x7 conv, LayerNormalization (1e-6), Dense on the map, gelu, Dense,
  // LayerScale, the linear identity, then Keras 3's `inputs + x`.
  const std::string p = "convnext_tiny_stage_1_block_2";
  const Node& dw = g.at(p + "_depthwise_conv");
  EXPECT_EQ(dw.config.at("groups"), 192);
  EXPECT_EQ(dw.config.at("padding"), "same");
  EXPECT_EQ(a.nodes.at(p + "_depthwise_conv").weights[0].shape, (Shape{7, 7, 1, 192}));
  EXPECT_DOUBLE_EQ(g.at(p + "_layernorm").config.at("epsilon").get<double>(), 1e-6);
  EXPECT_EQ(a.nodes.at(p + "_pointwise_conv_1").outputShape, (Shape{kUnknown, 8, 8, 768}));
  EXPECT_EQ(g.at(p + "_gelu").config.at("activation"), "gelu");
  EXPECT_EQ(g.at(p + "_layer_scale").className, "LayerScale");
  EXPECT_EQ(g.at(p + "_layer_scale").config.at("projection_dim"), 192);
  EXPECT_EQ(g.at(p + "_identity").config.at("activation"), "linear");
  // Block 5 overall (stage 1, block 2) is add_5; its inputs are the block's input and x.
  const Node& add = g.at("add_5");
  EXPECT_EQ(add.className, "TFOpLambda");
  EXPECT_EQ(add.inputs, (std::vector<std::string>{"add_4", p + "_identity"}));
  EXPECT_EQ(g.find("add_18"), nullptr);  // 18 blocks: add .. add_17
  EXPECT_NE(g.find("add_17"), nullptr);
  // No StochasticDepth at drop_path_rate 0.
  for (const Node& n : g.nodes()) EXPECT_NE(n.className, "StochasticDepth") << n.name;
  // Without the top: the pooling, then an unnamed LayerNormalization.
  o.includeTop = false;
  o.pooling = "max";
  const Graph noTop = zoo::buildGraph(o);
  EXPECT_EQ(noTop.outputs(), std::vector<std::string>{"layer_normalization"});
  EXPECT_EQ(noTop.at("layer_normalization").inputs,
            std::vector<std::string>{"global_max_pooling2d"});
  o.pooling = "";
  EXPECT_EQ(analyzeOrThrow(zoo::buildGraph(o)).nodes.at("layer_normalization").outputShape,
            (Shape{kUnknown, 2, 2, 768}));
}

TEST(ZooConvNeXt, PublishedFilesUnderKerasNamesAndHashes) {
  EXPECT_EQ(zoo::standardWeightsFileName(zooOptions("convnexttiny")), "convnext_tiny.h5");
  const auto noTop = *fetch::publishedWeights(zooOptions("convnext_xlarge", false));
  EXPECT_EQ(noTop.fileName, "convnext_xlarge_notop.h5");
  EXPECT_EQ(fetch::downloadUrl(noTop, ""),
            "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
            "convnext_xlarge_notop.h5");
  // convnext.py's WEIGHTS_HASHES.
  EXPECT_EQ(noTop.hash, "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05");
  EXPECT_EQ(fetch::publishedWeights(zooOptions("convnextbase"))->hash,
            "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6");
  EXPECT_EQ(fetch::publishedWeights(zooOptions("convnextsmall", false))->hash,
            "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab");
  auto other = zooOptions("convnexttiny");
  other.classes = 10;
  EXPECT_FALSE(fetch::publishedWeights(other));
  int files = 0;
  for (const auto& variant : fetch::publishedVariants())
    files += zoo::familyOf(variant.architecture) == "ConvNeXt";
  EXPECT_EQ(files, 10);
}

TEST(ZooConvNeXt, WeightsOnlyFilesAreRecognisedPerVariant) {
  test::TempDir dir;
  for (const Variant& v : variants()) {
    for (bool top : {true, false}) {
      SCOPED_TRACE(v.architecture + (top ? ", top" : ", no top"));
      auto o = zooOptions(v.architecture, top);
      o.inputSize = 32;
      const auto r = recognizeZooWeights(
          KerasH5Reader(writeLayers(zoo::buildGraph(o), dir, v.architecture + ".h5")));
      ASSERT_TRUE(r);
      EXPECT_EQ(r->options.architecture, v.architecture);
      EXPECT_EQ(r->options.includeTop, top);
      if (top) {
        EXPECT_EQ(r->options.classes, 1000);
      }
      EXPECT_NE(r->evidence.find("ConvNeXt"), std::string::npos) << r->evidence;
    }
  }
}

TEST(ZooConvNeXt, UserModelsBuiltOnItNameTheFamily) {
  auto o = zooOptions("convnext_small", false);
  o.includePreprocessing = false;
  const auto found = zoo::familyOfLayers(zoo::buildGraph(o));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->family, "ConvNeXt");
  EXPECT_EQ(found->preprocessing, Preprocessing::Torch);
}

}  // namespace
}  // namespace graft
