// The training doctor's rules on per-epoch numbers: each finding is provoked, and the near
// misses that must not be reported are not.
#include <gtest/gtest.h>

#include "runtime/training/training_doctor.h"

namespace graft {
namespace {

using Confusion = std::vector<std::vector<int64_t>>;

const std::vector<std::string> kClasses{"circle", "square", "triangle"};

EpochCheckup epoch(int n, double loss, double accuracy, std::optional<double> valLoss = {},
                   std::optional<double> valAccuracy = {}, Confusion confusion = {}) {
  EpochCheckup e;
  e.epoch = n;
  e.loss = loss;
  e.accuracy = accuracy;
  e.valLoss = valLoss;
  e.valAccuracy = valAccuracy;
  e.valConfusion = std::move(confusion);
  e.learningRate = 0.001;
  e.optimizer = "adam";
  return e;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// 30 validation images, 10 per class, 11 right: accuracy 0.367, chance 0.333.
const Confusion kNearChance{{4, 3, 3}, {3, 4, 3}, {3, 4, 3}};

TEST(TrainingDoctor, ChanceLevelValidationWhileTrainingAccuracyClimbs) {
  const std::vector<EpochCheckup> history{epoch(1, 1.0, 0.6, 1.1, 0.36, kNearChance),
                                          epoch(2, 0.3, 0.95, 1.3, 0.367, kNearChance)};
  const auto found = checkChanceLevel(history, kClasses);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->code, "chance_level");
  EXPECT_EQ(found->epoch, 2);
  EXPECT_TRUE(contains(found->message, "validation accuracy 0.367 is at chance level (0.333"))
      << found->message;
  EXPECT_TRUE(contains(found->message, "training accuracy is 0.95")) << found->message;
  EXPECT_FALSE(found->fix.empty());

  // Not after one epoch, not when training is itself near chance, not when validation learns.
  EXPECT_FALSE(checkChanceLevel({history.back()}, kClasses));
  auto weakTraining = history;
  weakTraining.back().accuracy = 0.5;
  EXPECT_FALSE(checkChanceLevel(weakTraining, kClasses));
  auto learning = history;
  learning.back().valAccuracy = 0.8;
  learning.back().valConfusion = {{8, 1, 1}, {1, 8, 1}, {1, 1, 8}};
  EXPECT_FALSE(checkChanceLevel(learning, kClasses));
}

TEST(TrainingDoctor, ChanceLevelDoesNotSuggestWhatTheRunAlreadyDoes) {
  std::vector<EpochCheckup> history{epoch(1, 1.0, 0.6, 1.1, 0.36, kNearChance),
                                    epoch(2, 0.3, 0.95, 1.3, 0.367, kNearChance)};
  const auto everythingTrains = checkChanceLevel(history, kClasses);
  ASSERT_TRUE(everythingTrains);
  EXPECT_TRUE(contains(everythingTrains->fix, "train the new layers first"))
      << everythingTrains->fix;
  history.back().newLayersFirst = true;
  const auto headFirst = checkChanceLevel(history, kClasses);
  ASSERT_TRUE(headFirst);
  EXPECT_FALSE(contains(headFirst->fix, "train the new layers first")) << headFirst->fix;
  EXPECT_TRUE(contains(headFirst->fix, "augmentation")) << headFirst->fix;
}

// A run that already keeps BatchNormalization frozen (it said so as it started: "27
// BatchNormalization layers keep their pretrained statistics") is not told to freeze it.
TEST(TrainingDoctor, AdviceDoesNotAskToFreezeWhatTheRunKeepsFrozen) {
  std::vector<EpochCheckup> history{epoch(1, 1.0, 0.6, 1.1, 0.36, kNearChance),
                                    epoch(2, 0.3, 0.95, 1.3, 0.367, kNearChance)};
  for (auto& e : history) e.batchNormFrozen = true;
  const auto chance = checkChanceLevel(history, kClasses);
  ASSERT_TRUE(chance);
  EXPECT_FALSE(contains(chance->fix, "keep BatchNormalization frozen")) << chance->fix;
  EXPECT_TRUE(contains(chance->fix, "train the new layers first on the frozen pretrained ones"))
      << chance->fix;
  const Confusion collapsed{{10, 0, 0}, {10, 0, 0}, {10, 0, 0}};
  auto onOne = epoch(1, 0.5, 0.8, 1.5, 0.333, collapsed);
  onOne.batchNormFrozen = true;
  const auto collapsedFinding = checkCollapsedPredictions({onOne}, kClasses);
  ASSERT_TRUE(collapsedFinding);
  EXPECT_FALSE(contains(collapsedFinding->fix, "keep BatchNormalization frozen"))
      << collapsedFinding->fix;
  // With BatchNormalization training, freezing it is the advice.
  history.back().batchNormFrozen = false;
  EXPECT_TRUE(contains(checkChanceLevel(history, kClasses)->fix, "keep BatchNormalization frozen"));
}

// In a pipeline the fixes name the "train" keys the user writes, not graft-cli train's flags.
TEST(TrainingDoctor, FixesNameOptionsInTheWordsOfWhereTheRunWasGiven) {
  auto e = epoch(1, 0.5, 0.9, 2.0, 0.4);
  e.batchNormDistance = 0.4;
  e.batchNormChanged = 0.6;
  e.words = OptionWords::Pipeline;
  const auto batchNorm = checkBatchNormStatistics({e});
  ASSERT_TRUE(batchNorm);
  EXPECT_TRUE(contains(batchNorm->fix, "leave out \"train_batch_norm\"")) << batchNorm->fix;
  EXPECT_FALSE(contains(batchNorm->fix, "--")) << batchNorm->fix;
  std::vector<EpochCheckup> rising{epoch(1, 1.0, 0.6, 0.5, 0.8), epoch(2, 0.8, 0.7, 0.6, 0.8),
                                   epoch(3, 0.6, 0.8, 0.7, 0.8)};
  for (auto& r : rising) r.words = OptionWords::Pipeline;
  const auto overfitting = checkOverfitting(rising);
  ASSERT_TRUE(overfitting);
  EXPECT_TRUE(contains(overfitting->fix,
                       "\"early_stopping\": 3 with \"restore_best\": true, "
                       "\"checkpoint\": \"best\", or \"epochs\": 1"))
      << overfitting->fix;
  for (auto& r : rising) r.words = OptionWords::CommandLine;
  EXPECT_TRUE(contains(checkOverfitting(rising)->fix,
                       "--early-stopping 3 --restore-best, --checkpoint best, or --epochs 1"))
      << checkOverfitting(rising)->fix;
  const Confusion collapsed{{10, 0, 0}, {10, 0, 0}, {10, 0, 0}};
  auto fromRandom = epoch(1, 0.5, 0.8, 1.5, 0.333, collapsed);
  fromRandom.fromRandomWeights = true;
  fromRandom.words = OptionWords::Pipeline;
  const auto collapsedFinding = checkCollapsedPredictions({fromRandom}, kClasses);
  ASSERT_TRUE(collapsedFinding);
  EXPECT_TRUE(contains(collapsedFinding->fix, "the model's \"weights\"")) << collapsedFinding->fix;
  EXPECT_TRUE(contains(collapsedFinding->fix, "\"class_weights\": true")) << collapsedFinding->fix;
  EXPECT_FALSE(contains(collapsedFinding->fix, "--")) << collapsedFinding->fix;
}

TEST(TrainingDoctor, ChanceIsTheLargestClassShare) {
  // 20 of 30 images are circles: 0.7 accuracy is guessing "circle" and a bit.
  const Confusion skewed{{20, 0, 0}, {4, 1, 0}, {4, 0, 1}};
  const std::vector<EpochCheckup> history{epoch(1, 1.0, 0.7, 1.0, 0.7, skewed),
                                          epoch(2, 0.2, 0.99, 1.2, 0.733, skewed)};
  const auto found = checkChanceLevel(history, kClasses);
  ASSERT_TRUE(found);
  EXPECT_TRUE(contains(found->message, "(0.667: always answering 'circle')")) << found->message;
}

TEST(TrainingDoctor, PredictionsCollapsedOntoOneClass) {
  const Confusion collapsed{{10, 0, 0}, {9, 1, 0}, {10, 0, 0}};
  const auto found =
      checkCollapsedPredictions({epoch(1, 0.5, 0.9, 2.0, 0.367, collapsed)}, kClasses);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->code, "collapsed_predictions");
  EXPECT_TRUE(contains(found->message,
                       "97 % of the validation images are predicted as 'circle', "
                       "which holds 33 %"))
      << found->message;

