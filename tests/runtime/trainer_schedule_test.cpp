// Learning-rate schedules, early stopping, AdamW and label smoothing, by Keras's rules.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "graph/diagnostic.h"
#include "runtime/training/trainer.h"
#include "runtime/training/trainer_loss.h"
#include "runtime/training/trainer_optimizer.h"
#include "runtime/training/trainer_schedule.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

TEST(LearningRateSchedule, StepCosineAndPlateauFollowKeras) {
  ScheduleOptions step;
  step.kind = ScheduleKind::Step;
  step.stepEpochs = 2;
  step.factor = 0.5;
  const LearningRateSchedule s(0.1, step, 100);
  EXPECT_DOUBLE_EQ(s.rate(1, 0), 0.1);
  EXPECT_DOUBLE_EQ(s.rate(2, 10), 0.1);
  EXPECT_DOUBLE_EQ(s.rate(3, 20), 0.05);
  EXPECT_DOUBLE_EQ(s.rate(5, 40), 0.025);

  ScheduleOptions cosine;
  cosine.kind = ScheduleKind::Cosine;
  cosine.minLearningRate = 0.01;
  const LearningRateSchedule c(0.1, cosine, 100);
  EXPECT_DOUBLE_EQ(c.rate(1, 0), 0.1);
  EXPECT_NEAR(c.rate(3, 50), 0.01 + 0.09 * 0.5, 1e-12);  // half way: the mean
  EXPECT_NEAR(c.rate(9, 100), 0.01, 1e-12);

  ScheduleOptions plateau;
  plateau.kind = ScheduleKind::Plateau;
  plateau.patience = 2;
  plateau.factor = 0.1;
  plateau.minLearningRate = 0.0005;
  LearningRateSchedule p(0.1, plateau, 100);
  EXPECT_FALSE(p.endEpoch(1.0));
  EXPECT_FALSE(p.endEpoch(0.5));      // improved
  EXPECT_FALSE(p.endEpoch(0.49995));  // below min_delta (1e-4): not an improvement, wait 1
  EXPECT_TRUE(p.endEpoch(0.6));       // wait 2: lowered
  EXPECT_NEAR(p.rate(5, 0), 0.01, 1e-12);
  EXPECT_FALSE(p.endEpoch(0.6));
  EXPECT_TRUE(p.endEpoch(0.6));
  EXPECT_NEAR(p.rate(7, 0), 0.001, 1e-12);
  EXPECT_FALSE(p.endEpoch(0.6));
  EXPECT_TRUE(p.endEpoch(0.6));
  EXPECT_NEAR(p.rate(9, 0), 0.0005, 1e-12);  // the floor

  EXPECT_THROW(scheduleFromName("exponential"), Error);
  step.factor = 1.5;
  EXPECT_THROW(LearningRateSchedule(0.1, step, 10), Error);
}

TEST(EarlyStopping, StopsAfterPatienceEpochsWithoutImprovement) {
  EarlyStoppingOptions o;
  o.patience = 2;
  EarlyStopping e(o);
  EXPECT_FALSE(e.endEpoch(1.0));
  EXPECT_TRUE(e.improvedLast());
  EXPECT_FALSE(e.endEpoch(1.0));  // equal is no improvement: wait 1
  EXPECT_FALSE(e.improvedLast());
  EXPECT_FALSE(e.endEpoch(0.9));  // improvement resets
  EXPECT_FALSE(e.endEpoch(0.95));
  EXPECT_TRUE(e.endEpoch(0.95));
  EarlyStopping off{EarlyStoppingOptions{}};
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(off.endEpoch(1.0));
}

TEST(EarlyStopping, EndsTheRunAndCanRestoreTheBestEpoch) {
  test::TempDir dir;
  test::drawColourFolder(dir.path() / "data", {"a", "b"}, {8, 8}, 16);
  const TrainingSet data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 1);
  TrainOptions options;
  options.epochs = 10;
  options.batchSize = 4;
  options.optimizer.learningRate = 1e-12;  // nothing changes: no improvement after epoch 1
  options.earlyStopping.patience = 2;
  options.earlyStopping.minDelta = 1e-3;
  options.earlyStopping.restoreBest = true;
  options.checkpointPath = (dir.path() / "out.h5").string();
  // Frozen base (and its BatchNormalization): nothing at all moves the validation loss.
  const TrainResult r = trainModel(test::tinyFrozenModel(2), data, options);
  ASSERT_EQ(r.status, TrainStatus::Completed) << r.message;
  EXPECT_TRUE(r.stoppedEarly);
  EXPECT_EQ(r.epochsCompleted, 3);
  EXPECT_EQ(r.bestEpoch, 1);
  EXPECT_EQ(r.checkpointEpoch, 1);  // the file holds what the run returns
}

TEST(TrainerSchedule, TheRateReachesTheOptimizerEveryBatch) {
  test::TempDir dir;
  test::drawColourFolder(dir.path() / "data", {"a", "b"}, {8, 8}, 16);
  const TrainingSet data = prepareTrainingSet((dir.path() / "data").string(), "", 0.0, 1);
  struct Rates : TrainObserver {
    void onBatch(const BatchEvent& e) override { rates.push_back(e.learningRate); }
    std::vector<double> rates;
  } seen;
  TrainOptions options;
  options.epochs = 4;
  options.batchSize = 8;
  options.optimizer.learningRate = 0.01;
  options.schedule.kind = ScheduleKind::Step;
  options.schedule.stepEpochs = 2;
  options.schedule.factor = 0.5;
  trainModel(test::tinyModel(2), data, options, &seen);
  EXPECT_EQ(seen.rates, (std::vector<double>{0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.005}));
}

TEST(KerasOptimizer, AdamWDecaysTheWeightsBeforeTheAdamStep) {
  auto var = torch::full({1}, 2.0f, torch::requires_grad());
  OptimizerOptions o;
  o.kind = OptimizerKind::AdamW;
  o.learningRate = 0.1;
  o.weightDecay = 0.5;
  KerasOptimizer opt({var}, o);
  (var * var / 2).sum().backward();  // gradient 2
  opt.step();
  const double alpha = 0.1 * std::sqrt(0.001) / 0.1;
  const double adam = alpha * 0.2 / (std::sqrt(0.004) + 1e-7);
  EXPECT_NEAR(var.item<double>(), 2.0 - 2.0 * 0.5 * 0.1 - adam, 1e-6);
  EXPECT_DOUBLE_EQ(OptimizerOptions{OptimizerKind::AdamW}.effectiveWeightDecay(), 0.004);
  EXPECT_DOUBLE_EQ(OptimizerOptions{}.effectiveWeightDecay(), 0.0);
}

TEST(TrainLoss, LabelSmoothingMixesTheTargetWithTheUniformOne) {
  const auto logits = torch::tensor({{2.0f, 0.0f}});
  const auto label = torch::tensor({0}, torch::kInt64);
  const auto logp = torch::log_softmax(logits, 1)[0];
  const double expected = -(0.9 * logp[0].item<double>() + 0.1 * logp[1].item<double>());
  EXPECT_NEAR(crossEntropyPerSample(logits, label, OutputKind::Logits, 0.2).item<double>(),
              expected, 1e-6);
}

}  // namespace
}  // namespace graft
