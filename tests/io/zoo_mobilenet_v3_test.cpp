// MobileNetV3Small and MobileNetV3Large in the zoo (#20), as keras/src/applications/
// mobilenet_v3.py builds them in Keras 3: parameter totals, alpha / minimalistic /
// include_preprocessing / dropout_rate, Keras 3's layers and auto names for hard-swish and the
// squeeze-and-excitation's hard-sigmoid, correct_pad for 3x3 and 5x5 kernels, the published
// files with their per-variant hashes, recognition of weights-only files in Keras 3's and the
// published files' (tf.keras 2) names, and loading under the published names.
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
using test::totalOf;
using test::writeLayers;
using test::zooOptions;

zoo::ZooOptions v3(const std::string& architecture, double alpha, bool minimalistic,
                   bool top = true) {
  auto o = zooOptions(architecture, top);
  o.alpha = alpha;
  o.minimalistic = minimalistic;
  return o;
}

TEST(ZooMobileNetV3, TotalParametersEqualKeras) {
  struct Case {
    std::string architecture;
    double alpha;
    bool minimalistic;
    int64_t withTop;
    int64_t lastConv, lastPoint;  // conv_1's and conv_2's filters: the top is conv_2 + logits
  };
  // With the top at alpha 1: Keras's model.summary() (5,507,432 and 2,554,968, the ~5.5M and
  // ~2.55M Keras documents). The other variants: make_reference.py's own port of
  // mobilenet_v3.py (tests/runtime/reference), written apart from the C++ builder.
  const std::vector<Case> cases = {
      {"mobilenetv3large", 1.0, false, 5507432, 960, 1280},
      {"mobilenetv3large", 0.75, false, 4012616, 720, 1280},
      {"mobilenetv3large", 1.0, true, 3948688, 960, 1280},
      {"mobilenetv3large", 0.75, true, 3069400, 720, 1280},
      {"mobilenetv3small", 1.0, false, 2554968, 576, 1024},
      {"mobilenetv3small", 0.75, false, 2051552, 432, 1024},
      {"mobilenetv3small", 1.0, true, 2056848, 576, 1024},
      {"mobilenetv3small", 0.75, true, 1742192, 432, 1024},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.architecture + " alpha " + std::to_string(c.alpha) +
                 (c.minimalistic ? " minimalistic" : ""));
    EXPECT_EQ(totalOf(v3(c.architecture, c.alpha, c.minimalistic)), c.withTop);
    // Without the top: less conv_2 (1x1, biased) and logits (1x1 to 1000 classes, biased).
    const int64_t top = c.lastConv * c.lastPoint + c.lastPoint + c.lastPoint * 1000 + 1000;
    EXPECT_EQ(totalOf(v3(c.architecture, c.alpha, c.minimalistic, false)), c.withTop - top);
    // The Rescaling and the Dropout hold no weights.
    auto plain = v3(c.architecture, c.alpha, c.minimalistic);
    plain.includePreprocessing = false;
    plain.dropoutRate = 0;
    EXPECT_EQ(totalOf(plain), c.withTop);
  }
}

