// The cut-point explorer (runtime/explore/cut_explorer.h) on a network built so that one depth is
// known to separate the classes and an earlier one provably cannot.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <atomic>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "runtime/explore/cut_explorer.h"
#include "runtime/module/graph_module.h"
#include "support/test_support.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

// XOR images: 4 x 4 grey, the left half a * 255, the right half b * 255 (a, b in {0, 1});
// class "diff" when a != b, "same" when a == b.
//
// early: a 1x1 convolution, x / 255. Its features (the average and the 16 pixels) are linear in
// (a, b), and no linear classifier gets more than 3 of XOR's 4 patterns right: with every
// pattern equally often in the validation split, at most 75 %.
// deep: a 4x4 convolution over early with ReLU: filters a, b and relu(a + b - 1) = a AND b;
// then "diff" = a + b - 2 (a AND b) is linear in its features, so it separates the classes.
// With `tinyCopy`, deep has a fourth filter: a millionth of the first (a), a feature that
// carries what another does at a tiny scale (standardised, it is the same feature).
Model xorModel(bool tinyCopy = false) {
  const int filters = tinyCopy ? 4 : 3;
  GraphBuilder b("xor");
  auto x = b.input("input_1", {kUnknown, 4, 4, 1});
  x = b.add("Conv2D", "early", {{"filters", 1}, {"kernel_size", {1, 1}}}, x);
  x = b.add("Conv2D", "deep",
            {{"filters", filters}, {"kernel_size", {4, 4}}, {"activation", "relu"}}, x);
  x = b.add("Flatten", "flatten", Json::object(), x);
  x = b.add("Dense", "predictions", {{"units", 2}, {"activation", "softmax"}}, x);
  Model model;
  model.graph = b.build({x});
  initializeWeights(model.graph, analyzeOrThrow(model.graph), model.weights, 3);
  model.weights.set("early", {WeightTensor::fromValues({1, 1, 1, 1}, {1.0f / 255.0f}),
                              WeightTensor::fromValues({1}, {0.0f})});
  std::vector<float> kernel(size_t(4 * 4 * filters), 0.0f);  // Keras layout (kh, kw, in, out)
  for (int h = 0; h < 4; ++h)
    for (int w = 0; w < 4; ++w) {
      const int at = (h * 4 + w) * filters;
      kernel[at + 0] = w < 2 ? 1.0f / 8 : 0.0f;  // a
      kernel[at + 1] = w < 2 ? 0.0f : 1.0f / 8;  // b
      kernel[at + 2] = 1.0f / 8;                 // a + b
      if (tinyCopy) kernel[at + 3] = kernel[at + 0] * 1e-6f;
    }
  std::vector<float> bias{0.0f, 0.0f, -1.0f};
  if (tinyCopy) bias.push_back(0.0f);
  model.weights.set("deep", {WeightTensor::fromValues({4, 4, 1, filters}, kernel),
                             WeightTensor::fromValues({filters}, bias)});
  model.preprocessing = Preprocessing::None;
  return model;
}

// `copies` images of each pattern per split; classes sorted: diff = 0, same = 1.
TrainingSet xorImages(const fs::path& root, int trainCopies, int validationCopies) {
  TrainingSet set;
  set.classes = {"diff", "same"};
  const int patterns[4][2] = {{0, 0}, {1, 1}, {1, 0}, {0, 1}};
  for (const auto& p : patterns) {
    const int label = p[0] == p[1] ? 1 : 0;
    const auto folder = root / set.classes[label];
    fs::create_directories(folder);
    for (int i = 0; i < trainCopies + validationCopies; ++i) {
      cv::Mat image(4, 4, CV_8UC1, cv::Scalar(0));
      image(cv::Rect(0, 0, 2, 4)).setTo(p[0] * 255);
      image(cv::Rect(2, 0, 2, 4)).setTo(p[1] * 255);
      const auto path = (folder / (std::to_string(p[0]) + std::to_string(p[1]) + "_" +
                                   std::to_string(i) + ".png"))
                            .string();
      if (!cv::imwrite(path, image)) throw std::runtime_error("cannot write " + path);
      (i < trainCopies ? set.train : set.validation).push_back({path, label});
    }
  }
  return set;
}

CutExplorerOptions smallOptions() {
  CutExplorerOptions o;
  o.batchSize = 8;
  o.workers = 1;
  o.seed = 5;
  return o;
}

