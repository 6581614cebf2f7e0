// Every layer type in the registry exports to TorchScript, ONNX and Keras HDF5 and the file's
// independent reader reproduces Graft's output — or the format refuses the layer with a message
// naming the layer and the format. Never a file that silently computes something else.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "export/export.h"
#include "export/export_check.h"
#include "export_test_support.h"
#include "graph/graph_builder.h"
#include "graph/image_resize.h"
#include "graph/keras_json.h"
#include "graph/layer_registry.h"
#include "io/keras_archive.h"
#include "io/keras_weights_import.h"

namespace graft::test::exports {
namespace {

std::string extension(ExportFormat f) {
  return f == ExportFormat::TorchScript ? ".pt" : f == ExportFormat::Onnx ? ".onnx" : ".h5";
}

// One sample of one layer class, exported (or refused) in each format, with the input the
// tests feed it (a batch of 3, not the exporter's own sample) and Graft's output for it.
struct Exported {
  std::string label;
  Model model;
  torch::Tensor input, expected;
  std::map<ExportFormat, std::string> files;     // written exports
  std::map<ExportFormat, Diagnostics> refusals;  // refused formats
  std::map<ExportFormat, ExportReport> reports;
  std::map<ExportFormat, std::string> failures;  // neither written nor refused: a bug
};

class ExportLayers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    exported_ = new std::vector<Exported>;
    uint64_t seed = 100;
    for (const auto& cls : LayerRegistry::standard().classNames()) {
      std::vector<LayerSample> samples = layerSamples(cls);
      if (samples.empty()) missing_.push_back(cls);
      for (auto& sample : samples) {
        Exported e{sample.label, std::move(sample.model), {}, {}, {}, {}, {}, {}};
        e.input = randomInput(e.model, 3, ++seed);
        e.expected = graftReference(e.model, e.input);
        const std::string stem = "sample_" + std::to_string(exported_->size());
        for (ExportFormat f : kFormats) {
          if (Diagnostics refused = exportRefusals(e.model, f); !refused.empty()) {
            e.refusals[f] = refused;
            continue;
          }
          const std::string path = dir_->file(stem + extension(f));
          try {
            e.reports[f] = exportModel(e.model, f, path);
            e.files[f] = path;
          } catch (const std::exception& err) {
            e.failures[f] = err.what();
          }
        }
        exported_->push_back(std::move(e));
      }
    }
  }
  static void TearDownTestSuite() {
    delete exported_;
    delete dir_;
  }

  static TempDir* dir_;
  static std::vector<Exported>* exported_;
  static std::vector<std::string> missing_;
};

TempDir* ExportLayers::dir_ = nullptr;
std::vector<Exported>* ExportLayers::exported_ = nullptr;
std::vector<std::string> ExportLayers::missing_;

TEST_F(ExportLayers, EveryRegisteredClassHasSamples) {
  EXPECT_TRUE(missing_.empty()) << "layer classes without an export sample in "
                                   "export_test_support.cpp: "
                                << ::testing::PrintToString(missing_);
}

TEST_F(ExportLayers, EveryFormatWritesOrRefusesNamingLayerAndFormat) {
  for (const auto& e : *exported_) {
    for (const auto& [f, what] : e.failures)
      ADD_FAILURE() << e.label << ": " << exportFormatTitle(f) << " export failed: " << what;
    for (ExportFormat f : kFormats) {
      if (e.failures.count(f)) continue;
      const bool written = e.files.count(f) != 0, refused = e.refusals.count(f) != 0;
      EXPECT_NE(written, refused) << e.label << " / " << exportFormatTitle(f);
      if (written) {
        EXPECT_TRUE(std::filesystem::exists(e.files.at(f))) << e.label;
        continue;
      }
      for (const auto& d : e.refusals.at(f)) {
        EXPECT_NE(e.model.graph.find(d.subject), nullptr) << e.label << ": " << d.str();
        EXPECT_NE(d.message.find(exportFormatTitle(f)), std::string::npos) << d.str();
      }
      // And exporting anyway fails with that message and writes nothing.
      const std::string path = dir_->file("refused" + extension(f));
      try {
        exportModel(e.model, f, path);
        ADD_FAILURE() << e.label << ": refused for " << exportFormatTitle(f) << " but exported";
      } catch (const Error& err) {
        EXPECT_NE(std::string(err.what()).find(e.refusals.at(f).front().subject),
                  std::string::npos);
      }
      EXPECT_FALSE(std::filesystem::exists(path));
    }
  }
}