TEST(ZooMobileNetV3, NamesSizesAndPreprocessing) {
  EXPECT_EQ(zoo::canonicalArchitecture("mobilenet_v3_small"), "mobilenetv3small");
  EXPECT_EQ(zoo::canonicalArchitecture("mobilenet_v3_large"), "mobilenetv3large");
  EXPECT_EQ(zoo::familyOf("mobilenetv3large"), "MobileNetV3");
  EXPECT_TRUE(zoo::hasAlpha("mobilenet_v3_small"));
  EXPECT_EQ(zoo::defaultInputSize("mobilenetv3small"), 224);
  EXPECT_EQ(zoo::minimumInputSize("mobilenetv3large"), 32);
  // The Rescaling layer reads 0..255; without it the model expects -1..1.
  auto o = zooOptions("mobilenet_v3_large");
  EXPECT_EQ(zoo::preprocessingFor(o), Preprocessing::None);
  o.includePreprocessing = false;
  EXPECT_EQ(zoo::preprocessingFor(o), Preprocessing::Tf);
  EXPECT_EQ(zoo::buildGraph(o).at("conv").inputs, std::vector<std::string>{"input_1"});

  const Graph g = zoo::buildGraph(zooOptions("mobilenetv3large"));
  EXPECT_EQ(g.name(), "MobileNetV3Large");
  EXPECT_EQ(g.at("rescaling").inputs, std::vector<std::string>{"input_1"});
  EXPECT_DOUBLE_EQ(g.at("rescaling").config.at("scale").get<double>(), 1.0 / 127.5);
  EXPECT_DOUBLE_EQ(g.at("rescaling").config.at("offset").get<double>(), -1.0);
  // Keras leaves the size open without input_shape, with the top too.
  EXPECT_EQ(shapeOf(g, "input_1"), (Shape{kUnknown, kUnknown, kUnknown, 3}));
  EXPECT_EQ(shapeOf(g, "predictions"), (Shape{kUnknown, 1000}));
  EXPECT_EQ(g.outputs(), std::vector<std::string>{"predictions"});

  auto sized = zooOptions("mobilenetv3small", false);
  sized.inputSize = 32;
  const Graph smallest = zoo::buildGraph(sized);
  EXPECT_EQ(smallest.outputs(), std::vector<std::string>{"activation_17"});
  EXPECT_EQ(shapeOf(smallest, "activation_17"), (Shape{kUnknown, 1, 1, 576}));
  sized.inputSize = 31;
  EXPECT_THROW(zoo::buildGraph(sized), Error);
  sized.inputSize.reset();
  sized.pooling = "avg";
  EXPECT_EQ(zoo::buildGraph(sized).outputs(), std::vector<std::string>{"avg_pool"});
  sized.pooling = "max";
  EXPECT_EQ(shapeOf(zoo::buildGraph(sized), "max_pool"), (Shape{kUnknown, 576}));
  auto bad = zooOptions("mobilenetv3small");
  bad.dropoutRate = 1.0;
  EXPECT_THROW(zoo::buildGraph(bad), Error);
}

TEST(ZooMobileNetV3, TopIsConvolutionsOnAKeptDimsAverage) {
  const Graph g = zoo::buildGraph(zooOptions("mobilenetv3large"));
  EXPECT_TRUE(g.at("global_average_pooling2d").config.at("keepdims").get<bool>());
  EXPECT_EQ(g.at("conv_2").inputs, std::vector<std::string>{"global_average_pooling2d"});
  EXPECT_EQ(g.at("dropout").inputs, std::vector<std::string>{"activation_20"});
  EXPECT_DOUBLE_EQ(g.at("dropout").config.at("rate").get<double>(), 0.2);
  EXPECT_EQ(g.at("logits").inputs, std::vector<std::string>{"dropout"});
  EXPECT_EQ(g.at("flatten").inputs, std::vector<std::string>{"logits"});
  EXPECT_EQ(g.at("predictions").className, "Activation");
  EXPECT_EQ(g.at("predictions").config.at("activation"), "softmax");

  auto o = zooOptions("mobilenetv3large");
  o.dropoutRate = 0;  // Keras adds the Dropout only for a positive rate
  const Graph plain = zoo::buildGraph(o);
  EXPECT_EQ(plain.find("dropout"), nullptr);
  EXPECT_EQ(plain.at("logits").inputs, std::vector<std::string>{"activation_20"});
  o.alpha = 1.5;  // above 1 the last point widens: _depth(1280 * 1.5)
  const Graph wide = zoo::buildGraph(o);
  EXPECT_EQ(wide.at("conv_2").config.at("filters"), 1920);
  EXPECT_EQ(wide.at("conv").config.at("filters"), 16);  // the stem never scales
  EXPECT_EQ(zoo::buildGraph(v3("mobilenetv3small", 1.0, true)).at("conv_2").config.at("filters"),
            1024);
}

