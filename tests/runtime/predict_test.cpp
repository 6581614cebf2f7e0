// The core predict path end to end on tiny hand-made models whose outputs are worked out by
// hand: loading, resizing, preprocessing, batching, Keras layout, top-K, per-image errors.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <fstream>

#include "graph/graph_builder.h"
#include "runtime/prediction/predict.h"
#include "support/test_support.h"

namespace graft {
namespace {

using test::TempDir;

// A solid-colour PNG (lossless), given in RGB.
std::string solidPng(const TempDir& dir, const std::string& name, int width, int height,
                     cv::Vec3b rgb) {
  const cv::Mat bgr(height, width, CV_8UC3, cv::Scalar(rgb[2], rgb[1], rgb[0]));
  EXPECT_TRUE(cv::imwrite(dir.file(name), bgr));
  return dir.file(name);
}

// input (None, H, W, 3) -> GlobalAveragePooling2D -> Dense(2, softmax) with the kernel rows
// R: [1, -1], G: [2, 0], B: [0, 1] and bias [0.1, -0.2].
Model poolAndClassify(int64_t size, Preprocessing preprocessing,
                      const std::string& activation = "softmax") {
  GraphBuilder b("tiny");
  auto x = b.input("input_1", {kUnknown, size, size, 3});
  x = b.add("GlobalAveragePooling2D", "gap", Json::object(), x);
  b.add("Dense", "fc", {{"units", 2}, {"activation", activation}}, x);
  Model m;
  m.graph = b.build();
  m.weights.set("fc", {WeightTensor::fromValues({3, 2}, {1, -1, 2, 0, 0, 1}),
                       WeightTensor::fromValues({2}, {0.1f, -0.2f})});
  m.preprocessing = preprocessing;
  return m;
}

double sigmoid(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

TEST(Predict, ClassifiesSolidColoursAsWorkedOutByHand) {
  TempDir dir;
  Model model = poolAndClassify(4, Preprocessing::Unit);
  model.labels = {"first", "second"};
  const std::string red = solidPng(dir, "red.png", 10, 6, {255, 0, 0});
  const std::string blueish = solidPng(dir, "blueish.png", 3, 9, {0, 51, 255});
  Predictor predictor(model);
  const auto results = predictor.run({red, blueish});
  ASSERT_EQ(results.size(), 2u);

  // red: features (1, 0, 0) -> logits (1.1, -1.2) -> p(first) = sigmoid(2.3)
  const ImagePrediction& r = results[0];
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.file, red);
  EXPECT_EQ(r.shape, (Shape{2}));
  ASSERT_EQ(r.output.size(), 2u);
  EXPECT_NEAR(r.output[0], sigmoid(2.3), 1e-6);
  EXPECT_NEAR(r.output[1], 1 - sigmoid(2.3), 1e-6);
  ASSERT_EQ(r.top.size(), 2u);
  EXPECT_EQ(r.top[0].index, 0);
  EXPECT_EQ(r.top[0].label, "first");

  // blueish: features (0, 0.2, 1) -> logits (0.5, 0.8) -> p(second) = sigmoid(0.3)
  const ImagePrediction& b = results[1];
  ASSERT_TRUE(b.ok()) << b.error;
  EXPECT_NEAR(b.output[1], sigmoid(0.3), 1e-6);
  EXPECT_EQ(b.top[0].index, 1);
  EXPECT_EQ(b.top[0].label, "second");
  EXPECT_NEAR(b.top[0].probability, sigmoid(0.3), 1e-6);
}

// A log_softmax classifier outputs log-probabilities; its top-K shows their exp, which sums to 1.
TEST(Predict, ALogSoftmaxClassifierShowsProbabilities) {
  TempDir dir;
  Model model = poolAndClassify(4, Preprocessing::Unit, "log_softmax");
  model.labels = {"first", "second"};
  const std::string red = solidPng(dir, "red.png", 10, 6, {255, 0, 0});
  const auto results = Predictor(model).run({red});
  ASSERT_EQ(results.size(), 1u);
  const ImagePrediction& r = results[0];
  ASSERT_TRUE(r.ok()) << r.error;
  // red: logits (1.1, -1.2) -> log p = (log sigmoid(2.3), log sigmoid(-2.3))
  ASSERT_EQ(r.output.size(), 2u);
  EXPECT_NEAR(r.output[0], std::log(sigmoid(2.3)), 1e-6);
  EXPECT_NEAR(r.output[1], std::log(sigmoid(-2.3)), 1e-6);
  ASSERT_EQ(r.top.size(), 2u);
  EXPECT_EQ(r.top[0].label, "first");
  EXPECT_NEAR(r.top[0].probability, sigmoid(2.3), 1e-6);
  EXPECT_NEAR(r.top[1].probability, std::exp(r.output[1]), 1e-6);
  EXPECT_NEAR(r.top[0].probability + r.top[1].probability, 1.0, 1e-6);
}

TEST(Predict, BadImagesAreReportedByNameAndTheRestRun) {
  TempDir dir;
  const std::string good1 = solidPng(dir, "a.png", 5, 5, {255, 0, 0});
  const std::string corrupt = dir.file("corrupt.png");
  std::ofstream(corrupt) << "definitely not a PNG";
  const std::string missing = dir.file("missing.jpg");
  const std::string good2 = solidPng(dir, "b.png", 5, 5, {0, 51, 255});
  Predictor predictor(poolAndClassify(4, Preprocessing::Unit));
  std::vector<std::string> seen;
  PredictOptions options;
  options.batchSize = 4;
  const auto results = predictor.run({good1, corrupt, missing, good2}, options,
                                     [&](const ImagePrediction& p) { seen.push_back(p.file); });
  EXPECT_EQ(seen, (std::vector<std::string>{good1, corrupt, missing, good2}));  // input order
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[3].ok());
  EXPECT_NEAR(results[3].output[1], sigmoid(0.3), 1e-6);
  for (size_t i : {1, 2}) {
    EXPECT_FALSE(results[i].ok());
    EXPECT_NE(results[i].error.find(results[i].file), std::string::npos) << results[i].error;
    EXPECT_TRUE(results[i].output.empty());
  }
}

TEST(Predict, BatchSizeDoesNotChangeResults) {
  TempDir dir;
  std::vector<std::string> files;
  for (int i = 0; i < 5; ++i)
    files.push_back(solidPng(dir, "c" + std::to_string(i) + ".png", 4 + i, 4,
                             {static_cast<uchar>(40 * i), 100, static_cast<uchar>(255 - 30 * i)}));
  Predictor predictor(poolAndClassify(4, Preprocessing::Tf));
  PredictOptions one, many;
  one.batchSize = 1;
  many.batchSize = 3;
  const auto a = predictor.run(files, one), b = predictor.run(files, many);
  for (size_t i = 0; i < files.size(); ++i) {
    ASSERT_TRUE(a[i].ok() && b[i].ok());
    for (size_t k = 0; k < 2; ++k) EXPECT_NEAR(a[i].output[k], b[i].output[k], 1e-6);
  }
}

// Features (no classifier): the preprocessed channel means, in Caffe's BGR order, no top list.
// The input size is None: by default images become 224 x 224; with 0 they keep their size and
// differently sized images go through in separate batches.
TEST(Predict, FeaturesOfAnySizeModelWithCaffePreprocessing) {
  TempDir dir;
  GraphBuilder b("features");
  auto x = b.input("input_1", {kUnknown, kUnknown, kUnknown, 3});
  b.add("GlobalAveragePooling2D", "gap", Json::object(), x);
  Model model;
  model.graph = b.build();
  model.preprocessing = Preprocessing::Caffe;
  Predictor predictor(model);
  const std::string small = solidPng(dir, "small.png", 7, 5, {10, 20, 30});
  const std::string large = solidPng(dir, "large.png", 40, 33, {200, 100, 0});
  for (std::optional<int64_t> free : {std::optional<int64_t>(), std::optional<int64_t>(0)}) {
    PredictOptions options;
    options.freeInputSize = free;
    const auto results = predictor.run({small, large, small}, options);
    ASSERT_EQ(results.size(), 3u);
    for (const auto& r : results) {
      ASSERT_TRUE(r.ok()) << r.error;
      EXPECT_EQ(r.shape, (Shape{3}));
      EXPECT_TRUE(r.top.empty());
    }
    const float expectedSmall[] = {30 - 103.939f, 20 - 116.779f, 10 - 123.68f};
    const float expectedLarge[] = {0 - 103.939f, 100 - 116.779f, 200 - 123.68f};
    for (size_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(results[0].output[c], expectedSmall[c], 1e-3);
      EXPECT_NEAR(results[1].output[c], expectedLarge[c], 1e-3);
      EXPECT_NEAR(results[2].output[c], expectedSmall[c], 1e-3);
    }
  }
}

// A 1x1 convolution R + 10 G + 100 B on a 2x2 image: the output comes back as (H, W, C) with
// each pixel where it was, and no resizing happens for a matching size.
TEST(Predict, FeatureMapsComeBackInKerasLayout) {
  TempDir dir;
  GraphBuilder b("conv");
  auto x = b.input("input_1", {kUnknown, 2, 2, 3});
  b.add("Conv2D", "mix", {{"filters", 1}, {"kernel_size", {1, 1}}}, x);
  Model model;
  model.graph = b.build();
  model.weights.set("mix", {WeightTensor::fromValues({1, 1, 3, 1}, {1, 10, 100}),
                            WeightTensor::fromValues({1}, {0})});
  cv::Mat bgr(2, 2, CV_8UC3);
  bgr.at<cv::Vec3b>(0, 0) = {0, 0, 1};  // RGB (1, 0, 0)   -> 1
  bgr.at<cv::Vec3b>(0, 1) = {0, 2, 0};  // RGB (0, 2, 0)   -> 20
  bgr.at<cv::Vec3b>(1, 0) = {3, 0, 0};  // RGB (0, 0, 3)   -> 300
  bgr.at<cv::Vec3b>(1, 1) = {1, 1, 1};  // RGB (1, 1, 1)   -> 111
  ASSERT_TRUE(cv::imwrite(dir.file("px.png"), bgr));
  const auto results = Predictor(model).run({dir.file("px.png")});
  ASSERT_TRUE(results[0].ok()) << results[0].error;
  EXPECT_EQ(results[0].shape, (Shape{2, 2, 1}));
  EXPECT_EQ(results[0].output, (std::vector<float>{1, 20, 300, 111}));
  EXPECT_TRUE(results[0].top.empty());
}

// keras.Input((H, W)) then Flatten: MNIST-style models take one grey plane per image, no channel
// axis. Grey pixels (v, v, v) have luminance v, so the output is worked out by hand.
TEST(Predict, PlaneInputsTakeImagesAsGrey) {
  TempDir dir;
  cv::Mat bgr(2, 2, CV_8UC3);
  bgr.at<cv::Vec3b>(0, 0) = {255, 255, 255};
  bgr.at<cv::Vec3b>(0, 1) = {0, 0, 0};
  bgr.at<cv::Vec3b>(1, 0) = {51, 51, 51};
  bgr.at<cv::Vec3b>(1, 1) = {102, 102, 102};
  ASSERT_TRUE(cv::imwrite(dir.file("grey.png"), bgr));
  GraphBuilder b("mnist_style");
  auto x = b.input("input_1", {kUnknown, 2, 2});
  x = b.add("Flatten", "flatten", Json::object(), x);
  b.add("Dense", "fc", {{"units", 1}}, x);
  Model model;
  model.graph = b.build();
  model.weights.set("fc", {WeightTensor::fromValues({4, 1}, {1, 10, 100, 1000}),
                           WeightTensor::fromValues({1}, {0})});
  model.preprocessing = Preprocessing::Unit;
  const auto results = Predictor(model).run({dir.file("grey.png")});
  ASSERT_TRUE(results[0].ok()) << results[0].error;
  // 1 * 1.0 + 10 * 0 + 100 * 0.2 + 1000 * 0.4
  EXPECT_NEAR(results[0].output.at(0), 421.0, 1e-3);
}

TEST(Predict, ModelsThatCannotPredictImagesAreRefused) {
  Model labelled = poolAndClassify(4, Preprocessing::Unit);
  labelled.labels = {"a", "b", "c"};
  try {
    Predictor p(labelled);
    ADD_FAILURE() << "three labels for two classes were accepted";
  } catch (const Error& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].subject, "labels");
    EXPECT_NE(std::string(e.what()).find("3 class names"), std::string::npos) << e.what();
  }

  GraphBuilder b("vector");
  auto x = b.input("input_1", {kUnknown, 5});
  b.add("Dense", "fc", {{"units", 2}}, x);
  Model vector;
  vector.graph = b.build();
  vector.weights.set("fc", {WeightTensor::filled({5, 2}, 0.f), WeightTensor::filled({2}, 0.f)});
  EXPECT_THROW(Predictor{vector}, Error);

  Predictor ok(poolAndClassify(4, Preprocessing::Unit));
  PredictOptions bad;
  bad.batchSize = 0;
  EXPECT_THROW(ok.run({}, bad), Error);
}

}  // namespace
}  // namespace graft