// The exporter's own check (reload, run, compare) is reported and within its tolerance.
TEST_F(ExportLayers, SelfCheckReportsTheLargestDifference) {
  for (const auto& e : *exported_)
    for (const auto& [f, r] : e.reports) {
      EXPECT_LE(r.maxDifference, r.allowed) << e.label << ": " << r.describe();
      EXPECT_GE(r.allowed, r.tolerance) << r.describe();
      EXPECT_EQ(r.sampleShape.front(), 2) << r.describe();
      EXPECT_NE(r.describe().find("largest difference"), std::string::npos);
      // The check feeds pixels 0..255: min(-0.25, x) of a pixel is -0.25, a check that proves
      // nothing and says so (the tests' own inputs in [-1, 1) check it above and below). A
      // softmax of a Dense over them saturates to the same class for both images, but its
      // logits differ: no warning (it had one).
      const bool constant = e.label == "TFOpLambda min(-0.25, x)";
      EXPECT_EQ(r.warning.empty(), !constant) << e.label << ": " << r.warning;
    }
}

TEST_F(ExportLayers, OpenCvDnnReproducesGraftsOutput) {
  size_t checked = 0;
  for (const auto& e : *exported_) {
    if (!e.files.count(ExportFormat::Onnx)) continue;
    torch::Tensor got;
    try {
      got = runOpenCvDnn(e.files.at(ExportFormat::Onnx), e.input);
    } catch (const std::exception& err) {
      ADD_FAILURE() << e.label << ": OpenCV DNN failed: " << err.what();
      continue;
    }
    ASSERT_EQ(got.numel(), e.expected.numel()) << e.label;
    EXPECT_TRUE(closeTo(got.reshape(e.expected.sizes()), e.expected, 1e-4)) << e.label;
    ++checked;
  }
  EXPECT_GT(checked, 40u);
}

TEST_F(ExportLayers, KerasImporterReadsWeightsBackToIdenticalOutputs) {
  for (const auto& e : *exported_) {
    if (!e.files.count(ExportFormat::KerasH5)) continue;
    const GraphAnalysis analysis = analyzeOrThrow(e.model.graph);
    WeightStore store;
    loadKerasWeights(KerasH5Reader(e.files.at(ExportFormat::KerasH5)), e.model.graph, analysis,
                     store);
    Model back = e.model;
    back.weights = store;
    EXPECT_TRUE(torch::equal(graftReference(back, e.input), e.expected)) << e.label;
  }
}

TEST_F(ExportLayers, PythonTorchJitLoadReproducesGraftsOutput) {
  GRAFT_REQUIRE_PYTHON("torch", "numpy");
  std::vector<PythonCase> cases;
  std::vector<const Exported*> of;
  for (const auto& e : *exported_)
    if (e.files.count(ExportFormat::TorchScript)) {
      cases.push_back({e.files.at(ExportFormat::TorchScript), e.input, e.expected});
      of.push_back(&e);
    }
  const std::vector<Json> results = runPython(kTorchScriptChecker, cases, *dir_);
  for (size_t i = 0; i < results.size(); ++i) {
    const Json& r = results[i];
    ASSERT_FALSE(r.contains("error")) << of[i]->label << ": " << r.dump();
    EXPECT_EQ(r.at("shape").get<std::vector<int64_t>>(),
              std::vector<int64_t>(of[i]->expected.sizes().begin(), of[i]->expected.sizes().end()))
        << of[i]->label;
    EXPECT_LE(r.value("scaled_diff", 0.0), 1e-5) << of[i]->label << ": " << r.dump();
  }
}

