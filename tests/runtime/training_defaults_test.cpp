// What a run trains when the user leaves the choice to Graft: a new head on pretrained layers
// follows the advisor's plan, chosen options train as asked with pretrained BatchNormalization
// frozen, --train-batch-norm lets it train, a network from scratch and a user's plan are left
// alone.
#include <gtest/gtest.h>

#include <atomic>

#include <filesystem>

#include "io/project_file.h"
#include "runtime/training/training_defaults.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

using test::sameLayer;

// tinyModel's conv1 and conv1_bn play the pretrained base, dense the new top.
const std::vector<std::string> kFresh{"dense"};

DataFacts folderFacts(int64_t perClass) {
  DataFacts facts;
  facts.classes = {"blue_ish", "green_ish", "red_ish"};
  facts.imagesPerClass = {perClass, perClass, perClass};
  facts.images = 3 * perClass;
  return facts;
}

class StartRecorder : public TrainObserver {
 public:
  void onStart(const TrainStartEvent& e) override { events.push_back(e); }
  std::vector<TrainStartEvent> events;
};

TEST(TrainingDefaults, ANewHeadOnPretrainedLayersFollowsTheAdvisorsPlan) {
  const Model model = test::tinyModel(3);
  const TrainingSetup setup = setUpTraining(model, kFresh, folderFacts(12), TrainingChoice{});
  ASSERT_TRUE(setup.plan);
  EXPECT_TRUE(setup.advisorPlan);
  ASSERT_EQ(setup.plan->stages.size(), 1u);  // 12 images per class: the new layers only
  EXPECT_EQ(setup.plan->stages[0].scope, StageScope::NewLayers);
  EXPECT_TRUE(setup.plan->stages[0].freezeBatchNorm);
  EXPECT_EQ(setup.summary,
            "training by the advisor's plan: 1 stage (the new layers only for 10 epochs), "
            "BatchNormalization frozen");
  EXPECT_EQ(setup.newLayers, kFresh);
  EXPECT_EQ(setup.pretrainedLayers, (std::vector<std::string>{"conv1", "conv1_bn"}));
  EXPECT_TRUE(setup.keepBetterStart);  // a run Graft chose does not end worse than it started

  // With enough images the advisor fine-tunes the top of the base afterwards.
  const TrainingSetup many = setUpTraining(model, kFresh, folderFacts(200), TrainingChoice{});
  ASSERT_TRUE(many.plan);
  ASSERT_EQ(many.plan->stages.size(), 2u);
  EXPECT_EQ(many.summary.rfind("training by the advisor's plan: 2 stages (the new layers only for "
                               "10 epochs, then from conv1 on for 10)",
                               0),
            0u)
      << many.summary;
}

// Every layer pretrained (a Keras model with its own top, a project trained before): trained
// further with nothing chosen, it gets the advisor's gentle fine-tuning, not Adam at 1e-3 over
// every layer (which wrecks what it learned).
TEST(TrainingDefaults, AModelWithItsOwnTopIsFineTunedByTheAdvisorsPlan) {
  const TrainingSetup own =
      setUpTraining(test::tinyModel(3), {}, folderFacts(12), TrainingChoice{});
  ASSERT_TRUE(own.plan);
  EXPECT_TRUE(own.advisorPlan);
  ASSERT_EQ(own.plan->stages.size(), 1u);
  EXPECT_NE(own.plan->stages[0].scope, StageScope::NewLayers);
  EXPECT_EQ(own.plan->stages[0].optimizer.kind, OptimizerKind::Sgd);
  EXPECT_TRUE(own.plan->stages[0].freezeBatchNorm);
  EXPECT_EQ(own.summary.rfind("training by the advisor's plan: 1 stage (", 0), 0u) << own.summary;
  EXPECT_TRUE(own.newLayers.empty());

  // A layer an edit re-initialised, or a top the file lacked, is untrained in the model itself
  // (a project keeps it): new, so it trains first.
  Model reinitialised = test::tinyModel(3);
  reinitialised.untrainedLayers = {"dense"};
  const TrainingSetup head = setUpTraining(reinitialised, {}, folderFacts(12), TrainingChoice{});
  ASSERT_TRUE(head.plan);
  EXPECT_EQ(head.newLayers, kFresh);
  EXPECT_EQ(head.plan->stages[0].scope, StageScope::NewLayers);
}