TEST(ZooMobileNetV3, ActivationsAreKeras3sLayersAndOperations) {
  const Graph g = zoo::buildGraph(zooOptions("mobilenetv3large", false));
  // hard_swish: an unnamed Activation, serialized by Keras 3 as hard_silu.
  EXPECT_EQ(g.at("activation").inputs, std::vector<std::string>{"conv_bn"});
  EXPECT_EQ(g.at("activation").config.at("activation"), "hard_silu");
  // relu: an unnamed ReLU (block 0 of Large has no expansion).
  EXPECT_EQ(g.at("re_lu").inputs, std::vector<std::string>{"expanded_conv_depthwise_bn"});
  EXPECT_EQ(g.at("re_lu").className, "ReLU");
  // Block 3's squeeze-and-excitation: hard_sigmoid is ReLU(6.)(x + 3.) * (1. / 6.), the ReLU
  // made (and named) before Keras 3's add operation.
  EXPECT_EQ(g.at("expanded_conv_3_squeeze_excite_avg_pool").inputs,
            std::vector<std::string>{"re_lu_6"});
  EXPECT_EQ(g.at("expanded_conv_3_squeeze_excite_conv").config.at("filters"), 24);  // 72 / 4
  const Node& add = g.at("add");
  EXPECT_EQ(add.className, "TFOpLambda");
  EXPECT_EQ(add.config.at("function"), "math.add");
  EXPECT_EQ(add.config.at("operands"), Json({nullptr, 3.0}));
  EXPECT_EQ(add.inputs, std::vector<std::string>{"expanded_conv_3_squeeze_excite_conv_1"});
  EXPECT_EQ(g.at("re_lu_7").inputs, std::vector<std::string>{"add"});
  EXPECT_DOUBLE_EQ(g.at("re_lu_7").config.at("max_value").get<double>(), 6.0);
  const Node& multiply = g.at("multiply");
  EXPECT_EQ(multiply.config.at("function"), "math.multiply");
  EXPECT_DOUBLE_EQ(multiply.config.at("operands")[1].get<double>(), 1.0 / 6.0);
  EXPECT_EQ(multiply.inputs, std::vector<std::string>{"re_lu_7"});
  const Node& excite = g.at("expanded_conv_3_squeeze_excite_mul");
  EXPECT_EQ(excite.className, "Multiply");
  EXPECT_EQ(excite.inputs, (std::vector<std::string>{"re_lu_6", "multiply"}));
  EXPECT_EQ(shapeOf(g, "multiply"), (Shape{kUnknown, 1, 1, 72}));
  // Eight squeeze-and-excitation blocks: add .. add_7; none when minimalistic.
  EXPECT_NE(g.find("multiply_7"), nullptr);
  EXPECT_EQ(g.find("multiply_8"), nullptr);
  const Graph minimal = zoo::buildGraph(v3("mobilenetv3large", 1.0, true, false));
  EXPECT_EQ(minimal.find("add"), nullptr);
  EXPECT_EQ(minimal.find("activation"), nullptr);
  EXPECT_EQ(minimal.at("expanded_conv_3_depthwise").config.at("kernel_size"), Json({3, 3}));
  EXPECT_EQ(g.at("expanded_conv_3_depthwise").config.at("kernel_size"), Json({5, 5}));
}