TEST(CutExplorer, TheDeeperLayerSeparatesXorAndTheLinearOneCannot) {
  test::TempDir dir;
  const Model model = xorModel();
  const TrainingSet data = xorImages(dir.path(), 8, 4);
  // The structure alone picks both: early ends a 1x1 unit that a convolution reads, deep is the
  // last map before the top.
  const auto layers = explorerLayers(model.graph, {});
  ASSERT_EQ(layers, (std::vector<std::string>{"early", "deep"}));
  const auto report = exploreCutPoints(model, data, layers, smallOptions());
  ASSERT_EQ(report.candidates.size(), 2u);
  EXPECT_EQ(report.trainImages, 32);
  EXPECT_EQ(report.validationImages, 16);
  const auto& early = report.candidates[0];
  const auto& deep = report.candidates[1];
  EXPECT_EQ(early.layer, "early");
  EXPECT_LE(early.valAccuracy, 0.75 + 1e-9);
  EXPECT_EQ(deep.valAccuracy, 1.0);
  // early: its average and 16 values; deep: a 1x1 map, its 3 channels.
  EXPECT_EQ(early.featureSize, 1 + 16);
  EXPECT_EQ(deep.featureSize, 3);
  EXPECT_EQ(early.prefixParams, 2);
  EXPECT_EQ(deep.prefixParams, 2 + 4 * 4 * 3 + 3);
  EXPECT_GT(early.msPerImage, 0.0);
  EXPECT_GT(deep.msPerImage, 0.0);
  const auto json = cutExplorerReportJson(report);
  EXPECT_EQ(json.at("candidates").at(1).at("layer"), "deep");
  EXPECT_EQ(json.at("candidates").at(1).at("val_accuracy").get<double>(), 1.0);
  EXPECT_EQ(json.at("candidates").at(0).at("feature_size").get<int64_t>(), 17);
  // What a head must see to match: early's map was kept, deep's (1 x 1) is its average.
  EXPECT_TRUE(early.keepsMap);
  EXPECT_FALSE(deep.keepsMap);
  EXPECT_EQ(json.at("candidates").at(0).at("features"), "pooled_and_map");
  EXPECT_EQ(json.at("candidates").at(1).at("features"), "pooled");
  // auto is the CPU on a machine without CUDA, and the report says so.
  if (!torch::cuda::is_available()) {
    EXPECT_EQ(report.device.rfind("CPU (", 0), 0u) << report.device;
    EXPECT_EQ(json.at("device").get<std::string>(), report.device);
  }
}

TEST(CutExplorer, CudaWhereThereIsNoneIsAnErrorNamingTheOption) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has a CUDA device";
  test::TempDir dir;
  const Model model = xorModel();
  const TrainingSet data = xorImages(dir.path(), 2, 1);
  CutExplorerOptions options = smallOptions();
  options.device = *parseDeviceChoice("cuda");
  try {
    exploreCutPoints(model, data, {"deep"}, options);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--device"), std::string::npos) << e.what();
  }
}

// On a GPU the explorer measures what it measures on the CPU: the same features (to float32
// rounding), so the same fits and accuracies.
TEST(CutExplorer, OnCudaTheAccuraciesAreTheCpusOnes) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device here";
  test::TempDir dir;
  const Model model = xorModel();
  const TrainingSet data = xorImages(dir.path(), 8, 4);
  CutExplorerOptions cpu = smallOptions();
  cpu.device = *parseDeviceChoice("cpu");
  CutExplorerOptions cuda = smallOptions();
  cuda.device = *parseDeviceChoice("cuda");
  const auto onCpu = exploreCutPoints(model, data, {"early", "deep"}, cpu);
  const auto onCuda = exploreCutPoints(model, data, {"early", "deep"}, cuda);
  EXPECT_EQ(onCuda.device.rfind("cuda:", 0), 0u) << onCuda.device;
  ASSERT_EQ(onCuda.candidates.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(onCuda.candidates[k].featureSize, onCpu.candidates[k].featureSize);
    EXPECT_NEAR(onCuda.candidates[k].valAccuracy, onCpu.candidates[k].valAccuracy, 1.0 / 16);
  }
  EXPECT_EQ(onCuda.candidates[1].valAccuracy, 1.0);
}

// One pass for all candidates: the multi-layer call comes once per batch with every layer,
// every image goes through it once, and the features are what GraphModule gives for the batch.
TEST(CutExplorer, OnePassThroughTheNetworkForEveryCandidate) {
  test::TempDir dir;
  const Model model = xorModel();
  const TrainingSet data = xorImages(dir.path(), 5, 2);  // 28 images: batches of 8, 8, 8, 4
  GraphModule module(model.graph, model.weights);
  int passes = 0, timings = 0;
  int64_t imagesThrough = 0;
  const std::vector<std::string> layers{"early", "deep"};
  const LayerOutputs counting = [&](const torch::Tensor& images,
                                    const std::vector<std::string>& names) {
    if (names == layers) {
      ++passes;
      imagesThrough += images.size(0);
    } else {
      EXPECT_EQ(names.size(), 1u);
      EXPECT_LE(images.size(0), 4);
      ++timings;
    }
    return module.forward(images, names);
  };
  std::vector<CutExplorerProgress> progress;
  const auto report = exploreCutPoints(
      model, data, layers, smallOptions(), counting, torch::kCPU,
      [&](const CutExplorerProgress& p) { progress.push_back(p); }, nullptr);
  EXPECT_EQ(passes, 4);
  EXPECT_EQ(imagesThrough, 28);
  EXPECT_EQ(timings, 10);  // five timings per candidate (the fastest counts), on a few images
  ASSERT_EQ(progress.size(), 4u + 2u);
  EXPECT_EQ(progress[3].phase, "features");
  EXPECT_EQ(progress[3].done, 4u);
  EXPECT_EQ(progress[3].total, 4u);
  EXPECT_EQ(progress[3].etaSeconds, 0.0);
  EXPECT_EQ(progress[5].phase, "fit");
  EXPECT_EQ(progress[5].done, 2u);
  EXPECT_EQ(report.candidates.size(), 2u);
}

