// Staged fine-tuning: stages run back to back on the same weights, each training exactly its
// own layers (frozen ones bit-identical across the stage, BatchNormalization frozen unless the
// stage says otherwise), pretrained layers stepping at their lower learning rate.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "io/project_file.h"
#include "runtime/training/trainer_checkpoint.h"
#include "runtime/training/trainer_stages.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

using test::sameLayer;

class StageRecorder : public TrainObserver {
 public:
  void onStage(const StageEvent& e) override { stages.push_back(e); }
  void onEpoch(const EpochEvent& e) override { epochs.push_back(e); }
  void onBatch(const BatchEvent& e) override {
    if (!stages.empty()) batchLosses[stages.size() - 1].push_back(e.loss);
  }
  std::vector<StageEvent> stages;
  std::vector<EpochEvent> epochs;
  std::map<size_t, std::vector<double>> batchLosses;  // by stage index
};

TrainingStage stage(StageScope scope, const std::string& layer, OptimizerKind kind, double lr,
                    int epochs) {
  TrainingStage s;
  s.name = layer.empty() ? "head" : "from " + layer;
  s.scope = scope;
  s.layer = layer;
  s.optimizer.kind = kind;
  s.optimizer.learningRate = lr;
  s.epochs = epochs;
  return s;
}

class StagedTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    test::drawColourFolder(dir.path() / "data", {"blue_ish", "green_ish", "red_ish"}, {8, 8, 8},
                           16);
    data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
    options.batchSize = 8;
    options.seed = 5;
    options.workers = 1;
  }
  test::TempDir dir;
  TrainingSet data;
  TrainOptions options;
  // tinyModel's conv1 and conv1_bn play the pretrained base, dense the new top.
  const std::vector<std::string> newLayers{"dense"};
};

TEST_F(StagedTraining, TwoStagesTrainTheirOwnLayersAndCarryTheWeights) {
  const Model model = test::tinyModel(3);
  TrainingPlan plan;
  plan.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Adam, 0.03, 2));
  plan.stages.push_back(stage(StageScope::UnfreezeFrom, "conv1", OptimizerKind::Sgd, 0.05, 2));
  StageRecorder events;
  const PlanResult result = trainPlan(model, data, plan, newLayers, options, &events);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  ASSERT_EQ(result.stagesCompleted, 2);
  ASSERT_EQ(result.stages.size(), 2u);
  EXPECT_EQ(events.epochs.size(), 4u);  // each stage logs its own epochs

  // Stage 1: only the new layer trains.
  ASSERT_EQ(events.stages.size(), 2u);
  EXPECT_EQ(events.stages[0].trainableLayers, std::vector<std::string>{"dense"});
  const Model& afterHead = result.stages[0].model;
  EXPECT_TRUE(sameLayer(model, afterHead, "conv1"));
  EXPECT_TRUE(sameLayer(model, afterHead, "conv1_bn"));
  EXPECT_FALSE(sameLayer(model, afterHead, "dense"));

  // Stage 2 starts from stage 1's weights and trains conv1 and dense; BatchNormalization stays
  // frozen (statistics too) by default.
  EXPECT_EQ(events.stages[1].trainableLayers, (std::vector<std::string>{"conv1", "dense"}));
  EXPECT_TRUE(events.stages[1].freezeBatchNorm);
  EXPECT_FALSE(sameLayer(afterHead, result.model, "conv1"));
  EXPECT_FALSE(sameLayer(afterHead, result.model, "dense"));
  EXPECT_TRUE(sameLayer(model, result.model, "conv1_bn"));
  EXPECT_FALSE(result.model.graph.at("conv1_bn").trainable);
}