TEST(TrainingDefaults, ChosenOptionsTrainAsAskedWithPretrainedBatchNormFrozen) {
  TrainingChoice choice;
  choice.chosen = true;
  const TrainingSetup setup = setUpTraining(test::tinyModel(3), kFresh, folderFacts(12), choice);
  EXPECT_FALSE(setup.plan);
  EXPECT_FALSE(setup.model.graph.at("conv1_bn").trainable);
  EXPECT_TRUE(setup.model.graph.at("conv1").trainable);
  EXPECT_TRUE(setup.model.graph.at("dense").trainable);
  EXPECT_EQ(setup.frozenBatchNorm, std::vector<std::string>{"conv1_bn"});
  EXPECT_EQ(setup.summary,
            "1 BatchNormalization layer keeps its pretrained statistics (frozen, inference mode)");
  EXPECT_FALSE(setup.keepBetterStart);  // chosen: as asked, as Keras's fit would

  choice.trainBatchNorm = true;
  const TrainingSetup asked = setUpTraining(test::tinyModel(3), kFresh, folderFacts(12), choice);
  EXPECT_TRUE(asked.model.graph.at("conv1_bn").trainable);
  EXPECT_TRUE(asked.frozenBatchNorm.empty());
  EXPECT_TRUE(asked.summary.empty());
}

TEST(TrainingDefaults, TrainBatchNormWithoutChoicesLetsThePlansStagesTrainIt) {
  TrainingChoice choice;
  choice.trainBatchNorm = true;
  const TrainingSetup setup = setUpTraining(test::tinyModel(3), kFresh, folderFacts(12), choice);
  ASSERT_TRUE(setup.plan);
  for (const auto& stage : setup.plan->stages) EXPECT_FALSE(stage.freezeBatchNorm);
  EXPECT_NE(setup.summary.find(", BatchNormalization training"), std::string::npos)
      << setup.summary;
}

TEST(TrainingDefaults, ANetworkFromScratchAndAUsersPlanAreLeftAlone) {
  // Every layer fresh: nothing pretrained to protect, BatchNormalization learns its statistics.
  const TrainingSetup scratch = setUpTraining(test::tinyModel(3), {"conv1", "conv1_bn", "dense"},
                                              folderFacts(12), TrainingChoice{});
  EXPECT_FALSE(scratch.plan);
  EXPECT_TRUE(scratch.model.graph.at("conv1_bn").trainable);
  EXPECT_TRUE(scratch.summary.empty());
  EXPECT_TRUE(scratch.pretrainedLayers.empty());
  EXPECT_FALSE(scratch.keepBetterStart);  // random weights are nothing to keep

  TrainingChoice choice;
  TrainingPlan plan;
  plan.stages.emplace_back();
  plan.stages[0].scope = StageScope::All;
  plan.stages[0].freezeBatchNorm = false;
  choice.plan = plan;
  const TrainingSetup users = setUpTraining(test::tinyModel(3), kFresh, folderFacts(12), choice);
  ASSERT_TRUE(users.plan);
  EXPECT_FALSE(users.advisorPlan);
  EXPECT_EQ(users.plan->stages[0].scope, StageScope::All);
  EXPECT_FALSE(users.plan->stages[0].freezeBatchNorm);
  EXPECT_TRUE(users.summary.empty());
  EXPECT_FALSE(users.keepBetterStart);
}