TEST(ZooMobileNetV3, StridedBlocksPadAsCorrectPadDoesForTheirKernel) {
  auto o = zooOptions("mobilenetv3large", false);
  o.inputSize = 224;  // block 1 at 112, 3 (5x5) at 56, 6 at 28, 12 (5x5) at 14: all even
  const Graph even = zoo::buildGraph(o);
  EXPECT_EQ(even.at("expanded_conv_1_depthwise_pad").config.at("padding"), Json({{0, 1}, {0, 1}}));
  EXPECT_EQ(even.at("expanded_conv_3_depthwise_pad").config.at("padding"), Json({{1, 2}, {1, 2}}));
  EXPECT_EQ(shapeOf(even, "expanded_conv_14_add"), (Shape{kUnknown, 7, 7, 160}));
  o.inputSize = 67;  // 34 (even), 17, 9, 5 (odd)
  const Graph odd = zoo::buildGraph(o);
  EXPECT_EQ(odd.at("expanded_conv_1_depthwise_pad").config.at("padding"), Json({{0, 1}, {0, 1}}));
  EXPECT_EQ(odd.at("expanded_conv_3_depthwise_pad").config.at("padding"), Json({{2, 2}, {2, 2}}));
  EXPECT_EQ(odd.at("expanded_conv_6_depthwise_pad").config.at("padding"), Json({{1, 1}, {1, 1}}));
  EXPECT_EQ(odd.at("expanded_conv_12_depthwise_pad").config.at("padding"), Json({{2, 2}, {2, 2}}));
  EXPECT_EQ(shapeOf(odd, "expanded_conv_14_add"), (Shape{kUnknown, 3, 3, 160}));
  o.inputSize.reset();  // unknown: correct_pad's (1, 1) adjustment
  EXPECT_EQ(zoo::buildGraph(o).at("expanded_conv_3_depthwise_pad").config.at("padding"),
            Json({{1, 2}, {1, 2}}));
  // Small's block 0 strides itself (expanded_conv_depthwise_pad).
  EXPECT_NE(zoo::buildGraph(zooOptions("mobilenetv3small")).find("expanded_conv_depthwise_pad"),
            nullptr);
}

TEST(ZooMobileNetV3, PublishedFilesUnderKerasNamesAndHashes) {
  auto name = [](const zoo::ZooOptions& o) { return zoo::standardWeightsFileName(o); };
  EXPECT_EQ(name(v3("mobilenetv3large", 1.0, false)),
            "weights_mobilenet_v3_large_224_1.0_float.h5");
  EXPECT_EQ(name(v3("mobilenet_v3_small", 0.75, false, false)),
            "weights_mobilenet_v3_small_224_0.75_float_no_top_v2.h5");
  EXPECT_EQ(name(v3("mobilenetv3small", 1.0, true, false)),
            "weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5");
  EXPECT_EQ(name(v3("mobilenetv3large", 0.75, true)), "");  // minimalistic: 1.0 only
  EXPECT_EQ(name(v3("mobilenetv3large", 0.5, false)), "");
  auto sized = v3("mobilenetv3large", 1.0, false);
  sized.inputSize = 160;  // Keras loads the 224 weights at any size
  EXPECT_EQ(name(sized), "weights_mobilenet_v3_large_224_1.0_float.h5");

  // mobilenet_v3.py's WEIGHTS_HASHES, per variant.
  const auto large = *fetch::publishedWeights(v3("mobilenetv3large", 0.75, false, false));
  EXPECT_EQ(fetch::downloadUrl(large, ""),
            "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
            "weights_mobilenet_v3_large_224_0.75_float_no_top_v2.h5");
  EXPECT_EQ(large.hash, "40af19a13ebea4e2ee0c676887f69a2e");
  EXPECT_EQ(fetch::publishedWeights(v3("mobilenetv3large", 1.0, true))->hash,
            "675e7b876c45c57e9e63e6d90a36599c");
  EXPECT_EQ(fetch::publishedWeights(v3("mobilenetv3small", 1.0, false))->hash,
            "8768d4c2e7dee89b9d02b2d03d65d862");
  EXPECT_EQ(fetch::publishedWeights(v3("mobilenetv3small", 1.0, true, false))->hash,
            "cde8136e733e811080d9fcd8a252f7e4");
  std::set<std::string> files;
  for (const auto& variant : fetch::publishedVariants())
    if (zoo::familyOf(variant.architecture) == "MobileNetV3")
      files.insert(fetch::publishedWeights(variant)->fileName);
  EXPECT_EQ(files.size(), 12u);  // six models, with and without the top
}