TEST_F(ExportLayers, PythonOnnxCheckerAcceptsEveryFile) {
  GRAFT_REQUIRE_PYTHON("onnx");
  std::vector<PythonCase> cases;
  std::vector<const Exported*> of;
  for (const auto& e : *exported_)
    if (e.files.count(ExportFormat::Onnx)) {
      cases.push_back({e.files.at(ExportFormat::Onnx), {}, {}});
      of.push_back(&e);
    }
  const std::vector<Json> results = runPython(kOnnxChecker, cases, *dir_);
  for (size_t i = 0; i < results.size(); ++i) {
    const Json& r = results[i];
    ASSERT_FALSE(r.contains("error")) << of[i]->label << ": " << r.dump();
    EXPECT_GE(r.at("opset").get<int>(), 13);
    EXPECT_EQ(r.at("inputs").at(0).at(0), "batch") << of[i]->label;  // dynamic batch
    EXPECT_EQ(r.at("outputs").at(0).at(0), "batch") << of[i]->label;
  }
}

// AutoContrast and a LayerNormalization over several axes export to ONNX (refused before
// session 31): OpenCV's DNN module gives Graft's numbers, a channel of one value (which
// AutoContrast passes through unchanged: Keras's NaN fallback) included.
TEST(ExportOnnx, AutoContrastAndSeveralAxisLayerNormalizationReproduceGraft) {
  GraphBuilder b("stretch");
  std::string x = b.input("images", {kUnknown, 6, 5, 3});
  x = b.add("AutoContrast", "contrast", {{"value_range", {0, 1}}}, x);
  x = b.add("LayerNormalization", "norm", {{"axis", {1, 2, 3}}}, x);
  const Model model = randomModel(b.build({x}), 3);
  EXPECT_TRUE(exportRefusals(model, ExportFormat::Onnx).empty());
  TempDir dir;
  const ExportReport report = exportModel(model, ExportFormat::Onnx, dir.file("m.onnx"));
  EXPECT_LE(report.maxDifference, report.allowed) << report.describe();

  torch::Tensor input = randomInput(model, 3, 7);
  input[1][2].fill_(0.25f);  // image 2's blue channel: one value
  input[2][0].fill_(-3.0f);
  const torch::Tensor want = graftReference(model, input);
  const torch::Tensor got = runOpenCvDnn(dir.file("m.onnx"), input).reshape(want.sizes());
  EXPECT_TRUE(closeTo(got, want, 1e-4));
  EXPECT_TRUE(torch::isfinite(got).all().item<bool>());

  // The channel of one value comes out of AutoContrast as it went in.
  GraphBuilder alone("contrast only");
  const std::string images = alone.input("images", {kUnknown, 6, 5, 3});
  const Model contrast =
      randomModel(alone.build({alone.add("AutoContrast", "contrast", Json::object(), images)}), 3);
  exportModel(contrast, ExportFormat::Onnx, dir.file("c.onnx"));
  const torch::Tensor stretched =
      runOpenCvDnn(dir.file("c.onnx"), input).reshape({3, 6, 5, 3});  // Keras's layout (N, H, W, C)
  EXPECT_TRUE(torch::equal(stretched.select(0, 1).select(2, 2), torch::full({6, 5}, 0.25f)));
  EXPECT_TRUE(torch::equal(stretched.select(0, 2).select(2, 0), torch::full({6, 5}, -3.0f)));
  EXPECT_TRUE(closeTo(stretched, graftReference(contrast, input), 1e-4));
}

// Images through a ReLU of `threshold` (1000: no pixel passes, so the output ignores the input)
// and a global average pool, with a softmax Dense of two classes on top when `classes`.
Graph gatedImagesGraph(double threshold, bool classes) {
  GraphBuilder b("gated");
  std::string x = b.input("images", {kUnknown, 6, 5, 3});
  x = b.add("ReLU", "gate", {{"threshold", threshold}}, x);
  x = b.add("GlobalAveragePooling2D", "pool", Json::object(), x);
  if (classes) x = b.add("Dense", "classes", {{"units", 2}, {"activation", "softmax"}}, x);
  return b.build({x});
}

