// InceptionResNetV2 in the zoo (#20), as keras/src/applications/inception_resnet_v2.py builds
// it in Keras 3: the parameter totals of Keras's model.summary(), names and sizes, the residual
// scaling (CustomScaleLayer) and Keras 3's auto names, the published files and the recognition
// of weights-only files in both namings.
#include <gtest/gtest.h>

#include <functional>

#include "graph/analysis.h"
#include "io/fetch/weights_catalogue.h"
#include "io/keras_h5_reader.h"
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

TEST(ZooInceptionResNetV2, TotalParametersEqualKeras) {
  // With the top: the table (Keras's model.summary()); without it the same less the
  // classifier Dense on conv_7b's 1536 features (1536 * 1000 + 1000).
  EXPECT_EQ(analyzeOrThrow(zoo::buildGraph(zooOptions("inceptionresnetv2"))).totalParams, 55873736);
  EXPECT_EQ(analyzeOrThrow(zoo::buildGraph(zooOptions("inception_resnet_v2", false))).totalParams,
            55873736 - 1537000);
}

TEST(ZooInceptionResNetV2, NamesSizesAndPreprocessing) {
  EXPECT_TRUE(zoo::isArchitecture("inceptionresnetv2"));
  EXPECT_EQ(zoo::canonicalArchitecture("inception_resnet_v2"), "inceptionresnetv2");
  EXPECT_EQ(zoo::familyOf("inception_resnet_v2"), "InceptionResNetV2");
  EXPECT_EQ(zoo::preprocessingFor("inceptionresnetv2"), Preprocessing::Tf);
  EXPECT_EQ(zoo::defaultInputSize("inceptionresnetv2"), 299);
  EXPECT_EQ(zoo::minimumInputSize("inceptionresnetv2"), 75);

  const Graph g = zoo::buildGraph(zooOptions("inceptionresnetv2"));
  EXPECT_EQ(g.name(), "inception_resnet_v2");
  EXPECT_EQ(shapeOf(g, "mixed_5b"), (Shape{kUnknown, 35, 35, 320}));
  EXPECT_EQ(shapeOf(g, "mixed_6a"), (Shape{kUnknown, 17, 17, 1088}));
  EXPECT_EQ(shapeOf(g, "mixed_7a"), (Shape{kUnknown, 8, 8, 2080}));
  EXPECT_EQ(shapeOf(g, "conv_7b_ac"), (Shape{kUnknown, 8, 8, 1536}));
  EXPECT_EQ(g.outputs(), std::vector<std::string>{"predictions"});
  EXPECT_EQ(g.nodes().size(), 782u);  // Keras's model.layers, the input included
  EXPECT_EQ(g.at("predictions").inputs, std::vector<std::string>{"avg_pool"});

  auto o = zooOptions("inceptionresnetv2", false);
  o.inputSize = 75;  // Keras's minimum: one pixel after mixed_7a
  const Graph smallest = zoo::buildGraph(o);
  EXPECT_EQ(smallest.outputs(), std::vector<std::string>{"conv_7b_ac"});
  EXPECT_EQ(shapeOf(smallest, "conv_7b_ac"), (Shape{kUnknown, 1, 1, 1536}));
  o.inputSize = 74;
  EXPECT_THROW(zoo::buildGraph(o), Error);
  o.inputSize.reset();
  o.pooling = "avg";
  EXPECT_EQ(zoo::buildGraph(o).outputs(), std::vector<std::string>{"global_average_pooling2d"});
  o.pooling = "max";
  const Graph pooled = zoo::buildGraph(o);
  EXPECT_EQ(pooled.outputs(), std::vector<std::string>{"global_max_pooling2d"});
  EXPECT_EQ(shapeOf(pooled, "global_max_pooling2d"), (Shape{kUnknown, 1536}));
}