// A later stage draws anew, as a second model.fit does: with one seed it replayed the first
// stage's batches epoch for epoch. Two stages at a rate too small to move a weight see the same
// images (the same epoch losses) in other batches (other batch losses).
TEST_F(StagedTraining, ALaterStageShufflesTheImagesAnew) {
  const Model model = test::tinyModel(3);
  TrainingPlan plan;
  plan.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Sgd, 1e-12, 1));
  plan.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Sgd, 1e-12, 1));
  StageRecorder events;
  const PlanResult result = trainPlan(model, data, plan, newLayers, options, &events);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  ASSERT_EQ(events.epochs.size(), 2u);
  EXPECT_NEAR(events.epochs[0].loss, events.epochs[1].loss, 1e-6);
  ASSERT_EQ(events.batchLosses[0].size(), events.batchLosses[1].size());
  ASSERT_GT(events.batchLosses[0].size(), 1u);
  EXPECT_NE(events.batchLosses[0], events.batchLosses[1]);
}

// A plan trains only among the layers the model lets train: "all" leaves the model's frozen
// conv1 frozen (bit for bit), and a stage that names it to unfreeze is refused before training.
TEST_F(StagedTraining, TheModelsOwnFreezesHoldInEveryStage) {
  const Model model =
      applyOperation(test::tinyModel(3), ops::freeze(ops::layersNamed({"conv1"}))).value().model;
  TrainingPlan plan;
  plan.stages.push_back(stage(StageScope::All, "", OptimizerKind::Adam, 0.03, 1));
  StageRecorder events;
  const PlanResult result = trainPlan(model, data, plan, newLayers, options, &events);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  ASSERT_EQ(events.stages.size(), 1u);
  EXPECT_EQ(std::count(events.stages[0].trainableLayers.begin(),
                       events.stages[0].trainableLayers.end(), "conv1"),
            0);
  EXPECT_TRUE(sameLayer(model, result.model, "conv1"));
  EXPECT_FALSE(sameLayer(model, result.model, "dense"));

  TrainingPlan unfreezing;
  unfreezing.stages.push_back(
      stage(StageScope::UnfreezeFrom, "conv1", OptimizerKind::Sgd, 0.05, 1));
  try {
    trainPlan(model, data, unfreezing, newLayers, options);
    FAIL() << "a stage unfroze what the model freezes";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unfreeze_from: 'conv1' is frozen in the model itself"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(StagedTraining, BestCheckpointIsTheBestOfTheWholePlan) {
  // Stage 2's rate wrecks the model: with --checkpoint best its epochs must not replace stage
  // 1's better file, and the result says which epoch of the run the file holds.
  const Model model = test::tinyModel(3);
  TrainingPlan plan;
  plan.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Adam, 0.03, 2));
  plan.stages.push_back(stage(StageScope::All, "", OptimizerKind::Sgd, 300.0, 1));
  plan.stages[1].name = "wreck";
  TrainOptions best = options;
  best.checkpointPath = (dir.path() / "best.graft").string();
  best.checkpointMode = CheckpointMode::Best;
  const PlanResult result = trainPlan(model, data, plan, newLayers, best);
  ASSERT_EQ(result.stages.size(), 2u);
  ASSERT_FALSE(result.stages[0].history.empty());
  double stageOneBest = std::numeric_limits<double>::infinity();
  int stageOneEpoch = 0;
  for (const auto& e : result.stages[0].history)
    if (e.checkpointSaved) {
      stageOneBest = *e.valLoss;
      stageOneEpoch = e.epoch;
    }
  for (const auto& e : result.stages[1].history) {
    if (e.valLoss && std::isfinite(*e.valLoss) && *e.valLoss >= stageOneBest) {
      EXPECT_FALSE(e.checkpointSaved) << "stage 2 wrote a worse epoch " << *e.valLoss;
    }
  }
  EXPECT_FALSE(result.stages[1].checkpointEpoch) << "the wrecked stage replaced the file";
  const TrainResult whole = asOneRun(result);
  ASSERT_TRUE(whole.checkpointEpoch);
  EXPECT_EQ(*whole.checkpointEpoch, stageOneEpoch);
  if (stageOneEpoch == 2) {  // stage 1's last epoch: its weights are the stage's result
    EXPECT_TRUE(sameLayer(result.stages[0].model, loadProject(best.checkpointPath), "dense"));
  }
}