// A model trained before (no new layers), trained further with nothing chosen on images that
// make it worse (labelled otherwise than its validation images: what wrecks a network, fast):
// the run measures the model before its first epoch and ends with it, in the model and the
// file.
TEST(TrainingDefaults, ARunGraftChoseEndsWithItsStartWhenItOnlyMadeItWorse) {
  test::TempDir dir;
  const std::vector<std::string> classes{"blue_ish", "green_ish", "red_ish"};
  test::drawColourFolder(dir.path() / "data", classes, {8, 8, 8}, 16);
  test::drawColourFolder(dir.path() / "relabelled", classes, {8, 8, 8}, 16);
  for (size_t i = 0; i < classes.size(); ++i)  // blue images as green ones, and so on
    std::filesystem::rename(dir.path() / "relabelled" / classes[i],
                            dir.path() / "relabelled" / ("x" + classes[(i + 1) % 3]));
  for (const auto& name : classes)
    std::filesystem::rename(dir.path() / "relabelled" / ("x" + name),
                            dir.path() / "relabelled" / name);
  const TrainingSet data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  const TrainingSet misleading = prepareTrainingSet((dir.path() / "relabelled").string(),
                                                    (dir.path() / "data").string(), 0, 3);
  TrainOptions options;
  options.batchSize = 8;
  options.seed = 5;
  options.workers = 1;
  TrainOptions head = options;  // a trained model to start from: its head fitted first
  head.epochs = 4;
  head.optimizer.learningRate = 0.03;
  const TrainResult fitted = trainModel(test::tinyModel(3), data, head);
  ASSERT_EQ(fitted.status, TrainStatus::Completed) << fitted.message;
  Model trained = fitted.model;
  // As if from a file: pretrained (what Graft trained from random weights is the user's own).
  trained.weightsSource = "trained.h5";

  TrainingSetup setup = setUpTraining(trained, {}, folderFacts(8), TrainingChoice{});
  ASSERT_TRUE(setup.keepBetterStart);
  ASSERT_TRUE(setup.plan);
  setup.plan->stages[0].epochs = 3;
  options.checkpointPath = (dir.path() / "again.graft").string();
  struct : TrainObserver {
    void onNote(const std::string& note) override { said.push_back(note); }
    std::vector<std::string> said;
  } observer;
  const TrainResult result = runTraining(setup, misleading, options, &observer);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  ASSERT_TRUE(result.start);
  ASSERT_TRUE(result.start->valLoss);
  ASSERT_GT(*result.history.back().valLoss, *result.start->valLoss) << "the stage is to wreck it";
  // Measured before the first epoch: the trained model's validation loss on all of `data`.
  EXPECT_LT(*result.start->valLoss, 0.5);
  ASSERT_TRUE(result.restoredEpoch);
  if (*result.restoredEpoch == 0) {
    for (const char* layer : {"conv1", "conv1_bn", "dense"}) {
      EXPECT_TRUE(sameLayer(result.model, trained, layer)) << layer;
      EXPECT_TRUE(sameLayer(loadProject(options.checkpointPath), trained, layer)) << layer;
    }
    EXPECT_DOUBLE_EQ(*modelEpoch(result).valLoss, *result.start->valLoss);
  } else {  // an epoch beat the start before the wreck: that one, below the start
    EXPECT_LT(*modelEpoch(result).valLoss, *result.start->valLoss);
  }
  EXPECT_EQ(result.checkpointEpoch, result.restoredEpoch)
      << "the file holds what the run ends with";
  ASSERT_FALSE(observer.said.empty());
  EXPECT_NE(observer.said.back().find("above the"), std::string::npos) << observer.said.back();

  // Stopped after its second epoch (Ctrl-C, the GUI's Stop), the run still ends with the
  // better weights: a stopped run was left with the wreck.
  struct : TrainObserver {
    void onEpoch(const EpochEvent& event) override {
      if (event.epoch == 2) stop->store(true);
    }
    std::atomic<bool>* stop = nullptr;
  } stopper;
  std::atomic<bool> stop{false};
  stopper.stop = &stop;
  const TrainResult stopped = runTraining(setup, misleading, options, &stopper, &stop);
  ASSERT_EQ(stopped.status, TrainStatus::Cancelled) << stopped.message;
  EXPECT_EQ(stopped.epochsCompleted, 2);
  ASSERT_TRUE(stopped.start && stopped.start->valLoss);
  ASSERT_GT(*stopped.history.back().valLoss, *stopped.start->valLoss);
  ASSERT_TRUE(stopped.restoredEpoch) << "stopped with the wreck";
  EXPECT_LT(*modelEpoch(stopped).valLoss, *stopped.history.back().valLoss);
  EXPECT_LE(*modelEpoch(stopped).valLoss, *stopped.start->valLoss);
  EXPECT_EQ(stopped.checkpointEpoch, stopped.restoredEpoch);

  // Chosen options run as asked: the same wreck is what the run returns.
  setup.keepBetterStart = false;
  const TrainResult asked = runTraining(setup, misleading, options);
  ASSERT_EQ(asked.status, TrainStatus::Completed) << asked.message;
  EXPECT_FALSE(asked.start);
  EXPECT_FALSE(asked.restoredEpoch);
  EXPECT_FALSE(sameLayer(asked.model, trained, "dense"));
}