// A model whose output does not depend on its input (a ReLU whose threshold no pixel reaches)
// passes every format's check, which then proves nothing: the report says so in its warning,
// the file is kept. The same model with a threshold of 0 gets no warning.
TEST(ExportCheck, AnOutputThatIgnoresTheInputPassesWithAWarning) {
  const auto model = [](double threshold) {
    return randomModel(gatedImagesGraph(threshold, false), 3);
  };
  TempDir dir;
  for (const auto& [format, file] :
       std::vector<std::pair<ExportFormat, std::string>>{{ExportFormat::TorchScript, "m.pt"},
                                                         {ExportFormat::Onnx, "m.onnx"},
                                                         {ExportFormat::Keras, "m.keras"}}) {
    SCOPED_TRACE(exportFormatTitle(format));
    const ExportReport flat = exportModel(model(1000.0), format, dir.file(file));
    EXPECT_LE(flat.maxDifference, flat.allowed);
    EXPECT_TRUE(std::filesystem::exists(dir.file(file)));
    EXPECT_EQ(flat.warning.rfind("Graft's output is the same for both check inputs (they differ "
                                 "by at most 0, allowed ",
                                 0),
              0u)
        << flat.warning;
    EXPECT_NE(flat.warning.find("this check cannot show that the file uses its input"),
              std::string::npos)
        << flat.warning;
    EXPECT_EQ(flat.describe().find("same for both"), std::string::npos);  // apart, for the fronts
    const ExportReport live = exportModel(model(0.0), format, dir.file("live_" + file));
    EXPECT_TRUE(live.warning.empty()) << live.warning;
  }
}

// A confident classifier (its logits 1000 apart) gives exactly 1 and 0 for both check images:
// it was warned that its output ignored its input. A model ending in softmax is judged by its
// logits, which differ; one whose logits ignore the input (a ReLU no pixel passes) is still
// warned, naming the logits.
TEST(ExportCheck, ASaturatedSoftmaxIsJudgedByItsLogits) {
  const auto model = [](double threshold) {
    Model m = randomModel(gatedImagesGraph(threshold, true), 3);
    m.weights.set("classes", {WeightTensor::fromValues({3, 2}, std::vector<float>(6, 1.0f)),
                              WeightTensor::fromValues({2}, {1000.0f, 0.0f})});
    return m;
  };
  TempDir dir;
  for (const auto& [format, file] :
       std::vector<std::pair<ExportFormat, std::string>>{{ExportFormat::TorchScript, "m.pt"},
                                                         {ExportFormat::Onnx, "m.onnx"},
                                                         {ExportFormat::Keras, "m.keras"}}) {
    SCOPED_TRACE(exportFormatTitle(format));
    const Model confident = model(0.0);
    const torch::Tensor probabilities = exporting::graftOutput(
        confident, exporting::sampleInput(confident, exporting::makeExportPlan(confident)));
    ASSERT_TRUE(torch::equal(probabilities, torch::tensor({{1.0f, 0.0f}, {1.0f, 0.0f}})))
        << probabilities;  // the case: the same output for both images
    const ExportReport live = exportModel(confident, format, dir.file(file));
    EXPECT_TRUE(live.warning.empty()) << live.warning;
    const ExportReport flat = exportModel(model(1000.0), format, dir.file("flat_" + file));
    EXPECT_EQ(flat.warning.rfind("Graft's logits (before the softmax) are the same for both check "
                                 "inputs (they differ by at most 0, allowed ",
                                 0),
              0u)
        << flat.warning;
  }
}

// The threshold: the comparison's allowance, at least float32's rounding of the output.
TEST(ExportCheck, ConstantOutputWarningComparesTheSamplesWithTheAllowance) {
  using exporting::constantOutputWarning;
  const torch::Tensor row = torch::tensor({0.25f, 0.5f, 0.25f});
  EXPECT_FALSE(constantOutputWarning(torch::stack({row, row}), 0.0).empty());
  EXPECT_FALSE(constantOutputWarning(torch::stack({row, row + 5e-5f}), 1e-4).empty());
  EXPECT_TRUE(constantOutputWarning(torch::stack({row, row + 5e-4f}), 1e-4).empty());
  EXPECT_FALSE(constantOutputWarning(torch::stack({row, row + 1e-7f}), 0.0).empty());  // rounding
  EXPECT_TRUE(constantOutputWarning(torch::stack({row, row + 1e-5f}), 0.0).empty());
  EXPECT_TRUE(constantOutputWarning(row.unsqueeze(0), 0.0).empty());  // one sample proves nothing
  const torch::Tensor three = torch::stack({row, row, row});
  EXPECT_EQ(constantOutputWarning(three, 0.0)
                .rfind("Graft's output is the same for all 3 check "
                       "inputs",
                       0),
            0u);
}