// --restore-best over a plan: a later stage that only made the model worse does not decide what
// the run ends with; the model, the file and the reported epoch are the run's best.
TEST_F(StagedTraining, RestoreBestEndsWithTheBestEpochOfTheWholePlan) {
  const Model model = test::tinyModel(3);
  TrainingPlan plan;
  plan.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Adam, 0.03, 3));
  plan.stages.push_back(stage(StageScope::All, "", OptimizerKind::Sgd, 20.0, 2));
  plan.stages[1].name = "worse";
  TrainOptions restoring = options;
  restoring.earlyStopping.restoreBest = true;
  restoring.checkpointPath = (dir.path() / "last.graft").string();  // mode "last"
  struct : StageRecorder {
    void onNote(const std::string& note) override { said.push_back(note); }
    std::vector<std::string> said;
  } observer;
  const PlanResult result = trainPlan(model, data, plan, newLayers, restoring, &observer);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  ASSERT_EQ(result.stages.size(), 2u);
  const EpochEvent& stageOne = modelEpoch(result.stages[0]);
  const EpochEvent& stageTwo = modelEpoch(result.stages[1]);
  ASSERT_LT(*stageOne.valLoss, *stageTwo.valLoss) << "the second stage is to make it worse";

  const int bestEpoch = stageOne.epoch;  // stage 1 comes first: counted alike over the run
  ASSERT_TRUE(result.restoredEpoch);
  EXPECT_EQ(*result.restoredEpoch, bestEpoch);
  EXPECT_TRUE(sameLayer(result.model, result.stages[0].model, "dense"));
  EXPECT_TRUE(sameLayer(result.model, result.stages[0].model, "conv1"));
  EXPECT_TRUE(sameLayer(loadProject(restoring.checkpointPath), result.stages[0].model, "dense"))
      << "the file holds what the run ends with";
  ASSERT_FALSE(observer.said.empty());
  EXPECT_NE(observer.said.back().find("ending the plan with the weights of epoch " +
                                      std::to_string(bestEpoch) + " (epoch " +
                                      std::to_string(bestEpoch) + " of stage 1, head)"),
            std::string::npos)
      << observer.said.back();

  // Reported as one run: the figures are that epoch's.
  const TrainResult whole = asOneRun(result);
  EXPECT_EQ(whole.restoredEpoch, bestEpoch);
  EXPECT_EQ(whole.checkpointEpoch, bestEpoch);
  EXPECT_EQ(whole.bestEpoch, bestEpoch);
  EXPECT_DOUBLE_EQ(*modelEpoch(whole).valLoss, *stageOne.valLoss);
}

