// Metrics, the training head (softmax handled by the loss), the frozen-prefix split, and
// evaluation agreeing with training's validation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "runtime/prediction/evaluate.h"
#include "runtime/training/trainer.h"
#include "runtime/training/trainer_graph.h"
#include "runtime/training/trainer_loss.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

TEST(ClassificationMetrics, PrecisionRecallAndConfusionAsScikitLearn) {
  ClassificationMetrics m(3);
  // true:      0 0 0 1 1 2
  // predicted: 0 0 1 1 2 2
  m.add(torch::tensor({0, 0, 1, 1, 2, 2}, torch::kInt64),
        torch::tensor({0, 0, 0, 1, 1, 2}, torch::kInt64), torch::full({6}, 0.5));
  EXPECT_EQ(m.count(), 6);
  EXPECT_DOUBLE_EQ(m.accuracy(), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.meanLoss(), 0.5);
  EXPECT_EQ(m.confusion(), (std::vector<std::vector<int64_t>>{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}}));
  EXPECT_EQ(m.precision(), (std::vector<double>{1.0, 0.5, 0.5}));
  EXPECT_EQ(m.recall(), (std::vector<double>{2.0 / 3.0, 0.5, 1.0}));
  EXPECT_EQ(m.support(), (std::vector<int64_t>{3, 2, 1}));

  ClassificationMetrics never(2);  // a class never predicted and one without images: 0, not NaN
  never.add(torch::tensor({0}, torch::kInt64), torch::tensor({0}, torch::kInt64),
            torch::zeros({1}));
  EXPECT_EQ(never.precision(), (std::vector<double>{1.0, 0.0}));
  EXPECT_EQ(never.recall(), (std::vector<double>{1.0, 0.0}));
}

TEST(ClassificationMetrics, JsonHasTheFieldsDesignMdPromises) {
  ClassificationMetrics m(2);
  m.add(torch::tensor({0, 1}, torch::kInt64), torch::tensor({0, 0}, torch::kInt64),
        torch::tensor({0.1, 2.0}));
  const Json j = evalReportJson(makeReport(m, {"cat", "dog"}));
  EXPECT_DOUBLE_EQ(j.at("accuracy").get<double>(), 0.5);
  EXPECT_NEAR(j.at("loss").get<double>(), 1.05, 1e-6);
  EXPECT_EQ(j.at("count"), 2);
  EXPECT_EQ(j.at("classes"), Json::parse(R"(["cat", "dog"])"));
  ASSERT_EQ(j.at("per_class").size(), 2u);
  EXPECT_EQ(j.at("per_class")[0].at("class"), "cat");
  EXPECT_DOUBLE_EQ(j.at("per_class")[0].at("precision").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j.at("per_class")[0].at("recall").get<double>(), 0.5);
  EXPECT_EQ(j.at("per_class")[0].at("count"), 2);
  EXPECT_EQ(j.at("confusion_matrix"), Json::parse("[[1, 1], [0, 0]]"));
  EXPECT_FALSE(j.contains("skipped"));
  // "dog" has no images: its recall is undefined, null rather than a 0 that reads as a class
  // the model always misses; it was predicted once, wrongly: precision 0 is a fact.
  EXPECT_DOUBLE_EQ(j.at("per_class")[1].at("precision").get<double>(), 0.0);
  EXPECT_TRUE(j.at("per_class")[1].at("recall").is_null()) << j.dump();
  EXPECT_EQ(j.at("per_class")[1].at("count"), 0);

  ClassificationMetrics unpredicted(2);  // "dog" has an image but is never predicted
  unpredicted.add(torch::tensor({0, 0}, torch::kInt64), torch::tensor({0, 1}, torch::kInt64),
                  torch::zeros({2}));
  const Json u = evalReportJson(makeReport(unpredicted, {"cat", "dog"}));
  EXPECT_TRUE(u.at("per_class")[1].at("precision").is_null()) << u.dump();
  EXPECT_DOUBLE_EQ(u.at("per_class")[1].at("recall").get<double>(), 0.0);
}

TEST(TrainLoss, LogitsGiveAFiniteLossForConfidentMistakes) {
  const auto logits = torch::tensor({{200.0f, -200.0f}});
  const auto label = torch::tensor({1}, torch::kInt64);
  // log(softmax) would be log(0) = -inf here; log_softmax gives the exact 400.
  EXPECT_FLOAT_EQ(crossEntropyPerSample(logits, label, OutputKind::Logits).item<float>(), 400.0f);
  EXPECT_TRUE(std::isinf(-torch::softmax(logits, 1)[0][1].log().item<float>()));
  // Probabilities are clipped to 1e-7, as Keras clips them.
  const auto probs = torch::tensor({{1.0f, 0.0f}});
  EXPECT_NEAR(crossEntropyPerSample(probs, label, OutputKind::Probabilities).item<float>(),
              -std::log(1e-7), 1e-3);
}