  EXPECT_FALSE(checkCollapsedPredictions({epoch(1, 0.5, 0.9, 0.5, 0.8, kNearChance)}, kClasses));
  // One class really is nearly everything: predicting it is not a collapse.
  const Confusion mostlyCircles{{19, 0, 0}, {1, 0, 0}, {0, 0, 0}};
  EXPECT_FALSE(checkCollapsedPredictions({epoch(1, 0.5, 0.9, 0.5, 0.95, mostlyCircles)}, kClasses));
  // Too few images to tell.
  const Confusion few{{3, 0, 0}, {3, 0, 0}, {2, 0, 0}};
  EXPECT_FALSE(checkCollapsedPredictions({epoch(1, 0.5, 0.9, 0.5, 0.375, few)}, kClasses));
}

TEST(TrainingDoctor, ValidationLossRisingWhileTrainingLossFallsCountsTheEpochs) {
  std::vector<EpochCheckup> history{epoch(1, 1.0, 0.5, 0.9, 0.5), epoch(2, 0.8, 0.6, 0.7, 0.6),
                                    epoch(3, 0.6, 0.7, 0.75, 0.6)};
  EXPECT_FALSE(checkOverfitting(history));  // one rise is noise
  history.push_back(epoch(4, 0.4, 0.8, 0.8, 0.6));
  auto found = checkOverfitting(history);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->code, "overfitting");
  EXPECT_TRUE(contains(found->message, "rose for 2 epochs in a row (0.7 to 0.8)"))
      << found->message;
  EXPECT_TRUE(contains(found->fix, "--epochs 2")) << found->fix;
  history.push_back(epoch(5, 0.3, 0.9, 0.9, 0.6));
  found = checkOverfitting(history);
  ASSERT_TRUE(found);
  EXPECT_TRUE(contains(found->message, "rose for 3 epochs in a row")) << found->message;
  // A rise within 2 % of where it began is the noise of a few validation images.
  EXPECT_FALSE(checkOverfitting({epoch(1, 1.0, 0.5, 0.300, 0.5), epoch(2, 0.8, 0.6, 0.301, 0.6),
                                 epoch(3, 0.6, 0.7, 0.3055, 0.6)}));
  EXPECT_TRUE(checkOverfitting({epoch(1, 1.0, 0.5, 0.300, 0.5), epoch(2, 0.8, 0.6, 0.301, 0.6),
                                epoch(3, 0.6, 0.7, 0.3065, 0.6)}));
  // Both losses rising is not memorising; neither is a run without validation.
  history.push_back(epoch(6, 0.35, 0.9, 1.0, 0.6));
  EXPECT_FALSE(checkOverfitting(history));
  EXPECT_FALSE(checkOverfitting({epoch(1, 1.0, 0.5), epoch(2, 0.8, 0.6), epoch(3, 0.6, 0.7)}));
}