// A run that must not end worse than it started (the default runs): a later stage that only
// made the model worse ends with where it started, the stage before's end, in the model, the
// file and the figures reported as one run. The first stage trains random new layers: nothing
// there to keep, and no validation pass before it.
TEST_F(StagedTraining, AStageThatOnlyMadeItWorseKeepsWhereItStarted) {
  const Model model = test::tinyModel(3);
  TrainingPlan plan;
  plan.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Adam, 0.03, 3));
  plan.stages.push_back(stage(StageScope::All, "", OptimizerKind::Sgd, 20.0, 2));
  plan.stages[1].name = "worse";
  TrainOptions guarded = options;
  guarded.keepBetterStart = true;
  guarded.checkpointPath = (dir.path() / "last.graft").string();  // mode "last"
  const PlanResult result = trainPlan(model, data, plan, newLayers, guarded);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  ASSERT_EQ(result.stages.size(), 2u);
  EXPECT_FALSE(result.stages[0].start) << "random new layers: no start to keep";
  EXPECT_FALSE(result.stages[0].restoredEpoch);
  const TrainResult& worse = result.stages[1];
  ASSERT_TRUE(worse.start);
  const EpochEvent& stageOneEnd = result.stages[0].history.back();
  EXPECT_DOUBLE_EQ(*worse.start->valLoss, *stageOneEnd.valLoss);  // no second pass
  ASSERT_GT(*worse.history.back().valLoss, *stageOneEnd.valLoss) << "stage 2 is to wreck it";
  ASSERT_TRUE(worse.restoredEpoch);
  const TrainResult whole = asOneRun(result);
  if (*worse.restoredEpoch == 0) {
    EXPECT_TRUE(sameLayer(result.model, result.stages[0].model, "dense"));
    EXPECT_TRUE(sameLayer(result.model, result.stages[0].model, "conv1"));
    EXPECT_TRUE(sameLayer(loadProject(guarded.checkpointPath), result.stages[0].model, "conv1"));
    // Counted over the run: stage 1's last epoch.
    EXPECT_EQ(whole.restoredEpoch, 3);
    EXPECT_EQ(whole.checkpointEpoch, 3);
    EXPECT_DOUBLE_EQ(*modelEpoch(whole).valLoss, *stageOneEnd.valLoss);
  } else {
    EXPECT_EQ(whole.restoredEpoch, 3 + *worse.restoredEpoch);
    EXPECT_LT(*modelEpoch(whole).valLoss, *stageOneEnd.valLoss);
  }
  EXPECT_EQ(whole.epochsCompleted, 5);
  EXPECT_FALSE(whole.start);

  // A stage that improved on its start ends as it would: its last epoch.
  TrainingPlan better;
  better.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Adam, 0.0005, 1));
  better.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Adam, 0.03, 3));
  const PlanResult improved = trainPlan(model, data, better, newLayers, guarded);
  ASSERT_EQ(improved.status, TrainStatus::Completed) << improved.message;
  ASSERT_LT(*improved.stages[1].history.back().valLoss, *improved.stages[1].start->valLoss);
  EXPECT_FALSE(improved.stages[1].restoredEpoch);
  EXPECT_FALSE(asOneRun(improved).restoredEpoch);
}

// The best epoch in a middle stage: counted over the stages before it, in the model, the file
// and the figures reported as one run.
TEST_F(StagedTraining, RestoreBestCountsTheEpochOverTheStagesBefore) {
  const Model model = test::tinyModel(3);
  TrainingPlan plan;
  plan.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Adam, 0.0005, 1));
  plan.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Adam, 0.03, 3));
  plan.stages.push_back(stage(StageScope::All, "", OptimizerKind::Sgd, 20.0, 2));
  plan.stages[2].name = "worse";
  TrainOptions restoring = options;
  restoring.earlyStopping.restoreBest = true;
  restoring.checkpointPath = (dir.path() / "last.graft").string();
  const PlanResult result = trainPlan(model, data, plan, newLayers, restoring);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  ASSERT_EQ(result.stages.size(), 3u);
  const EpochEvent& middle = modelEpoch(result.stages[1]);
  ASSERT_LT(*middle.valLoss, *modelEpoch(result.stages[0]).valLoss);
  ASSERT_LT(*middle.valLoss, *modelEpoch(result.stages[2]).valLoss);
  const int runEpoch = 1 + middle.epoch;
  EXPECT_EQ(result.restoredEpoch, runEpoch);
  EXPECT_TRUE(sameLayer(result.model, result.stages[1].model, "dense"));
  EXPECT_TRUE(sameLayer(loadProject(restoring.checkpointPath), result.stages[1].model, "dense"));
  const TrainResult whole = asOneRun(result);
  EXPECT_EQ(whole.restoredEpoch, runEpoch);
  EXPECT_EQ(whole.checkpointEpoch, runEpoch);
  EXPECT_DOUBLE_EQ(*modelEpoch(whole).valLoss, *middle.valLoss);
}