Graph chain(const std::string& lastActivation, bool softmaxLayer) {
  GraphBuilder b("m");
  auto x = b.input("input_1", {kUnknown, 8, 8, 3});
  x = b.add("Conv2D", "conv", {{"filters", 4}, {"kernel_size", {3, 3}}}, x);
  x = b.add("GlobalAveragePooling2D", "pool", Json::object(), x);
  x = b.add("Dense", "fc", {{"units", 5}, {"activation", lastActivation}}, x);
  if (softmaxLayer) x = b.add("Activation", "probs", {{"activation", "softmax"}}, x);
  return b.build({x});
}

TEST(TrainHead, SoftmaxIsLeftToTheLoss) {
  const TrainHead layer = trainHead(chain("linear", true));
  EXPECT_EQ(layer.softmaxLayer, "probs");
  EXPECT_EQ(layer.graph.outputs(), (std::vector<std::string>{"fc"}));
  EXPECT_EQ(layer.graph.find("probs"), nullptr);
  EXPECT_EQ(layer.kind, OutputKind::Logits);
  EXPECT_EQ(layer.classes, 5);

  const TrainHead dense = trainHead(chain("softmax", false));
  EXPECT_EQ(dense.softmaxLayer, "fc");
  EXPECT_EQ(dense.graph.at("fc").config.at("activation"), "linear");

  const TrainHead sigmoid = trainHead(chain("sigmoid", false));
  EXPECT_EQ(sigmoid.kind, OutputKind::Probabilities);
  EXPECT_NE(sigmoid.note.find("sigmoid"), std::string::npos);

  // keras-applications' MobileNet: the softmax over channels of a 1 x 1 map, then a Reshape.
  GraphBuilder m("mobilenet_top");
  auto t = m.input("input_1", {kUnknown, 1, 1, 8});
  t = m.add("Conv2D", "conv_preds", {{"filters", 5}, {"kernel_size", {1, 1}}}, t);
  t = m.add("Activation", "act_softmax", {{"activation", "softmax"}}, t);
  t = m.add("Reshape", "reshape_2", {{"target_shape", {5}}}, t);
  const TrainHead mobilenet = trainHead(m.build({t}));
  EXPECT_EQ(mobilenet.softmaxLayer, "act_softmax");
  EXPECT_EQ(mobilenet.graph.find("act_softmax"), nullptr);
  EXPECT_EQ(mobilenet.graph.at("reshape_2").inputs, (std::vector<std::string>{"conv_preds"}));
  EXPECT_EQ(mobilenet.kind, OutputKind::Logits);
  EXPECT_EQ(mobilenet.classes, 5);

  GraphBuilder b("features");
  auto x = b.input("input_1", {kUnknown, 8, 8, 3});
  x = b.add("Conv2D", "conv", {{"filters", 4}, {"kernel_size", {3, 3}}}, x);
  EXPECT_THROW(trainHead(b.build({x})), Error);  // no class vector
}

TEST(FrozenSplit, TheBoundaryIsWhereTheFrozenPartFeedsTheTrainablePart) {
  GraphBuilder b("m");
  auto x = b.input("input_1", {kUnknown, 8, 8, 3});
  x = b.add("Conv2D", "conv", {{"filters", 4}, {"kernel_size", {3, 3}}}, x);
  x = b.add("BatchNormalization", "bn", Json::object(), x);
  x = b.add("ReLU", "relu", Json::object(), x);
  x = b.add("GlobalAveragePooling2D", "pool", Json::object(), x);
  x = b.add("Dropout", "drop", {{"rate", 0.5}}, x);
  x = b.add("Dense", "fc", {{"units", 2}}, x);
  b.setTrainable("conv", false);
  b.setTrainable("bn", false);
  const Graph g = b.build({x});
  const FrozenSplit split = splitFrozenPrefix(g, analyzeOrThrow(g));
  // Dropout is random in training: the cache stops before it.
  EXPECT_EQ(split.boundary, "pool");
  EXPECT_EQ(split.featureElements, 4);
  EXPECT_EQ(split.prefix.outputs(), (std::vector<std::string>{"pool"}));
  EXPECT_EQ(split.prefix.size(), 5u);
  EXPECT_EQ(split.suffix.at("pool").className, "InputLayer");
  EXPECT_EQ(split.suffix.size(), 3u);  // pool (input), drop, fc
  EXPECT_TRUE(analyze(split.suffix).ok());

  // A trainable BatchNormalization uses batch statistics: not part of the prefix.
  GraphBuilder c("m2");
  auto y = c.input("input_1", {kUnknown, 8, 8, 3});
  y = c.add("Conv2D", "conv", {{"filters", 4}, {"kernel_size", {3, 3}}}, y);
  y = c.add("BatchNormalization", "bn", Json::object(), y);
  y = c.add("GlobalAveragePooling2D", "pool", Json::object(), y);
  y = c.add("Dense", "fc", {{"units", 2}}, y);
  c.setTrainable("conv", false);
  const Graph g2 = c.build({y});
  EXPECT_EQ(splitFrozenPrefix(g2, analyzeOrThrow(g2)).boundary, "conv");
}