TEST(ZooInceptionResNetV2, BlocksAddTheScaledBranchesUnderKeras3Names) {
  const Graph g = zoo::buildGraph(zooOptions("inceptionresnetv2", false));
  // Keras 3 auto names, in creation order: the stem's first conv2d_bn is conv2d,
  // batch_normalization, activation; 203 conv2d_bn layers are unnamed.
  EXPECT_EQ(g.nodes().at(1).name, "conv2d");
  EXPECT_EQ(g.at("conv2d").inputs, std::vector<std::string>{"input_1"});
  EXPECT_EQ(g.at("activation").inputs, std::vector<std::string>{"batch_normalization"});
  EXPECT_NE(g.find("conv2d_202"), nullptr);
  EXPECT_EQ(g.find("conv2d_203"), nullptr);
  EXPECT_EQ(g.find("activation_203"), nullptr);
  EXPECT_FALSE(g.at("batch_normalization_202").config.at("scale").get<bool>());
  EXPECT_EQ(g.at("max_pooling2d_3").inputs, std::vector<std::string>{"block17_20_ac"});

  // x + scale * branch, the branch projected back by a biased 1x1 conv without BN.
  const Node& first = g.at("custom_scale_layer");
  EXPECT_EQ(first.className, "CustomScaleLayer");
  EXPECT_EQ(first.inputs, (std::vector<std::string>{"mixed_5b", "block35_1_conv"}));
  EXPECT_DOUBLE_EQ(first.config.at("scale").get<double>(), 0.17);
  EXPECT_EQ(g.at("block35_1_ac").inputs, std::vector<std::string>{"custom_scale_layer"});
  EXPECT_EQ(g.at("block35_1_conv").inputs, std::vector<std::string>{"block35_1_mixed"});
  EXPECT_TRUE(g.at("block35_1_conv").config.at("use_bias").get<bool>());
  EXPECT_EQ(g.at("block35_1_conv").config.at("filters"), 320);
  EXPECT_EQ(g.at("block17_1_conv").config.at("filters"), 1088);
  EXPECT_EQ(g.at("block8_1_conv").config.at("filters"), 2080);
  EXPECT_EQ(g.at("block17_1_mixed").inputs.size(), 2u);
  EXPECT_EQ(g.at("conv2d_78").config.at("kernel_size"), Json({1, 7}));  // block17_1 branch_1
  EXPECT_DOUBLE_EQ(g.at("custom_scale_layer_10").config.at("scale").get<double>(), 0.1);
  EXPECT_EQ(g.at("custom_scale_layer_10").inputs,
            (std::vector<std::string>{"mixed_6a", "block17_1_conv"}));
  EXPECT_DOUBLE_EQ(g.at("custom_scale_layer_30").config.at("scale").get<double>(), 0.2);
  // block8_10: scale 1 and no activation; conv_7b reads the sum itself.
  EXPECT_DOUBLE_EQ(g.at("custom_scale_layer_39").config.at("scale").get<double>(), 1.0);
  EXPECT_EQ(g.find("custom_scale_layer_40"), nullptr);
  EXPECT_EQ(g.find("block8_10_ac"), nullptr);
  EXPECT_NE(g.find("block8_9_ac"), nullptr);
  EXPECT_EQ(g.at("conv_7b").inputs, std::vector<std::string>{"custom_scale_layer_39"});
  EXPECT_FALSE(g.at("conv_7b_bn").config.at("scale").get<bool>());
}

TEST(ZooInceptionResNetV2, PublishedFilesUnderKerasNamesAndHashes) {
  EXPECT_EQ(zoo::standardWeightsFileName(zooOptions("inception_resnet_v2")),
            "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5");
  const auto noTop = *fetch::publishedWeights(zooOptions("inceptionresnetv2", false));
  EXPECT_EQ(fetch::downloadUrl(noTop, ""),
            "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
            "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5");
  EXPECT_EQ(noTop.hash, "d19885ff4a710c122648d3b5c3b684e4");  // inception_resnet_v2.py
  EXPECT_EQ(fetch::publishedWeights(zooOptions("inceptionresnetv2"))->hash,
            "e693bd0210a403b3192acc6073ad2e96");
  auto other = zooOptions("inceptionresnetv2");
  other.classes = 10;
  EXPECT_FALSE(fetch::publishedWeights(other));
  int files = 0;
  for (const auto& variant : fetch::publishedVariants())
    files += variant.architecture == "inceptionresnetv2";
  EXPECT_EQ(files, 2);
}

// keras-applications (which wrote Keras's published files) counted auto names from 1:
// conv2d_1 for today's conv2d, conv2d_2 for conv2d_1, ...
std::string kerasApplicationsName(const std::string& name) {
  for (const std::string base : {"conv2d", "batch_normalization"}) {
    if (name == base) return base + "_1";
    if (name.rfind(base + "_", 0) == 0 &&
        name.find_first_not_of("0123456789", base.size() + 1) == std::string::npos)
      return base + "_" + std::to_string(std::stoi(name.substr(base.size() + 1)) + 1);
  }
  return name;
}

TEST(ZooInceptionResNetV2, WeightsOnlyFilesAreRecognisedInBothNamings) {
  test::TempDir dir;
  const auto same = [](const std::string& name) { return name; };
  EXPECT_EQ(kerasApplicationsName("conv2d_9"), "conv2d_10");
  EXPECT_EQ(kerasApplicationsName("block35_1_conv"), "block35_1_conv");
  for (bool keras3 : {true, false})
    for (bool top : {true, false}) {
      SCOPED_TRACE(std::string(keras3 ? "Keras 3" : "keras-applications") +
                   (top ? ", top" : ", no top"));
      auto o = zooOptions("inceptionresnetv2", top);
      if (!top) o.pooling = "avg";
      const auto r = recognizeZooWeights(KerasH5Reader(writeLayers(
          zoo::buildGraph(o), dir, "w.h5",
          keras3 ? std::function<std::string(const std::string&)>(same) : kerasApplicationsName)));
      ASSERT_TRUE(r);
      EXPECT_EQ(r->options.architecture, "inceptionresnetv2");
      EXPECT_EQ(r->options.includeTop, top);
      if (top) {
        EXPECT_EQ(r->options.classes, 1000);
      }
    }
}

TEST(ZooInceptionResNetV2, UserModelsBuiltOnItNameTheFamily) {
  const auto found = zoo::familyOfLayers(zoo::buildGraph(zooOptions("inceptionresnetv2", false)));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->family, "InceptionResNetV2");
  EXPECT_EQ(found->preprocessing, Preprocessing::Tf);
  // InceptionV3's own signature still wins for InceptionV3.
  EXPECT_EQ(zoo::familyOfLayers(zoo::buildGraph(zooOptions("inception_v3")))->family,
            "InceptionV3");
}

}  // namespace
}  // namespace graft