// A later stage that restores its best epoch (--restore-best) writes it only when it beats what
// an earlier stage left in the file.
TEST(StagedCheckpoint, ARestoredEpochReplacesAnEarlierStagesFileOnlyWhenBetter) {
  std::vector<int> written;
  TrainOptions options;
  options.checkpointPath = "(in memory)";
  options.checkpointMode = CheckpointMode::Best;
  options.checkpointBestSoFar = 0.3;
  options.checkpointHeld = "epoch 2 of stage 1 (head)";
  options.saveModel = [&](const Model&, const std::string&) { written.push_back(1); };
  const Model model = test::tinyModel(3);
  EpochEvent worse;
  worse.epoch = 2;
  worse.valLoss = 0.4;
  CheckpointWriter writer(options);
  EXPECT_FALSE(writer.holdEpoch(model, worse));
  EXPECT_TRUE(written.empty());
  EXPECT_EQ(writer.whatTheFileHolds(0), "; (in memory) holds epoch 2 of stage 1 (head)");
  EpochEvent better = worse;
  better.valLoss = 0.2;
  EXPECT_FALSE(writer.holdEpoch(model, better));
  EXPECT_EQ(written.size(), 1u);
  EXPECT_EQ(writer.savedEpoch(), 2);
  // An epoch's own write follows the same rule.
  CheckpointWriter next(options);
  EXPECT_FALSE(next.afterEpoch(model, worse));
  EXPECT_FALSE(worse.checkpointSaved);
  // Without the penalty of the layers this stage regularizes (stage 1 trained none of them),
  // 0.35 is 0.25: better than what the file holds.
  EpochEvent regularized = worse;
  regularized.valLoss = 0.35;
  regularized.penalty = 0.1;
  EXPECT_FALSE(next.afterEpoch(model, regularized));
  EXPECT_TRUE(regularized.checkpointSaved);
}

// A later stage's file is described in the run's epochs, the stage's own in brackets: a stopped
// plan said "holds epoch 1" for the second stage's first epoch, the run's fourth.
TEST(StagedCheckpoint, ALaterStagesFileIsDescribedInTheRunsEpochs) {
  TrainOptions options;
  options.checkpointPath = "run.graft";
  options.checkpointMode = CheckpointMode::Last;
  options.saveModel = [](const Model&, const std::string&) {};
  const Model model = test::tinyModel(3);
  EpochEvent first;
  first.epoch = 1;
  first.valLoss = 0.4;
  CheckpointWriter alone(options);
  ASSERT_FALSE(alone.afterEpoch(model, first));
  EXPECT_EQ(alone.whatTheFileHolds(1), "; run.graft holds epoch 1");
  options.epochsBeforeThisStage = 3;
  CheckpointWriter later(options);
  ASSERT_FALSE(later.afterEpoch(model, first));
  EXPECT_EQ(later.whatTheFileHolds(1), "; run.graft holds epoch 4 (epoch 1 of this stage)");
  CheckpointWriter unwritten(options);
  EXPECT_EQ(unwritten.whatTheFileHolds(0),
            "; no epoch completed, nothing was written to run.graft");
}

// Reported as one run, a plan's best epoch is each stage's best (by its monitored loss, as in
// Keras) compared without the regularizers' penalties: a stage that trains regularized layers
// is not worse for the penalty alone.
TEST(StagedRun, TheBestEpochOfAPlanComparesTheStagesWithoutTheirPenalties) {
  auto epoch = [](int number, double valLoss, double penalty) {
    EpochEvent e;
    e.epoch = number;
    e.valLoss = valLoss;
    e.penalty = penalty;
    return e;
  };
  PlanResult plan;
  TrainResult head;
  head.history = {epoch(1, 0.50, 0.0), epoch(2, 0.30, 0.0)};
  head.epochsCompleted = 2;
  head.bestEpoch = 2;
  TrainResult all;
  // Epoch 2 has the lower penalized loss; epoch 1 the lower one without (0.22): within the
  // stage the monitored loss decides, so epoch 2 (0.26) is the stage's best.
  all.history = {epoch(1, 0.42, 0.20), epoch(2, 0.36, 0.10), epoch(3, 0.40, 0.10)};
  all.epochsCompleted = 3;
  all.bestEpoch = 2;
  plan.stages = {head, all};
  EXPECT_EQ(asOneRun(plan).bestEpoch, 4);   // 0.26 < 0.30: stage 2's epoch 2
  plan.stages[1].history[1].penalty = 0.0;  // 0.36 > 0.30: stage 1's epoch 2
  EXPECT_EQ(asOneRun(plan).bestEpoch, 2);
}

