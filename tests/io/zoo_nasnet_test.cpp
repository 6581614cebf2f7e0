// NASNetMobile and NASNetLarge in the zoo (#20), as keras/src/applications/nasnet.py builds them
// in Keras 3: parameter totals, the fixed input size, cells and Keras 3's auto names, the
// published files (cache names differ from the address's), recognition and the family.
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

using test::totalOf;
using test::zooOptions;

// Keras's model.summary() totals with the top (the 5,326,716 and 88,949,818). Without
// the top less predictions: penultimate_filters x 1000 + 1000 (1056 and 4032 channels).
TEST(ZooNASNet, TotalParametersEqualKeras) {
  EXPECT_EQ(totalOf(zooOptions("nasnetmobile")), 5326716);
  EXPECT_EQ(totalOf(zooOptions("nasnet_large")), 88949818);
  EXPECT_EQ(totalOf(zooOptions("nasnetmobile", false)), 5326716 - (1056 * 1000 + 1000));
  EXPECT_EQ(totalOf(zooOptions("nasnetlarge", false)), 88949818 - (4032 * 1000 + 1000));
}

TEST(ZooNASNet, NamesSizesAndCells) {
  EXPECT_EQ(zoo::canonicalArchitecture("nasnet_mobile"), "nasnetmobile");
  EXPECT_EQ(zoo::familyOf("nasnetlarge"), "NASNet");
  EXPECT_EQ(zoo::preprocessingFor("nasnetmobile"), Preprocessing::Tf);
  EXPECT_EQ(zoo::defaultInputSize("nasnetlarge"), 331);
  // Without the top and a size, Keras still fixes the input (adjust_block compares sizes).
  const Graph mobile = zoo::buildGraph(zooOptions("nasnetmobile", false));
  const GraphAnalysis a = analyzeOrThrow(mobile);
  EXPECT_EQ(mobile.name(), "nasnet_mobile");
  EXPECT_EQ(a.nodes.at("input_1").outputShape, (Shape{kUnknown, 224, 224, 3}));
  EXPECT_EQ(a.nodes.at("normal_concat_11").outputShape, (Shape{kUnknown, 7, 7, 1056}));
  EXPECT_EQ(analyzeOrThrow(zoo::buildGraph(zooOptions("nasnetlarge", false)))
                .nodes.at("normal_concat_17")
                .outputShape,
            (Shape{kUnknown, 11, 11, 4032}));
  // adjust_block's reduction branch (the stem's first reduction makes p half as wide) under
  // Keras 3's auto names, and its projection branch (same width, other channels).
  EXPECT_EQ(mobile.at("adjust_relu_1_stem_2").inputs, std::vector<std::string>{"stem_bn1"});
  EXPECT_EQ(mobile.at("cropping2d").inputs, std::vector<std::string>{"zero_padding2d"});
  EXPECT_EQ(mobile.at("concatenate").inputs,
            (std::vector<std::string>{"adjust_conv_1_stem_2", "adjust_conv_2_stem_2"}));
  EXPECT_EQ(mobile.find("adjust_conv_projection_0"), nullptr);  // cell 0: p is wider
  EXPECT_NE(mobile.find("adjust_conv_projection_1"), nullptr);
  // correct_pad at the 111-pixel map: ((1, 2), (1, 2)) for a 5x5, ((2, 3), (2, 3)) for a 7x7.
  EXPECT_EQ(mobile.at("separable_conv_1_pad_reduction_left1_stem_1").config.at("padding"),
            Json({{2, 2}, {2, 2}}));
  EXPECT_EQ(mobile.at("separable_conv_1_pad_reduction_right1_stem_1").config.at("padding"),
            Json({{3, 3}, {3, 3}}));
  // Reduction block 4's unnamed add and the last relu.
  EXPECT_EQ(mobile.at("add").inputs,
            (std::vector<std::string>{"reduction_add_2_stem_1", "reduction_left4_stem_1"}));
  EXPECT_EQ(mobile.at(mobile.outputs()[0]).className, "Activation");
}

TEST(ZooNASNet, PublishedFilesUnderKerasNamesAndHashes) {
  const auto mobile = *fetch::publishedWeights(zooOptions("nasnetmobile"));
  EXPECT_EQ(mobile.fileName, "nasnet_mobile.h5");
  EXPECT_EQ(fetch::downloadUrl(mobile, ""),
            "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/NASNet-mobile.h5");
  EXPECT_EQ(mobile.hash, "020fb642bf7360b370c678b08e0adf61");
  const auto large = *fetch::publishedWeights(zooOptions("nasnetlarge", false));
  EXPECT_EQ(large.fileName, "nasnet_large_no_top.h5");
  EXPECT_EQ(large.relativePath, "nasnet/NASNet-large-no-top.h5");
  EXPECT_EQ(large.hash, "d81d89dc07e6e56530c4e77faddd61b5");
}

TEST(ZooNASNet, WeightsOnlyFilesAreRecognisedAndNameTheFamily) {
  test::TempDir dir;
  for (const std::string architecture : {"nasnetmobile", "nasnetlarge"})
    for (bool top : {true, false}) {
      SCOPED_TRACE(architecture + (top ? ", top" : ", no top"));
      auto o = zooOptions(architecture, top);
      o.inputSize = 32;
      const Graph g = zoo::buildGraph(o);
      const auto analysis = analyzeOrThrow(g);
      std::vector<test::LayerToWrite> layers;
      for (const auto& node : g.nodes()) {
        const auto& weights = analysis.nodes.at(node.name).weights;
        if (!weights.empty())
          layers.push_back(
              {node.name, {{weights[0].name, test::ramp({weights[0].shape.back()}, 0)}}});
      }
      test::writeKerasWeights(dir.file("w.h5"), layers);
      const auto r = recognizeZooWeights(KerasH5Reader(dir.file("w.h5")));
      ASSERT_TRUE(r);
      EXPECT_EQ(r->options.architecture, architecture);
      EXPECT_EQ(r->options.includeTop, top);
      const auto family = zoo::familyOfLayers(g);
      ASSERT_TRUE(family);
      EXPECT_EQ(family->family, "NASNet");
    }
}

}  // namespace
}  // namespace graft