TEST(TrainingDoctor, LossFlatFromTheStart) {
  std::vector<EpochCheckup> history{epoch(1, 1.0986, 0.33), epoch(2, 1.0985, 0.34)};
  EXPECT_FALSE(checkFlatLoss(history, kClasses));  // too early to say
  history.push_back(epoch(3, 1.0987, 0.33));
  const auto found = checkFlatLoss(history, kClasses);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->code, "flat_loss");
  EXPECT_TRUE(contains(found->message, "stayed at 1.099 for 3 epochs")) << found->message;
  EXPECT_TRUE(contains(found->fix, "raise the learning rate (this run: 0.001)")) << found->fix;

  EXPECT_FALSE(
      checkFlatLoss({epoch(1, 1.1, 0.3), epoch(2, 0.9, 0.5), epoch(3, 0.8, 0.6)}, kClasses));
  // Flat because it is already learned.
  EXPECT_FALSE(checkFlatLoss({epoch(1, 0.01, 1), epoch(2, 0.01, 1), epoch(3, 0.01, 1)}, kClasses));
}

TEST(TrainingDoctor, BatchNormStatisticsThatDisagreeWithTheBatches) {
  auto e = epoch(1, 0.5, 0.9, 2.0, 0.4);
  EXPECT_FALSE(checkBatchNormStatistics({e}));  // no probe: no BatchNormalization trains
  e.batchNormDistance = 0.05;
  e.batchNormChanged = 0.0;
  EXPECT_FALSE(checkBatchNormStatistics({e}));
  e.batchNormDistance = 0.4;
  e.batchNormChanged = 0.6;
  const auto found = checkBatchNormStatistics({e});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->code, "batch_norm_statistics");
  EXPECT_TRUE(contains(found->message, "60 % of the predicted classes change")) << found->message;
  EXPECT_TRUE(contains(found->fix, "--train-batch-norm")) << found->fix;
  e.batchNormDistance = 0.1;  // either measure alone is enough
  EXPECT_TRUE(checkBatchNormStatistics({e}));
}