TEST(ZooMobileNetV3, WeightsOnlyFilesAreRecognisedPerVariantInBothNamings) {
  test::TempDir dir;
  for (const char* architecture : {"mobilenetv3small", "mobilenetv3large"})
    for (bool minimalistic : {false, true})
      for (double alpha : {0.75, 1.0})
        for (bool published : {false, true}) {
          const bool top = alpha == 1.0;
          SCOPED_TRACE(std::string(architecture) + " alpha " + std::to_string(alpha) +
                       (minimalistic ? " minimalistic" : "") +
                       (published ? ", tf.keras names" : ", Keras 3 names"));
          const auto o = v3(architecture, alpha, minimalistic, top);
          const auto r = recognizeZooWeights(
              KerasH5Reader(writeLayers(zoo::buildGraph(o), dir, "w.h5",
                                        published ? zoo::publishedFileNames(architecture)
                                                  : std::map<std::string, std::string>{})));
          ASSERT_TRUE(r);
          EXPECT_EQ(r->options.architecture, architecture);
          EXPECT_DOUBLE_EQ(r->options.alpha, alpha);
          EXPECT_EQ(r->options.minimalistic, minimalistic);
          EXPECT_EQ(r->options.includeTop, top);
          if (top) {
            EXPECT_EQ(r->options.classes, 1000);
          }
        }
  // MobileNetV2 (expanded_conv_depthwise_BN, Conv1) stays MobileNetV2.
  const auto v2 = recognizeZooWeights(
      KerasH5Reader(writeLayers(zoo::buildGraph(zooOptions("mobilenetv2")), dir)));
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->options.architecture, "mobilenetv2");
}

// Keras's published files were written by tf.keras 2, whose MobileNetV3 layers had slashes in
// their names (Conv/BatchNorm, expanded_conv_3/squeeze_excite/Conv_1, Logits); the zoo's loader
// finds each layer under that name.
TEST(ZooMobileNetV3, PublishedFilesLoadUnderTheirTfKerasNames) {
  const Graph graph = zoo::buildGraph(zooOptions("mobilenetv3small"));
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  const auto older = zoo::publishedFileNames("mobilenet_v3_small");
  EXPECT_EQ(older.at("conv_bn"), "Conv/BatchNorm");
  EXPECT_EQ(older.at("expanded_conv_squeeze_excite_conv"), "expanded_conv/squeeze_excite/Conv");
  EXPECT_EQ(older.at("expanded_conv_10_project_bn"), "expanded_conv_10/project/BatchNorm");
  EXPECT_EQ(older.at("logits"), "Logits");
  std::vector<test::LayerToWrite> layers;
  float offset = 0;
  for (const auto& node : graph.nodes()) {
    const auto& weights = analysis.nodes.at(node.name).weights;
    if (weights.empty()) continue;
    test::LayerToWrite l{older.at(node.name), {}};
    offset += 1;
    for (const auto& w : weights) l.weights.push_back({w.name, test::ramp(w.shape, offset)});
    layers.push_back(l);
  }
  test::TempDir dir;
  const std::string path = dir.file("weights_mobilenet_v3_small_224_1.0_float.h5");
  test::writeKerasWeights(path, layers);
  WeightStore store;
  const auto report = loadKerasWeights(KerasH5Reader(path), graph, analysis, store, {false, older});
  EXPECT_EQ(report.rule, MatchRule::ByName);
  EXPECT_EQ(report.loaded.size(), layers.size());
  EXPECT_TRUE(report.unused.empty());
  EXPECT_TRUE(report.missing.empty());
  // conv (the first layer with weights) got the first layer's ramp, logits the last one's.
  EXPECT_FLOAT_EQ((*store.find("conv")->at(0).data)[0], 0.001f);
  EXPECT_FLOAT_EQ((*store.find("logits")->at(0).data)[0], 0.001f * offset);
}

TEST(ZooMobileNetV3, UserModelsBuiltOnItNameTheFamily) {
  auto o = zooOptions("mobilenetv3large", false);
  o.includePreprocessing = false;
  const auto found = zoo::familyOfLayers(zoo::buildGraph(o));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->family, "MobileNetV3");
  EXPECT_EQ(found->preprocessing, Preprocessing::Tf);
  EXPECT_EQ(zoo::familyOfLayers(zoo::buildGraph(zooOptions("mobilenetv2")))->family, "MobileNetV2");
}

}  // namespace
}  // namespace graft
