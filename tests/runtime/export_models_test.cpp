// Whole networks through every export: a graph mixing many layer types, MobileNet α 0.25
// (random weights, 64 x 64), the real vww_96.h5, an edited and fine-tuned model, and every zoo
// family at a small input. Each file is read back by its independent reader — Python's
// torch.jit.load, OpenCV's DNN module (C++) and the onnx checker, Graft's Keras importer and
// h5py — and compared with GraphModule on the same random input.
#include <gtest/gtest.h>

#include <filesystem>

#include "export/export.h"
#include "export_test_support.h"
#include "graph/graph_builder.h"
#include "graph/surgery/surgery.h"
#include "io/keras_weights_import.h"
#include "io/model_source.h"
#include "io/zoo/zoo.h"
#include "runtime/module/graph_module.h"

namespace graft::test::exports {
namespace {

// Exports `model` to all three formats in `dir` as <stem>.pt/.onnx/.h5 and checks each with
// its readers on a batch of `batch` random inputs.
void exportAndCheckEverywhere(const Model& model, const std::string& stem, const TempDir& dir,
                              int64_t batch = 2) {
  const torch::Tensor input = randomInput(model, batch, 77);
  const torch::Tensor want = graftReference(model, input);
  const std::string pt = dir.file(stem + ".pt"), onnx = dir.file(stem + ".onnx"),
                    h5 = dir.file(stem + ".h5");

  const ExportReport ts = exportModel(model, ExportFormat::TorchScript, pt);
  EXPECT_EQ(ts.tolerance, 1e-5);
  EXPECT_LE(ts.maxDifference, ts.allowed) << ts.describe();
  const ExportReport ox = exportModel(model, ExportFormat::Onnx, onnx);
  EXPECT_EQ(ox.tolerance, 1e-4);
  EXPECT_LE(ox.maxDifference, ox.allowed) << ox.describe();
  const ExportReport kh = exportModel(model, ExportFormat::KerasH5, h5);
  EXPECT_EQ(kh.maxDifference, 0.0) << kh.describe();

  // ONNX through OpenCV's DNN module, here in the test.
  const torch::Tensor viaOpenCv = runOpenCvDnn(onnx, input);
  ASSERT_EQ(viaOpenCv.numel(), want.numel());
  EXPECT_TRUE(closeTo(viaOpenCv.reshape(want.sizes()), want, 1e-4)) << stem << " (OpenCV DNN)";

  // Keras HDF5 through Graft's importer: the same weights, so the very same output.
  Model back = model;
  back.weights = WeightStore();
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const WeightLoadReport loaded =
      loadKerasWeights(KerasH5Reader(h5), model.graph, analysis, back.weights);
  EXPECT_EQ(loaded.rule, MatchRule::ByName);
  EXPECT_TRUE(loaded.missing.empty());
  EXPECT_TRUE(torch::equal(graftReference(back, input), want)) << stem << " (Keras HDF5)";

  if (const std::string why = pythonMissing({"torch", "numpy", "onnx"}); !why.empty()) {
    std::cout << "[  SKIPPED ] the Python half of " << stem << ": " << why << "\n";
    return;
  }
  const Json t = runPython(kTorchScriptChecker, {{pt, input, want}}, dir).front();
  ASSERT_FALSE(t.contains("error")) << t.dump();
  EXPECT_LE(t.at("scaled_diff").get<double>(), 1e-5) << stem << " (torch.jit.load)";
  EXPECT_EQ(t.at("labels").get<std::vector<std::string>>(), model.labels);
  EXPECT_EQ(t.at("preprocessing"), preprocessingName(model.preprocessing));
  const Json o = runPython(kOnnxChecker, {{onnx, {}, {}}}, dir).front();
  ASSERT_FALSE(o.contains("error")) << o.dump();
  EXPECT_EQ(o.at("inputs").at(0).at(0), "batch");
}

TEST(ExportModels, GraphWithManyLayerTypes) {
  TempDir dir;
  exportAndCheckEverywhere(coverageModel(1), "coverage", dir, 3);
}

// What travels with the file, read the way the README tells users to read it.
TEST(ExportModels, PreprocessingAndLabelsTravelInsideTheFiles) {
  GRAFT_REQUIRE_PYTHON("torch", "numpy", "onnx");
  TempDir dir;
  const Model model = coverageModel(2);
  exportModel(model, ExportFormat::TorchScript, dir.file("m.pt"));
  exportModel(model, ExportFormat::Onnx, dir.file("m.onnx"));
  const torch::Tensor input = randomInput(model, 1, 3);
  const Json t =
      runPython(kTorchScriptChecker, {{dir.file("m.pt"), input, graftReference(model, input)}}, dir)
          .front();
  ASSERT_FALSE(t.contains("error")) << t.dump();
  EXPECT_EQ(t.at("labels"), Json({"cat", "dog", "bird"}));
  EXPECT_EQ(t.at("preprocessing"), "tf");
  const Json& meta = t.at("graft_json");
  EXPECT_EQ(meta.at("labels"), Json({"cat", "dog", "bird"}));
  EXPECT_EQ(meta.at("input").at("layout"), "NCHW");
  EXPECT_EQ(meta.at("input").at("shape"), Json({nullptr, 3, 16, 15}));
  EXPECT_EQ(meta.at("output").at("shape"), Json({nullptr, 3}));
  // Parameters keep the Keras layer and weight names.
  const auto params = t.at("parameters").get<std::vector<std::string>>();
  EXPECT_NE(std::find(params.begin(), params.end(), "conv1.kernel"), params.end());
  const auto buffers = t.at("buffers").get<std::vector<std::string>>();
  EXPECT_NE(std::find(buffers.begin(), buffers.end(), "conv1_bn.moving_mean"), buffers.end());

  const Json o = runPython(kOnnxChecker, {{dir.file("m.onnx"), {}, {}}}, dir).front();
  ASSERT_FALSE(o.contains("error")) << o.dump();
  EXPECT_EQ(o.at("metadata").at("preprocessing"), "tf");
  EXPECT_EQ(Json::parse(o.at("metadata").at("labels").get<std::string>()),
            Json({"cat", "dog", "bird"}));
  EXPECT_EQ(o.at("metadata").at("input_layout"), "NCHW");
  EXPECT_EQ(o.at("inputs").at(0), Json({"batch", 3, 16, 15}));
  EXPECT_EQ(o.at("outputs").at(0), Json({"batch", 3}));
}

// A feature map comes out in Keras's layout (NHWC), as `graft-cli predict` prints it.
TEST(ExportModels, FeatureMapsComeOutNhwc) {
  GraphBuilder b("features");
  std::string x = b.input("input_1", {kUnknown, 6, 5, 3});
  x = b.add("Conv2D", "conv", {{"filters", 4}, {"kernel_size", 3}}, x);
  const Model model = randomModel(b.build({x}), 4);
  TempDir dir;
  exportModel(model, ExportFormat::Onnx, dir.file("f.onnx"));
  const torch::Tensor input = randomInput(model, 2, 5);
  const torch::Tensor got = runOpenCvDnn(dir.file("f.onnx"), input);
  EXPECT_EQ(std::vector<int64_t>(got.sizes().begin(), got.sizes().end()),
            (std::vector<int64_t>{2, 4, 3, 4}));  // N, H, W, C
  EXPECT_TRUE(closeTo(got, graftReference(model, input), 1e-4));
}

TEST(ExportModels, MobileNetQuarterWidth64) {
  zoo::ZooOptions options;
  options.architecture = "mobilenet";
  options.alpha = 0.25;
  options.inputSize = 64;
  options.classes = 5;
  const Model model =
      randomModel(zoo::buildGraph(options), 42, Preprocessing::Tf, {"a", "b", "c", "d", "e"});
  TempDir dir;
  exportAndCheckEverywhere(model, "mobilenet", dir);
}

TEST(ExportModels, VisualWakeWordsFixture) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/vww_96.h5");
  ModelSpec spec;
  spec.source = path;
  const Model model = loadModel(spec).model;
  TempDir dir;
  exportAndCheckEverywhere(model, "vww_96", dir);
}

// Edited (cut, new head, frozen base) and then fine-tuned (a few SGD steps in training mode, so
// weights and BatchNormalization statistics move), as a user would before exporting.
TEST(ExportModels, EditedAndFineTunedModel) {
  zoo::ZooOptions options;
  options.architecture = "mobilenet";
  options.alpha = 0.25;
  options.inputSize = 64;
  options.includeTop = false;
  Model model = randomModel(zoo::buildGraph(options), 9, Preprocessing::Tf);
  for (const Json& op :
       {Json{{"op", "cut"}, {"at", "conv_pw_5_relu"}},
        Json{{"op", "stack"},
             {"after", "conv_pw_5_relu"},
             {"layers",
              {{{"class_name", "GlobalAveragePooling2D"}, {"config", {{"name", "head_pool"}}}},
               {{"class_name", "Dense"},
                {"config", {{"name", "head_out"}, {"units", 3}, {"activation", "softmax"}}}}}}},
        Json{{"op", "freeze"}, {"upto", "conv_pw_3_relu"}}}) {
    Expected<EditResult> edited = applyOperation(model, op);
    ASSERT_TRUE(edited.ok()) << joinDiagnostics(edited.diagnostics());
    model = edited.value().model;
  }
  model.labels = {"x", "y", "z"};
  {
    GraphModule module(model.graph, model.weights);
    module.train(true);
    std::vector<torch::Tensor> trainable;
    for (auto& p : module.module().parameters())
      if (p.requires_grad()) trainable.push_back(p);
    torch::optim::SGD sgd(trainable, torch::optim::SGDOptions(0.05));
    for (int step = 0; step < 3; ++step) {
      sgd.zero_grad();
      const torch::Tensor x = randomInput(model, 4, 50 + step);
      const torch::Tensor loss =
          torch::nll_loss(torch::log(module.forward(x) + 1e-7), torch::tensor({0, 1, 2, 1}));
      loss.backward();
      sgd.step();
    }
    module.train(false);
    model.weights = module.weights();
  }
  TempDir dir;
  exportAndCheckEverywhere(model, "fine_tuned", dir);
}

// Every zoo family, random weights, at a small input (no top: the convolutional part is where
// each family's layer types are), in every format and as a Keras 3 archive (MobileNetV3's
// hard-sigmoid arithmetic written as Keras 3 operations).
// One test per family, so that each gets the test timeout of its own.
class ExportZooFamily : public ::testing::TestWithParam<std::pair<std::string, int64_t>> {};

TEST_P(ExportZooFamily, EveryFormatAndKeras3) {
  const auto& [architecture, size] = GetParam();
  zoo::ZooOptions options;
  options.architecture = architecture;
  options.inputSize = size;
  options.includeTop = false;
  options.pooling = "avg";
  // Keras's own initializers: uniform [-0.5, 0.5) weights would overflow 50 layers deep.
  Model model;
  model.graph = zoo::buildGraph(options);
  initializeWeights(model.graph, analyzeOrThrow(model.graph), model.weights, 5);
  model.preprocessing = zoo::preprocessingFor(architecture);
  TempDir dir;
  exportAndCheckEverywhere(model, architecture, dir, 1);
  const ExportReport keras = exportModel(model, ExportFormat::Keras, dir.file("m.keras"));
  EXPECT_EQ(keras.maxDifference, 0.0) << keras.describe();
}

INSTANTIATE_TEST_SUITE_P(ExportModels, ExportZooFamily,
                         ::testing::Values(std::pair<std::string, int64_t>{"vgg16", 32},
                                           std::pair{"vgg19", 32}, std::pair{"resnet50", 32},
                                           std::pair{"inception_v3", 75}, std::pair{"xception", 71},
                                           std::pair{"inceptionresnetv2", 75},
                                           std::pair{"mobilenetv3small", 32},
                                           std::pair{"mobilenetv3large", 32},
                                           std::pair{"nasnetmobile", 32}),
                         [](const auto& family) { return family.param.first; });

// ConvNeXt (random weights, 32 px, no top): TorchScript, ONNX (LayerNormalization written as
// averaging convolutions that OpenCV 4.6 runs), Keras HDF5, Keras 3's weights layout and the
// .keras archive (its residual `inputs + x` written as Keras 3's Add operation) reproduce it.
TEST(ExportModels, ConvNeXtToTorchScriptOnnxAndKeras) {
  zoo::ZooOptions options;
  options.architecture = "convnexttiny";
  options.inputSize = 32;
  options.includeTop = false;
  options.pooling = "avg";
  Model model;
  model.graph = zoo::buildGraph(options);
  initializeWeights(model.graph, analyzeOrThrow(model.graph), model.weights, 5);
  model.preprocessing = zoo::preprocessingFor(options);
  TempDir dir;
  const ExportReport ts = exportModel(model, ExportFormat::TorchScript, dir.file("c.pt"));
  EXPECT_LE(ts.maxDifference, ts.allowed) << ts.describe();
  const ExportReport onnx = exportModel(model, ExportFormat::Onnx, dir.file("c.onnx"));
  EXPECT_LE(onnx.maxDifference, onnx.allowed) << onnx.describe();
  const ExportReport kh = exportModel(model, ExportFormat::KerasH5, dir.file("c.h5"));
  EXPECT_EQ(kh.maxDifference, 0.0) << kh.describe();
  // Keras 3's weights layout, the stem and downsampling Sequentials nested.
  const ExportReport kw = exportModel(model, ExportFormat::KerasWeights, dir.file("c.weights.h5"));
  EXPECT_LE(kw.maxDifference, kw.allowed) << kw.describe();
  const ExportReport keras = exportModel(model, ExportFormat::Keras, dir.file("c.keras"));
  EXPECT_EQ(keras.maxDifference, 0.0) << keras.describe();
}

// EfficientNet's and EfficientNetV2's part of the zoo family test, with the top: B0 at 33 px
// (odd maps: correct_pad's other form), V2B0 at 32 (a Normalization with constants, Fused-MBConv);
// every format, and the Keras 3 archive (per-channel Rescaling, Normalization, stochastic depth's
// Dropout with its noise_shape) reads back to the very same outputs.
TEST(ExportModels, EfficientNetsWithTheirTopInEveryFormatAndKeras3) {
  for (const auto& [architecture, size] : std::vector<std::pair<std::string, int64_t>>{
           {"efficientnet_b0", 33}, {"efficientnet_v2_b0", 32}}) {
    SCOPED_TRACE(architecture);
    zoo::ZooOptions options;
    options.architecture = architecture;
    options.inputSize = size;
    Model model;
    model.graph = zoo::buildGraph(options);
    initializeWeights(model.graph, analyzeOrThrow(model.graph), model.weights, 6);
    model.preprocessing = zoo::preprocessingFor(options);
    TempDir dir;
    exportAndCheckEverywhere(model, architecture, dir, 1);
    const ExportReport keras = exportModel(model, ExportFormat::Keras, dir.file("e.keras"));
    EXPECT_EQ(keras.maxDifference, 0.0) << keras.describe();
  }
}

}  // namespace
}  // namespace graft::test::exports