TEST(Evaluate, AgreesWithTheTrainersValidationOnTheSameImages) {
  test::TempDir dir;
  test::drawColourFolder(dir.path() / "data", {"b", "g", "r"}, {10, 10, 10}, 16);
  TrainingSet data = prepareTrainingSet((dir.path() / "data").string(), "", 0.3, 2);
  TrainOptions options;
  options.epochs = 2;
  options.batchSize = 8;
  options.optimizer.learningRate = 0.03;
  const TrainResult trained = trainModel(test::tinyModel(3), data, options);
  ASSERT_EQ(trained.status, TrainStatus::Completed) << trained.message;

  ImageFolder validation;
  validation.root = "validation";
  validation.classes = data.classes;
  validation.samples = data.validation;
  EvalOptions evalOptions;
  evalOptions.batchSize = 5;  // other batches than training's: inference must not care
  const EvalReport report = evaluateModel(trained.model, validation, evalOptions);
  EXPECT_EQ(report.count, static_cast<int64_t>(data.validation.size()));
  EXPECT_NEAR(report.accuracy, *trained.history.back().valAccuracy, 1e-9);
  EXPECT_NEAR(report.loss, *trained.history.back().valLoss, 1e-5);
  EXPECT_EQ(report.confusion, trained.history.back().valConfusion);

  validation.classes = {"b", "g"};
  EXPECT_THROW(evaluateModel(trained.model, validation), Error);
}

std::string evalError(const Model& model, const ImageFolder& folder, const EvalOptions& options) {
  try {
    evaluateModel(model, folder, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "evaluated";
}

// Files that are not images any more (git-lfs pointers never pulled, a broken copy): past
// max_unreadable, or with a class none of whose images can be read, there is no accuracy to
// report. It was 1.0 on the 12 readable images of 102, and a CI check passed on it.
TEST(Evaluate, TooManyUnreadableImagesOrAClassWithNoneReadableIsAnError) {
  test::TempDir dir;
  test::drawColourFolder(dir.path() / "data", {"b", "g", "r"}, {6, 6, 6}, 16);
  const Model model = test::tinyModel(3);
  const auto pointer = [&](const std::string& cls, int i) {
    std::ofstream(dir.path() / "data" / cls / ("lfs" + std::to_string(i) + ".png"))
        << "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n";
  };
  pointer("b", 0);  // 1 of 19: skipped and listed
  EvalOptions options;
  options.batchSize = 4;
  const EvalReport some =
      evaluateModel(model, scanImageFolder((dir.path() / "data").string()), options);
  EXPECT_EQ(some.count, 18);
  ASSERT_EQ(some.skippedFiles.size(), 1u);

  for (int i = 1; i < 4; ++i) pointer("g", i);  // 4 of 22: more than 10 %
  const ImageFolder many = scanImageFolder((dir.path() / "data").string());
  const std::string tooMany = evalError(model, many, options);
  EXPECT_NE(tooMany.find("4 of 22 images could not be read, more than 10 %"), std::string::npos)
      << tooMany;
  options.maxUnreadableFraction = 0.5;  // the user allows it
  EXPECT_EQ(evalError(model, many, options), "evaluated");

  for (const auto& image : std::filesystem::directory_iterator(dir.path() / "data" / "r"))
    std::filesystem::remove(image.path());
  pointer("r", 9);
  const std::string noneRead =
      evalError(model, scanImageFolder((dir.path() / "data").string()), options);
  EXPECT_NE(noneRead.find("class 'r' has no image that could be read (1 file"), std::string::npos)
      << noneRead;
  EXPECT_NE(noneRead.find("its accuracy cannot be measured"), std::string::npos) << noneRead;
}

}  // namespace
}  // namespace graft