// A network that starts from random weights has no pretrained statistics or features to keep:
// the advice must not tell the user to freeze BatchNormalization or train a head first.
TEST(TrainingDoctor, FromRandomWeightsTheAdviceIsNotToKeepWhatIsNotThere) {
  const Confusion collapsed{{10, 0, 0}, {10, 0, 0}, {10, 0, 0}};
  std::vector<EpochCheckup> history{epoch(1, 1.0, 0.6, 1.0, 0.333, collapsed),
                                    epoch(2, 0.5, 0.8, 1.5, 0.333, collapsed)};
  history.back().batchNormDistance = 0.5;
  history.back().batchNormChanged = 0.66;
  for (auto& e : history) e.fromRandomWeights = true;
  std::vector<std::string> codes;
  for (const auto& d : examineEpoch(history, kClasses)) {
    codes.push_back(d.code);
    EXPECT_TRUE(contains(d.fix, "the network trains from random weights")) << d.code << d.fix;
    EXPECT_FALSE(contains(d.fix, "keep BatchNormalization frozen")) << d.code << d.fix;
    EXPECT_FALSE(contains(d.fix, "train the new layers first")) << d.code << d.fix;
    EXPECT_TRUE(contains(d.fix, "fetch-weights")) << d.code << d.fix;
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"chance_level", "collapsed_predictions",
                                             "batch_norm_not_settled"}));
  // The measurement and its message are the pretrained case's.
  const std::string fromRandom = checkBatchNormStatistics(history)->message;
  history.back().fromRandomWeights = false;
  EXPECT_EQ(checkBatchNormStatistics(history)->code, "batch_norm_statistics");
  EXPECT_EQ(checkBatchNormStatistics(history)->message, fromRandom);
}

