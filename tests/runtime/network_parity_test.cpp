// Whole networks against the numpy reference (tests/runtime/reference/make_reference.py): every
// zoo family at small / odd input sizes with formula weights, and the real Keras fixtures with
// their own weights. Tolerance: 1e-4 of the largest magnitude of each compared tensor.
#include <filesystem>

#include "io/model_source.h"
#include "io/zoo/zoo.h"
#include "network_reference.h"
#include "runtime_test_util.h"
#include "support/test_support.h"

namespace graft::test {
namespace {

::testing::AssertionResult closeToScale(const torch::Tensor& got, const torch::Tensor& want,
                                        double tol) {
  if (got.sizes() != want.sizes())
    return ::testing::AssertionFailure()
           << "shape " << got.sizes() << ", expected " << want.sizes();
  const double scale = std::max(want.abs().max().item<double>(), 1e-12);
  const double err =
      (got.to(torch::kFloat64) - want.to(torch::kFloat64)).abs().max().item<double>();
  if (err <= tol * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max |error| " << err << " > " << tol << " * " << scale;
}

void checkAgainstReference(const Graph& graph, const WeightStore& weights,
                           const NetworkReference& ref) {
  GraphModule module(graph, weights);
  EXPECT_EQ(module.outputName(), ref.doc.at("output").get<std::string>());
  std::vector<torch::Tensor> got = module.forward(ref.input, ref.layers);
  for (size_t i = 0; i < ref.layers.size(); ++i) {
    SCOPED_TRACE(ref.layers[i]);
    EXPECT_TRUE(closeToScale(toKerasLayout(got[i]), ref.expected.at(ref.layers[i]), 1e-4));
  }
  // The plain forward gives the model's output.
  EXPECT_TRUE(closeToScale(toKerasLayout(module.forward(ref.input)),
                           ref.expected.at(ref.doc.at("output").get<std::string>()), 1e-4));
}

zoo::ZooOptions zooOptions(const Json& z) {
  zoo::ZooOptions o;
  o.architecture = z.at("architecture").get<std::string>();
  o.alpha = z.value("alpha", 1.0);
  o.inputSize = z.at("input_size").get<int64_t>();
  o.includeTop = z.value("include_top", true);
  o.classes = z.value("classes", 1000);
  o.pooling = z.value("pooling", "");
  o.minimalistic = z.value("minimalistic", false);
  o.includePreprocessing = z.value("include_preprocessing", true);
  o.dropoutRate = z.value("dropout_rate", 0.2);
  return o;
}

class ZooParity : public ::testing::TestWithParam<std::string> {};

TEST_P(ZooParity, MatchesNumpyReference) {
  const NetworkReference ref = loadNetworkReference(GetParam());
  const Graph graph = zoo::buildGraph(zooOptions(ref.doc.at("zoo")));
  checkAgainstReference(graph, formulaWeights(graph, ref.doc.at("weights").at("formula")), ref);
}

INSTANTIATE_TEST_SUITE_P(Families, ZooParity,
                         ::testing::Values("vgg16_top_65", "vgg19_notop_max_47",
                                           "mobilenet_1_0_top_67", "resnet50_top_197",
                                           "inception_v3_top_79", "xception_top_73"));

// The families without a Keras-written topology fixture: make_reference.py ports Keras's
// Python definitions (resnet.py, resnet_v2.py, densenet.py, mobilenet_v2.py) itself. Odd and
// small sizes: 67 makes MobileNetV2's correct_pad take both forms.
INSTANTIATE_TEST_SUITE_P(PortedFamilies, ZooParity,
                         ::testing::Values("resnet152_top_35", "resnet101v2_notop_avg_41",
                                           "densenet121_top_45", "mobilenetv2_0_35_top_67",
                                           "mobilenetv2_1_3_notop_avg_64"));

// InceptionResNetV2 at Keras's minimum input (75 px: 7x7 blocks35, 3x3 block17, 1x1 block8),
// its residual scaling Keras 3's CustomScaleLayer (inception_resnet_v2.py ported).
INSTANTIATE_TEST_SUITE_P(PortedInceptionResNetV2, ZooParity,
                         ::testing::Values("inceptionresnetv2_top_75"));

// MobileNetV3 (mobilenet_v3.py ported): Large with its Rescaling on pixels 0..255 at 67 px (odd
// and even maps for correct_pad's 3x3 and 5x5 forms), hard-swish, squeeze-and-excitation's
// hard-sigmoid as Keras 3's add / ReLU(6) / multiply and its broadcasting Multiply; Small at
// alpha 0.75 without the Rescaling; Small minimalistic (ReLU, 3x3) with dropout_rate 0.
INSTANTIATE_TEST_SUITE_P(PortedMobileNetV3, ZooParity,
                         ::testing::Values("mobilenetv3large_top_67",
                                           "mobilenetv3small_0_75_notop_avg_63",
                                           "mobilenetv3small_minimalistic_top_48"));

// ConvNeXt (convnext.py ported): Tiny with its Normalization on pixels 0..255 and the top at
// 32 px; Base without preprocessing, top or pooling at 35 px (the last LayerNormalization on the
// map). Grouped 7x7 convs, LayerNormalization, Dense on rank-4 maps, exact gelu, LayerScale and
// Keras 3's add of two tensors.
INSTANTIATE_TEST_SUITE_P(PortedConvNeXt, ZooParity,
                         ::testing::Values("convnexttiny_top_32", "convnextbase_notop_35"));

// NASNet (nasnet.py ported): Mobile with the top at 35 px (correct_pad on odd and even maps),
// Large without the top at 32 px (skip_reduction); adjust_block's reduction (ZeroPadding2D,
// Cropping2D, two strided 1x1 paths concatenated) and projection branches.
INSTANTIATE_TEST_SUITE_P(PortedNASNet, ZooParity,
                         ::testing::Values("nasnetmobile_top_35", "nasnetlarge_notop_avg_32"));
// EfficientNet (efficientnet.py ported) on pixels 0..255: the stem's Rescaling, adapted
// Normalization and per-channel Rescaling, correct_pad at odd and even maps, swish, the
// squeeze-and-excitation's Reshape and broadcasting Multiply, stochastic depth's Dropout
// (identity at inference); B0 with the top at 35 px, B3 (width 1.2, depth 1.4) without it at 42.
INSTANTIATE_TEST_SUITE_P(PortedEfficientNet, ZooParity,
                         ::testing::Values("efficientnetb0_top_35", "efficientnetb3_notop_max_42"));

// EfficientNetV2 (efficientnet_v2.py ported) on pixels 0..255: B1 with the top at 37 px (its
// Normalization with constants, Fused-MBConv without and with expansion, MBConv's dwconv2), S
// without the top at 34 px (Rescaling to -1..1, 40 blocks).
INSTANTIATE_TEST_SUITE_P(PortedEfficientNetV2, ZooParity,
                         ::testing::Values("efficientnetv2b1_top_37",
                                           "efficientnetv2s_notop_avg_34"));

class FixtureParity : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureParity, MatchesNumpyReferenceWithRealWeights) {
  const NetworkReference ref = loadNetworkReference(GetParam());
  GRAFT_REQUIRE_FIXTURE(path, ref.doc.at("fixture").get<std::string>());
  ModelSpec spec;
  spec.source = path;
  const LoadedModel loaded = loadModel(spec);
  checkAgainstReference(loaded.model.graph, loaded.model.weights, ref);
  // The output is a probability vector per image.
  GraphModule module(loaded.model.graph, loaded.model.weights);
  torch::Tensor p = module.forward(ref.input);
  EXPECT_TRUE(allClose(p.sum(1), torch::ones({p.size(0)}), 1e-5));
  EXPECT_TRUE((p >= 0).all().item<bool>());
}

// vww_96, pretrained_resnet_32: Keras 2 full models. k3_mnist_keras: a Keras 3 .keras archive
// (weights named by position, grayscale input). k3_mnist_legacy_h5: Keras 3's legacy .h5.
// teachable_mobilenetv2_224: a Teachable Machine export, MobileNetV2 nested two models deep.
INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureParity,
                         ::testing::Values("vww_96", "pretrained_resnet_32", "k3_mnist_keras",
                                           "k3_mnist_legacy_h5", "teachable_mobilenetv2_224"));

// A generated reference that no test reads would be a silent gap.
TEST(NetworkParity, EveryReferenceFileIsTested) {
  const std::set<std::string> tested = {"vgg16_top_65",
                                        "vgg19_notop_max_47",
                                        "mobilenet_1_0_top_67",
                                        "resnet50_top_197",
                                        "inception_v3_top_79",
                                        "xception_top_73",
                                        "resnet152_top_35",
                                        "resnet101v2_notop_avg_41",
                                        "densenet121_top_45",
                                        "mobilenetv2_0_35_top_67",
                                        "mobilenetv2_1_3_notop_avg_64",
                                        "inceptionresnetv2_top_75",
                                        "mobilenetv3large_top_67",
                                        "mobilenetv3small_0_75_notop_avg_63",
                                        "mobilenetv3small_minimalistic_top_48",
                                        "convnexttiny_top_32",
                                        "convnextbase_notop_35",
                                        "nasnetmobile_top_35",
                                        "nasnetlarge_notop_avg_32",
                                        "efficientnetb0_top_35",
                                        "efficientnetb3_notop_max_42",
                                        "efficientnetv2b1_top_37",
                                        "efficientnetv2s_notop_avg_34",
                                        "vww_96",
                                        "pretrained_resnet_32",
                                        "k3_mnist_keras",
                                        "k3_mnist_legacy_h5",
                                        "teachable_mobilenetv2_224"};
  for (const auto& entry : std::filesystem::directory_iterator(referenceDir())) {
    if (entry.path().extension() == ".json") {
      EXPECT_TRUE(tested.count(entry.path().stem().string())) << entry.path() << " is not tested";
    }
  }
}

}  // namespace
}  // namespace graft::test