// A feature that barely varies is not divided by its own tiny deviation: folded into a head's
// kernel that gave weights of 10^4-10^5 (a channel its ReLU keeps at 0 but for a few images),
// and the first training step through them blew the loss up to thousands.
TEST(CutExplorer, AFeatureThatBarelyVariesGetsNoHugeHeadWeight) {
  test::TempDir dir;
  const Model model = xorModel(/*tinyCopy=*/true);
  const TrainingSet data = xorImages(dir.path(), 8, 4);
  const auto report = exploreCutPoints(model, data, {"deep"}, smallOptions());
  ASSERT_EQ(report.candidates.size(), 1u);
  const auto& deep = report.candidates[0];
  EXPECT_EQ(deep.valAccuracy, 1.0);
  ASSERT_EQ(deep.headKernel.size(), 4u * 2u);  // (features, classes)
  for (const float k : deep.headKernel) EXPECT_LT(std::abs(k), 1e3) << "a kernel entry of " << k;
}

TEST(CutExplorer, CancelledBeforeTheFirstBatchMeasuresNothing) {
  test::TempDir dir;
  const Model model = xorModel();
  const TrainingSet data = xorImages(dir.path(), 2, 1);
  std::atomic<bool> cancel{true};
  const auto report = exploreCutPoints(model, data, {"early", "deep"}, smallOptions(), {}, &cancel);
  EXPECT_TRUE(report.cancelled);
  EXPECT_TRUE(report.candidates.empty());
}

TEST(CutExplorer, CancelledDuringTheFitsStopsThere) {
  test::TempDir dir;
  const Model model = xorModel();
  const TrainingSet data = xorImages(dir.path(), 2, 1);
  std::atomic<bool> cancel{false};
  const auto report = exploreCutPoints(
      model, data, {"early", "deep"}, smallOptions(),
      [&](const CutExplorerProgress& p) {
        if (p.phase == "features" && p.done == p.total) cancel = true;
      },
      &cancel);
  EXPECT_TRUE(report.cancelled);
  EXPECT_TRUE(report.candidates.empty());
}

// A layer's score is its own: measured alone or beside others, the same (a fit seeded by the
// candidate's place in the list scored identical features 1.000 and 0.975).
TEST(CutExplorer, ALayersScoreDoesNotDependOnTheOtherCandidates) {
  test::TempDir dir;
  const Model model = xorModel();
  const TrainingSet data = xorImages(dir.path(), 8, 4);
  const auto both = exploreCutPoints(model, data, {"early", "deep"}, smallOptions());
  const auto alone = exploreCutPoints(model, data, {"deep"}, smallOptions());
  ASSERT_EQ(both.candidates.size(), 2u);
  ASSERT_EQ(alone.candidates.size(), 1u);
  EXPECT_EQ(both.candidates[1].valAccuracy, alone.candidates[0].valAccuracy);
  ASSERT_FALSE(both.candidates[1].headKernel.empty());
  EXPECT_EQ(both.candidates[1].headKernel, alone.candidates[0].headKernel);
}

TEST(CutExplorer, UnknownLayersAreListedTogether) {
  const Model model = xorModel();
  try {
    explorerLayers(model.graph, {"early", "nope", "missing"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nope, missing"), std::string::npos) << e.what();
  }
  EXPECT_THROW(explorerLayers(model.graph, {"input_1"}), Error);
  EXPECT_THROW(explorerLayers(model.graph, {"deep", "deep"}), Error);
  // Class probabilities are not features: a cut there stacked a classifier on a classifier.
  try {
    explorerLayers(model.graph, {"predictions"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("predictions ends in softmax"), std::string::npos)
        << e.what();
  }
  // Given layers come back in order of depth.
  EXPECT_EQ(explorerLayers(model.graph, {"flatten", "early"}),
            (std::vector<std::string>{"early", "flatten"}));
}

TEST(CutExplorer, WithoutValidationImagesItSaysHowToGetThem) {
  test::TempDir dir;
  const Model model = xorModel();
  TrainingSet data = xorImages(dir.path(), 2, 1);
  data.validation.clear();
  try {
    exploreCutPoints(model, data, {"deep"}, smallOptions());
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("--val-split"), std::string::npos) << message;
    // With one image per class no share helps: it says so, and offers the other ways.
    EXPECT_NE(message.find("a class needs two images to give one to validation"), std::string::npos)
        << message;
    EXPECT_NE(message.find("--val-dir"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace graft