// A RandomCrop read from Keras 3.8+ at another size passes images unchanged: every format
// computes that, and the .keras file (the plain layer, metadata 3.13) reads back the same.
TEST(ExportKeepsImage, RandomCropFromKeras38PassesImagesInEveryFormat) {
  GraphBuilder b("crop");
  std::string x = b.input("images", {kUnknown, 9, 8, 3});
  x = b.add("RandomCrop", "crop",
            {{"height", 5}, {"width", 4}, {layers::kRandomCropKeepsImage, true}}, x);
  x = b.add("Conv2D", "conv", {{"filters", 2}, {"kernel_size", 3}}, x);
  x = b.add("GlobalAveragePooling2D", "gap", Json::object(), x);
  const Model model = randomModel(b.build({x}), 4);
  EXPECT_EQ(analyzeOrThrow(model.graph).find("conv")->outputShape, (Shape{kUnknown, 7, 6, 2}));
  TempDir dir;
  for (const auto& [f, file] :
       std::vector<std::pair<ExportFormat, std::string>>{{ExportFormat::TorchScript, "m.pt"},
                                                         {ExportFormat::Onnx, "m.onnx"},
                                                         {ExportFormat::KerasH5, "m.h5"},
                                                         {ExportFormat::Keras, "m.keras"}}) {
    SCOPED_TRACE(exportFormatTitle(f));
    const ExportReport r = exportModel(model, f, dir.file(file));
    EXPECT_LE(r.maxDifference, r.allowed) << r.describe();
  }
  const KerasArchive archive = readKerasArchive(dir.file("m.keras"));
  const Json written = Json::parse(archive.config);
  EXPECT_EQ(written.dump().find(layers::kRandomCropKeepsImage), std::string::npos);
  const Graph back =
      graphFromKerasJsonText(archive.config, LayerRegistry::standard(), archive.kerasVersion);
  EXPECT_EQ(back.at("crop").config.value(layers::kRandomCropKeepsImage, false), true);
}

// A format that cannot take a model says which layer and which format, and writes nothing:
// ONNX needs a fixed input size, TorchScript takes any (and pads `same` at run time).
TEST(ExportRefusal, OnnxRefusesAnInputWithoutSizeTorchScriptRunsAnySize) {
  GraphBuilder b("any_size");
  std::string x = b.input("images", {kUnknown, kUnknown, kUnknown, 3});
  x = b.add("Conv2D", "conv",
            {{"filters", 4}, {"kernel_size", 3}, {"strides", 2}, {"padding", "same"}}, x);
  x = b.add("AveragePooling2D", "avg", {{"pool_size", 2}, {"padding", "same"}}, x);
  x = b.add("MaxPooling2D", "max", {{"pool_size", 3}, {"strides", 2}, {"padding", "same"}}, x);
  const Model model = randomModel(b.build({x}), 3);
  TempDir dir;

  const Diagnostics refused = exportRefusals(model, ExportFormat::Onnx);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].subject, "images");
  EXPECT_NE(refused[0].message.find("ONNX"), std::string::npos) << refused[0].str();
  std::ofstream(dir.file("old.onnx")) << "previous file";
  try {
    exportModel(model, ExportFormat::Onnx, dir.file("old.onnx"));
    ADD_FAILURE() << "exported a model without an input size to ONNX";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("images"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ONNX"), std::string::npos) << e.what();
  }
  std::ifstream old(dir.file("old.onnx"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(old), {}), "previous file");

  const ExportReport report = exportModel(model, ExportFormat::TorchScript, dir.file("any.pt"));
  EXPECT_LE(report.maxDifference, 1e-5);
  GRAFT_REQUIRE_PYTHON("torch", "numpy");
  std::vector<PythonCase> cases;
  for (int64_t h : {9, 12}) {  // odd and even sizes: different `same` padding
    const torch::Tensor input = torch::rand({2, 3, h, h + 3}) * 2 - 1;
    cases.push_back({dir.file("any.pt"), input, graftReference(model, input)});
  }
  for (const Json& r : runPython(kTorchScriptChecker, cases, dir)) {
    ASSERT_FALSE(r.contains("error")) << r.dump();
    EXPECT_LE(r.value("scaled_diff", 1.0), 1e-5) << r.dump();
  }
}

}  // namespace
}  // namespace graft::test::exports