TEST_F(StagedTraining, BatchNormTrainsWhenTheStageSaysSo) {
  const Model model = test::tinyModel(3);
  TrainingPlan plan;
  plan.stages.push_back(stage(StageScope::All, "", OptimizerKind::Sgd, 0.05, 1));
  plan.stages[0].freezeBatchNorm = false;
  const PlanResult result = trainPlan(model, data, plan, newLayers, options);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  EXPECT_FALSE(sameLayer(model, result.model, "conv1_bn"));
}

TEST_F(StagedTraining, PretrainedLayersStepAtTheirScaledRate) {
  // One plain SGD step from the same weights: the gradient is the same in both runs, so the
  // pretrained layer's change scales with pretrained_lr_scale and the new layer's does not.
  options.batchSize = 64;  // one batch per epoch
  const Model model = test::tinyModel(3);
  auto step = [&](double scale) {
    TrainingPlan plan;
    plan.stages.push_back(stage(StageScope::All, "", OptimizerKind::Sgd, 0.1, 1));
    plan.stages[0].optimizer.momentum = 0.0;
    plan.stages[0].pretrainedRateScale = scale;
    const PlanResult r = trainPlan(model, data, plan, newLayers, options);
    EXPECT_EQ(r.status, TrainStatus::Completed) << r.message;
    return r.model;
  };
  const Model full = step(1.0);
  const Model quarter = step(0.25);
  auto change = [&](const Model& m, const std::string& layer) {
    const WeightTensor& before = model.weights.find(layer)->at(0);
    const WeightTensor& after = m.weights.find(layer)->at(0);
    std::vector<double> d;
    for (size_t i = 0; i < before.data->size(); ++i)
      d.push_back(static_cast<double>((*after.data)[i]) - (*before.data)[i]);
    return d;
  };
  const auto convFull = change(full, "conv1"), convQuarter = change(quarter, "conv1");
  double moved = 0.0;
  for (size_t i = 0; i < convFull.size(); ++i) {
    EXPECT_NEAR(convQuarter[i], 0.25 * convFull[i], 1e-6 + 1e-3 * std::abs(convFull[i]));
    moved += std::abs(convFull[i]);
  }
  EXPECT_GT(moved, 0.0);
  const auto denseFull = change(full, "dense"), denseQuarter = change(quarter, "dense");
  for (size_t i = 0; i < denseFull.size(); ++i) EXPECT_NEAR(denseQuarter[i], denseFull[i], 1e-6);
}

TEST_F(StagedTraining, AStageThatDoesNotFitTheModelFailsBeforeAnyTraining) {
  const Model model = test::tinyModel(3);
  TrainingPlan plan;
  plan.stages.push_back(stage(StageScope::NewLayers, "", OptimizerKind::Adam, 0.03, 1));
  plan.stages.push_back(
      stage(StageScope::UnfreezeFrom, "block5_conv1", OptimizerKind::Sgd, 0.01, 1));
  StageRecorder events;
  try {
    trainPlan(model, data, plan, newLayers, options, &events, nullptr, "my_plan.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("my_plan.json: $.stages[1].unfreeze_from"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("block5_conv1"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(events.epochs.empty());

  // "new" on a model without new layers names the field too.
  plan.stages.resize(1);
  try {
    trainPlan(model, data, plan, {}, options, nullptr, nullptr, "p.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("p.json: $.stages[0].train"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace graft