TEST(TrainingDefaults, TheAdvisorsPlanTrainsOnlyTheNewLayers) {
  test::TempDir dir;
  test::drawColourFolder(dir.path() / "data", {"blue_ish", "green_ish", "red_ish"}, {8, 8, 8}, 16);
  const TrainingSet data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  Model model = test::tinyModel(3);
  model.untrainedLayers = kFresh;
  const TrainingSetup setup = setUpTraining(model, kFresh, folderFacts(8), TrainingChoice{});
  TrainOptions options;
  options.batchSize = 8;
  options.seed = 5;
  options.workers = 1;
  StartRecorder started;
  options.checkpointPath = (dir.path() / "trained.graft").string();
  const TrainResult result = runTraining(setup, data, options, &started);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  EXPECT_EQ(result.epochsCompleted, 10);
  // The plan froze the base for its run only: the trained model, and the file saved, keep the
  // layers trainable as they were given, so a later run can still train them.
  const Model saved = loadProject(options.checkpointPath);
  for (const auto& node : model.graph.nodes()) {
    EXPECT_EQ(result.model.graph.at(node.name).trainable, node.trainable) << node.name;
    EXPECT_EQ(saved.graph.at(node.name).trainable, node.trainable) << node.name;
  }
  // What the run trained is no longer new; its own freezes are not steps of the recipe.
  EXPECT_TRUE(result.model.untrainedLayers.empty());
  EXPECT_TRUE(saved.untrainedLayers.empty());
  EXPECT_EQ(result.model.recipe, model.recipe);
  EXPECT_EQ(saved.recipe, model.recipe);
  options.checkpointPath.clear();
  EXPECT_TRUE(sameLayer(model, result.model, "conv1"));
  EXPECT_TRUE(sameLayer(model, result.model, "conv1_bn"));  // moving statistics included
  EXPECT_FALSE(sameLayer(model, result.model, "dense"));
  // The frozen base's outputs are computed once, and the head trains to what it would
  // uncached (the same run with the cache off, as --cache-frozen's own tests compare).
  ASSERT_EQ(started.events.size(), 1u);
  EXPECT_FALSE(started.events[0].cachedPrefix.empty());
  TrainingSetup uncachedSetup = setup;
  uncachedSetup.advisorPlan = false;  // the same plan, without the default's cache
  const TrainResult uncached = runTraining(uncachedSetup, data, options);
  ASSERT_EQ(uncached.status, TrainStatus::Completed) << uncached.message;
  const auto& a = *result.model.weights.find("dense");
  const auto& b = *uncached.model.weights.find("dense");
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t k = 0; k < a[i].data->size(); ++k)
      EXPECT_NEAR((*a[i].data)[k], (*b[i].data)[k], 1e-4) << i << "[" << k << "]";

  // With augmentation every epoch's images differ: nothing to cache.
  options.augment = parseAugmentList("flip");
  StartRecorder augmented;
  ASSERT_EQ(runTraining(setup, data, options, &augmented).status, TrainStatus::Completed);
  ASSERT_EQ(augmented.events.size(), 1u);
  EXPECT_TRUE(augmented.events[0].cachedPrefix.empty());
}

}  // namespace
}  // namespace graft