// Only BatchNormalization layers the recipe inserted train, the other layers pretrained: no
// pretrained statistics to keep, as from random weights, but the network is not random.
TEST(TrainingDoctor, NewBatchNormLayersAreToldToSettleNotToFreeze) {
  const Confusion collapsed{{10, 0, 0}, {10, 0, 0}, {10, 0, 0}};
  auto e = epoch(1, 1.0, 0.6, 1.0, 0.333, collapsed);
  e.batchNormDistance = 0.5;
  e.batchNormChanged = 0.66;
  e.newBatchNorms = {"bn_new", "bn_2"};
  const auto found = checkBatchNormStatistics({e});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->code, "batch_norm_not_settled");
  EXPECT_TRUE(contains(found->fix,
                       "the BatchNormalization layers that train are new (bn_new, "
                       "bn_2), so they have no pretrained statistics"))
      << found->fix;
  EXPECT_TRUE(contains(found->fix, "--batch-size")) << found->fix;
  for (const auto& d : examineEpoch({e}, kClasses)) {
    EXPECT_FALSE(contains(d.fix, "keep BatchNormalization frozen")) << d.code << d.fix;
    EXPECT_FALSE(contains(d.fix, "random weights")) << d.code << d.fix;
  }
  e.newBatchNorms = {"bn_new"};
  EXPECT_TRUE(contains(checkBatchNormStatistics({e})->fix, "layer that trains is new (bn_new)"));
}

TEST(TrainingDoctor, LearningRateTooHighForPretrainedLayers) {
  EXPECT_DOUBLE_EQ(pretrainedRateLimit("sgd"), 3e-3);
  EXPECT_DOUBLE_EQ(pretrainedRateLimit("adam"), 3e-4);
  EXPECT_DOUBLE_EQ(pretrainedRateLimit("rmsprop"), 3e-4);
  auto e = epoch(1, 0.5, 0.9);
  e.pretrainedRate = 0.01;
  e.pretrainedChange = 0.3;
  const auto found = checkPretrainedRate({e});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->code, "pretrained_rate_too_high");
  EXPECT_TRUE(contains(found->message,
                       "learning rate of 0.01 (above 0.0003 for adam) and their "
                       "weights have moved by 30 % by epoch 1"))
      << found->message;

  auto barelyMoved = e;
  barelyMoved.pretrainedChange = 0.01;
  EXPECT_FALSE(checkPretrainedRate({barelyMoved}));
  auto lowRate = e;
  lowRate.pretrainedRate = 1e-4;
  EXPECT_FALSE(checkPretrainedRate({lowRate}));
  auto sgd = e;
  sgd.optimizer = "sgd";
  sgd.pretrainedRate = 0.002;  // the usual range for sgd
  EXPECT_FALSE(checkPretrainedRate({sgd}));
  auto unmeasured = e;
  unmeasured.pretrainedChange.reset();
  EXPECT_FALSE(checkPretrainedRate({unmeasured}));
}

TEST(TrainingDoctor, ExamineEpochReportsEveryFindingInOrder) {
  const Confusion collapsed{{10, 0, 0}, {10, 0, 0}, {10, 0, 0}};
  std::vector<EpochCheckup> history{epoch(1, 1.0, 0.6, 1.0, 0.333, collapsed),
                                    epoch(2, 0.5, 0.8, 1.5, 0.333, collapsed),
                                    epoch(3, 0.2, 0.95, 2.0, 0.333, collapsed)};
  history.back().batchNormDistance = 0.5;
  history.back().batchNormChanged = 0.66;
  std::vector<std::string> codes;
  for (const auto& d : examineEpoch(history, kClasses)) codes.push_back(d.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"chance_level", "collapsed_predictions", "overfitting",
                                             "batch_norm_statistics"}));
  EXPECT_TRUE(examineEpoch({epoch(1, 1.0, 0.5, 0.9, 0.6, kNearChance)}, kClasses).empty());
}

TEST(TrainingDoctor, NonFiniteLossSaysWhere) {
  const Diagnosis nan = nonFiniteLoss(2, 3, true, 0.5);
  EXPECT_EQ(nan.code, "loss_not_finite");
  EXPECT_EQ(nan.epoch, 2);
  EXPECT_TRUE(contains(nan.message, "became NaN in epoch 2, batch 3 at a learning rate of 0.5"))
      << nan.message;
  EXPECT_TRUE(contains(nonFiniteLoss(4, 0, false, 1).message, "infinite while validating epoch 4"));
}

}  // namespace
}  // namespace graft
