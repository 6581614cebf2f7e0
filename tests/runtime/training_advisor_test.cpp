// The advisor proposes the plans its header documents for a few situations, and each guard
// rail fires on its case and stays quiet on a normal one.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "graph/analysis.h"
#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "io/recipe.h"
#include "io/zoo/zoo.h"
#include "runtime/training/trainer_stages.h"
#include "runtime/training/training_advisor.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

// A zoo network without its top (average pooling) and a new 3-class Dense on it
// ("predictions", stacked by a recipe step: fresh weights) over "pretrained" layers.
Model withNewTop(const std::string& architecture, int inputSize, double alpha = 1.0) {
  zoo::ZooOptions options;
  options.architecture = architecture;
  options.alpha = alpha;
  options.includeTop = false;
  options.inputSize = inputSize;
  options.pooling = "avg";
  Model m;
  m.graph = zoo::buildGraph(options);
  initializeWeights(m.graph, analyzeOrThrow(m.graph), m.weights, 1);
  const std::string top = m.graph.outputs()[0];
  auto edited = applyOperation(
      m, ops::stack(top, {ops::layer("Dense", "predictions",
                                     Json{{"units", 3}, {"activation", "softmax"}})}));
  if (!edited) throw Error(edited.diagnostics());
  return std::move(edited).value().model;
}

// VGG16 at 224. Built once: its 14.7 M weights take a moment to initialise.
const Model& vgg16WithNewTop() {
  static const Model model = withNewTop("vgg16", 224);
  return model;
}
const std::vector<std::string> kVggTop{"predictions"};

DataFacts balanced(int64_t perClass, int64_t side = 224) {
  DataFacts d;
  d.classes = {"a", "b", "c"};
  d.imagesPerClass = {perClass, perClass, perClass};
  d.images = 3 * perClass;
  d.medianSide = side;
  return d;
}

std::vector<std::string> kinds(const std::vector<PlanWarning>& warnings) {
  std::vector<std::string> out;
  for (const auto& w : warnings) out.push_back(w.kind);
  return out;
}

TEST(TrainingAdvisor, TinyDataSetTrainsOnlyTheNewTop) {
  const Model& model = vgg16WithNewTop();
  const ModelFacts facts = describeModel(model, kVggTop);
  EXPECT_EQ(facts.inputSide, 224);
  EXPECT_EQ(facts.pretrainedLayers.size(), 13u);
  const TrainingPlan plan = advisePlan(model, facts, balanced(20));
  ASSERT_EQ(plan.stages.size(), 1u);
  const TrainingStage& s = plan.stages[0];
  EXPECT_EQ(s.scope, StageScope::NewLayers);
  EXPECT_EQ(s.optimizer.kind, OptimizerKind::Adam);
  EXPECT_DOUBLE_EQ(s.optimizer.effectiveLearningRate(), 1e-3);
  EXPECT_EQ(s.epochs, 10);
  EXPECT_FALSE(s.why.empty());
  ASSERT_FALSE(plan.reasons.empty());
  EXPECT_NE(plan.reasons[0].find("overfit"), std::string::npos) << plan.reasons[0];
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(TrainingAdvisor, MediumDataSetFineTunesTheTopBlockAtALowerRate) {
  const Model& model = vgg16WithNewTop();
  const TrainingPlan plan = advisePlan(model, describeModel(model, kVggTop), balanced(300));
  ASSERT_EQ(plan.stages.size(), 2u);
  EXPECT_EQ(plan.stages[0].scope, StageScope::NewLayers);
  EXPECT_EQ(plan.stages[0].epochs, 10);  // 900 images: fewer than 1000
  const TrainingStage& s = plan.stages[1];
  EXPECT_EQ(s.scope, StageScope::UnfreezeFrom);
  EXPECT_EQ(s.layer, "block5_conv1");  // top 20 % of 13 convolutions: block 5, from its start
  EXPECT_EQ(s.optimizer.kind, OptimizerKind::Sgd);
  EXPECT_DOUBLE_EQ(s.optimizer.effectiveLearningRate(), 1e-3);
  EXPECT_DOUBLE_EQ(s.optimizer.effectiveMomentum(), 0.9);
  EXPECT_DOUBLE_EQ(s.pretrainedRateScale, 0.1);
  EXPECT_TRUE(s.freezeBatchNorm);
  EXPECT_EQ(s.epochs, 10);
  EXPECT_EQ(s.why.size(), 3u);
  EXPECT_TRUE(plan.warnings.empty()) << plan.warnings.front();
}

TEST(TrainingAdvisor, LargeDataSetFineTunesTheTopHalf) {
  const Model& model = vgg16WithNewTop();
  const TrainingPlan plan = advisePlan(model, describeModel(model, kVggTop), balanced(2000));
  ASSERT_EQ(plan.stages.size(), 2u);
  EXPECT_EQ(plan.stages[0].epochs, 5);
  // 50 % of 13 is 7 layers: block3_conv3, moved back to the start of block 3.
  EXPECT_EQ(plan.stages[1].layer, "block3_conv1");
}

// What the model freezes (a recipe's freeze) is frozen for good: the fine-tuning stage starts
// above it, says why, and with everything pretrained frozen only the new layers train; a model
// that freezes every layer with weights has no plan.
TEST(TrainingAdvisor, TheModelsOwnFreezesAreKept) {
  const Model frozenTo4 =
      applyOperation(vgg16WithNewTop(), ops::freeze(ops::upTo("block4_pool"))).value().model;
  const ModelFacts facts = describeModel(frozenTo4, kVggTop);
  EXPECT_EQ(facts.frozenByModel.size(), 10u);  // the convolutions of blocks 1 to 4
  const TrainingPlan large = advisePlan(frozenTo4, facts, balanced(2000));
  ASSERT_EQ(large.stages.size(), 2u);
  EXPECT_EQ(large.stages[1].layer, "block5_conv1");  // not block3_conv1: blocks 1-4 stay frozen
  EXPECT_NE(large.stages[1].why[1].find("freezes the layers below block5_conv1"), std::string::npos)
      << large.stages[1].why[1];

  const Model baseFrozen =
      applyOperation(vgg16WithNewTop(), ops::freeze(ops::upTo("block5_pool"))).value().model;
  const TrainingPlan headOnly =
      advisePlan(baseFrozen, describeModel(baseFrozen, kVggTop), balanced(2000));
  ASSERT_EQ(headOnly.stages.size(), 1u);
  EXPECT_EQ(headOnly.stages[0].scope, StageScope::NewLayers);
  ASSERT_FALSE(headOnly.reasons.empty());
  EXPECT_NE(headOnly.reasons[0].find("only the new layers train"), std::string::npos);

  const Model allFrozen =
      applyOperation(vgg16WithNewTop(), ops::freeze(ops::fromLayer("input_1"))).value().model;
  try {
    advisePlan(allFrozen, describeModel(allFrozen, kVggTop), balanced(2000));
    FAIL() << "a plan for a model with nothing to train";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("every layer with weights is frozen in the model itself"),
              std::string::npos)
        << e.what();
  }
}

// Frozen BatchNormalization (Keras's own fine-tuning examples save it so) is no boundary: the
// convolutions around it still fine-tune as for an unfrozen model.
TEST(TrainingAdvisor, FrozenBatchNormalizationDoesNotStopFineTuning) {
  const Model m = withNewTop("mobilenet", 128, 0.25);
  const TrainingPlan free = advisePlan(m, describeModel(m, kVggTop), balanced(2000));
  ops::Selection bn;
  bn.types = {"BatchNormalization"};
  const Model bnFrozen = applyOperation(m, ops::freeze(bn)).value().model;
  const ModelFacts facts = describeModel(bnFrozen, kVggTop);
  EXPECT_TRUE(facts.frozenByModel.empty());
  const TrainingPlan plan = advisePlan(bnFrozen, facts, balanced(2000));
  ASSERT_EQ(plan.stages.size(), 2u);
  ASSERT_EQ(free.stages.size(), 2u);
  EXPECT_EQ(plan.stages[1].layer, free.stages[1].layer);
}

// Every layer from the file (a full Keras model opened as it is): its top fine-tunes.
TEST(TrainingAdvisor, WithoutNewLayersOnlyTheTopIsFineTuned) {
  Model model = vgg16WithNewTop();
  model.recipe = Json::array();  // "predictions" came with the file
  const TrainingPlan plan = advisePlan(model, describeModel(model, {}), balanced(20));
  ASSERT_EQ(plan.stages.size(), 1u);
  EXPECT_EQ(plan.stages[0].scope, StageScope::UnfreezeFrom);
  // Top 10 % of 14 layers with weights: 2, predictions and block5_conv3; block 5 from its start.
  EXPECT_EQ(plan.stages[0].layer, "block5_conv1");
}

TEST(TrainingAdvisor, TheRecipeMarksStackedLayersAsNew) {
  EXPECT_EQ(newLayersOf(vgg16WithNewTop(), {}), kVggTop);
}

TEST(TrainingAdvisor, WithoutPretrainedLayersEverythingTrains) {
  const Model model = test::tinyModel(3);
  const ModelFacts facts = describeModel(model, {"conv1", "conv1_bn", "dense"});
  const TrainingPlan plan = advisePlan(model, facts, balanced(300, 16));
  ASSERT_EQ(plan.stages.size(), 1u);
  EXPECT_EQ(plan.stages[0].scope, StageScope::All);
  EXPECT_EQ(plan.stages[0].epochs, 20);
  // Nothing pretrained: tinyModel's BatchNormalization has no statistics worth keeping.
  EXPECT_FALSE(plan.stages[0].freezeBatchNorm);
  EXPECT_TRUE(plan.reasons.empty());
}

// Layers the user froze (the graph's freeze bar, a recipe's freeze: Node::trainable false) stay
// frozen under "train": "all", and the plan says so: it read "the whole network trains" while
// the run kept them frozen.
TEST(TrainingAdvisor, EveryLayerOfAModelWithFrozenLayersSaysWhichStayFrozen) {
  const Model model =
      applyOperation(test::tinyModel(3), ops::freeze(ops::upTo("conv1"))).value().model;
  const std::vector<std::string> fresh{"conv1", "conv1_bn", "dense"};
  const TrainingPlan plan = advisePlan(model, describeModel(model, fresh), balanced(300, 16));
  ASSERT_EQ(plan.stages.size(), 1u);
  const TrainingStage& stage = plan.stages[0];
  EXPECT_EQ(stage.scope, StageScope::All);
  EXPECT_EQ(stage.name, "all unfrozen layers");
  std::string why;
  for (const auto& sentence : stage.why) why += sentence + "\n";
  EXPECT_EQ(why.find("the whole network"), std::string::npos) << why;
  EXPECT_NE(why.find("so every layer the model lets train trains from its random start"),
            std::string::npos)
      << why;
  EXPECT_NE(
      why.find("The layer with weights the model freezes (conv1: the graph's freeze bar, a "
               "recipe's freeze or the file's trainable flags) stays frozen, in this stage as in "
               "any; unfreeze it first to train it too."),
      std::string::npos)
      << why;
  // What the stage trains: everything but conv1.
  const Model trained = modelForStage(model, stage, 0, fresh, "plan");
  EXPECT_FALSE(trained.graph.at("conv1").trainable);
  EXPECT_TRUE(trained.graph.at("dense").trainable);
}

// Weights Graft trained from a random start ("trained by Graft from random initialization") are
// the user's own, not pretrained: no fine-tuning stage for them, no warning that Adam's 1e-3
// "can destroy the pretrained features"; the same weights from a file are pretrained.
TEST(TrainingAdvisor, WeightsGraftTrainedFromRandomAreNotPretrained) {
  Model model = test::tinyModel(3);
  model.weightsSource = "trained by Graft from random initialization";
  const ModelFacts facts = describeModel(model, {});
  EXPECT_TRUE(facts.pretrainedLayers.empty());
  EXPECT_EQ(facts.ownLayers, (std::vector<std::string>{"conv1", "conv1_bn", "dense"}));
  EXPECT_TRUE(pretrainedLayersOf(model, {}).empty());
  OptimizerOptions adam;
  adam.kind = OptimizerKind::Adam;
  adam.learningRate = 1e-3;
  EXPECT_TRUE(checkRun(model, facts, balanced(300, 16), adam, 1.0, "This run").empty());
  const TrainingPlan plan = advisePlan(model, facts, balanced(300, 16));
  ASSERT_EQ(plan.stages.size(), 1u);
  EXPECT_EQ(plan.stages[0].scope, StageScope::All);

  model.weightsSource = "model.h5";
  const ModelFacts fromFile = describeModel(model, {});
  EXPECT_EQ(fromFile.pretrainedLayers.size(), 3u);
  EXPECT_EQ(kinds(checkRun(model, fromFile, balanced(300, 16), adam, 1.0, "This run")),
            std::vector<std::string>{"high_learning_rate"});
}

TEST(TrainingAdvisor, NewLayersComeFromTheLoaderAndTheRecipe) {
  const Model base = test::tinyModel(3);
  auto edited = applyOperation(
      base, ops::insertAfter("pool", ops::layer("Dense", "extra", Json{{"units", 8}})));
  ASSERT_TRUE(edited) << joinDiagnostics(edited.diagnostics());
  const Model& model = edited.value().model;
  std::vector<std::string> fresh = newLayersOf(model, {"dense", "no_such_layer"});
  std::sort(fresh.begin(), fresh.end());
  EXPECT_EQ(fresh, (std::vector<std::string>{"dense", "extra"}));
}

TEST(TrainingAdvisor, DataFactsCountImagesAndMeasureThem) {
  test::TempDir dir;
  test::drawColourFolder(dir.path(), {"a", "b"}, {3, 5}, 20);
  const DataFacts d = describeData(scanImageFolder(dir.path().string()));
  EXPECT_EQ(d.imagesPerClass, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(d.images, 8);
  EXPECT_EQ(d.medianSide, 20);
  EXPECT_EQ(d.notImages, 0);
}

// Files named as images that are none (git-lfs pointers never pulled): left out of the counts
// the plan is chosen by, and said before the run.
TEST(TrainingAdvisor, FilesThatAreNoImagesAreNotCountedAndAreSaid) {
  test::TempDir dir;
  test::drawColourFolder(dir.path(), {"a", "b"}, {3, 5}, 20);
  for (int i = 0; i < 4; ++i)
    std::ofstream(dir.path() / "a" / ("lfs" + std::to_string(i) + ".png"))
        << "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n";
  const DataFacts d = describeData(scanImageFolder(dir.path().string()));
  EXPECT_EQ(d.imagesPerClass, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(d.images, 8);
  EXPECT_EQ(d.notImages, 4);
  EXPECT_NE(d.firstNotImage.find("a git-lfs pointer"), std::string::npos) << d.firstNotImage;
  ModelFacts model;
  const auto warnings = checkData(model, d);
  ASSERT_FALSE(warnings.empty());
  EXPECT_EQ(warnings.front().kind, "not_images");
  EXPECT_EQ(
      warnings.front().message.rfind("4 of the 12 files named as images do not begin as one", 0),
      0u)
      << warnings.front().message;
}

TrainingStage fineTune(OptimizerKind kind, double lr, double scale = 1.0) {
  TrainingStage s;
  s.name = "fine-tune";
  s.scope = StageScope::UnfreezeFrom;
  s.layer = "block5_conv1";
  s.optimizer.kind = kind;
  s.optimizer.learningRate = lr;
  s.pretrainedRateScale = scale;
  return s;
}

std::vector<std::string> warningsFor(const TrainingStage& stage, const DataFacts& data) {
  const Model& model = vgg16WithNewTop();
  TrainingPlan plan;
  plan.stages = {stage};
  return kinds(checkPlan(model, describeModel(model, kVggTop), data, plan));
}

TEST(TrainingAdvisor, WarnsAboutALargeUnfrozenNetworkOnAFewDozenImages) {
  const std::vector<std::string> large{"large_network_few_images"};
  EXPECT_EQ(warningsFor(fineTune(OptimizerKind::Sgd, 1e-4), balanced(12)), large);
  EXPECT_TRUE(warningsFor(fineTune(OptimizerKind::Sgd, 1e-4), balanced(300)).empty());
  TrainingStage head = fineTune(OptimizerKind::Adam, 1e-3);
  head.scope = StageScope::NewLayers;  // new parameters only: not pretrained ones
  EXPECT_TRUE(warningsFor(head, balanced(12)).empty());
}

TEST(TrainingAdvisor, WarnsAboutAHighLearningRateForPretrainedLayers) {
  const std::vector<std::string> high{"high_learning_rate"};
  EXPECT_EQ(warningsFor(fineTune(OptimizerKind::Adam, 1e-3), balanced(300)), high);
  EXPECT_EQ(warningsFor(fineTune(OptimizerKind::Sgd, 1e-2), balanced(300)), high);
  EXPECT_TRUE(warningsFor(fineTune(OptimizerKind::Adam, 1e-3, 0.1), balanced(300)).empty());
  EXPECT_TRUE(warningsFor(fineTune(OptimizerKind::Sgd, 1e-3), balanced(300)).empty());
  TrainingStage head = fineTune(OptimizerKind::Adam, 1e-2);
  head.scope = StageScope::NewLayers;
  EXPECT_TRUE(warningsFor(head, balanced(300)).empty());
}

// A head the user stacked and has trained since is no longer new, yet it holds no pretrained
// features: training it alone at Adam's 1e-3 is not the rate that destroys them (a reopened
// project warned so). The same layer from the file the model came from is pretrained.
TEST(TrainingAdvisor, AHeadTheRecipeStackedIsNotPretrainedOnceTrained) {
  Model model = vgg16WithNewTop();  // its recipe stacked "predictions"
  TrainingPlan plan;
  TrainingStage head = fineTune(OptimizerKind::Adam, 1e-3);
  head.layer = "predictions";
  plan.stages = {head};
  EXPECT_TRUE(checkPlan(model, describeModel(model, {}), balanced(300), plan).empty());
  model.recipe = Json::array();  // as if the file held it
  EXPECT_EQ(kinds(checkPlan(model, describeModel(model, {}), balanced(300), plan)),
            std::vector<std::string>{"high_learning_rate"});
}

// On a reopened project whose pretrained layers the model freezes, the head the user stacked and
// trained trains on (the advisor said "nothing to train", or fine-tuned the head as if it were
// pretrained at a tenth of the rate); renamed, it stays the user's.
TEST(TrainingAdvisor, TheUsersOwnTrainedHeadTrainsOnOverAFrozenBase) {
  Model model = vgg16WithNewTop();
  const std::string base = model.graph.at("predictions").inputs.front();
  model = applyOperation(model, ops::freeze(ops::upTo(base))).value().model;
  model = applyOperation(model, ops::rename("predictions", "classifier")).value().model;
  EXPECT_EQ(layersAddedByRecipe(model.recipe), std::vector<std::string>{"classifier"});
  const ModelFacts facts = describeModel(model, {});  // trained: not new
  EXPECT_EQ(facts.ownLayers, std::vector<std::string>{"classifier"});
  EXPECT_EQ(std::count(facts.pretrainedLayers.begin(), facts.pretrainedLayers.end(), "classifier"),
            0);
  const TrainingPlan plan = advisePlan(model, facts, balanced(300));
  ASSERT_EQ(plan.stages.size(), 1u);
  EXPECT_EQ(plan.stages[0].scope, StageScope::All);
  EXPECT_DOUBLE_EQ(plan.stages[0].optimizer.effectiveLearningRate(), 1e-3);
  EXPECT_TRUE(plan.warnings.empty());
  // Its rate is not scaled as a pretrained layer's.
  TrainingStage scaled = plan.stages[0];
  scaled.pretrainedRateScale = 0.1;
  EXPECT_EQ(stageRateScales(model, scaled, {}).count("classifier"), 0u);
  EXPECT_EQ(stageRateScales(model, scaled, {}).count("block5_conv3"), 1u);
}

// MobileNet's top pretrained layer is a BatchNormalization, which no stage trains: with the base
// frozen by the recipe the plan fine-tuned "from conv_pw_13_bn on" and trained no pretrained
// weight; the user's trained head trains on instead.
TEST(TrainingAdvisor, ABatchNormalizationAboveAFrozenBaseIsNothingToFineTune) {
  Model model = withNewTop("mobilenet", 128, 0.25);
  const std::string base = model.graph.at("predictions").inputs.front();
  model = applyOperation(model, ops::freeze(ops::upTo(base))).value().model;
  const ModelFacts facts = describeModel(model, {});  // the head trained: the user's own
  EXPECT_EQ(facts.pretrainedLayers.back(), "conv_pw_13_bn");
  const TrainingPlan plan = advisePlan(model, facts, balanced(40));
  ASSERT_EQ(plan.stages.size(), 1u);
  EXPECT_EQ(plan.stages[0].scope, StageScope::All);
  EXPECT_EQ(plan.stages[0].name, "your layers");
}

// A head of the user's own on pretrained layers the model lets train (the window's Cut Here and
// probe --cut start it from the explorer's fitted classifier): with few images only that head
// trains, as a new head would. Fine-tuning a shallow cut's pretrained layer under it (SGD,
// 1e-4) blew the loss up to thousands in the first epoch and left a 0.87 model at chance.
TEST(TrainingAdvisor, TheUsersOwnHeadOnFewImagesTrainsAloneOverTrainablePretrainedLayers) {
  const Model model = withNewTop("mobilenet", 128, 0.25);
  const ModelFacts facts = describeModel(model, {});  // the head trained: the user's own
  ASSERT_EQ(facts.ownLayers, std::vector<std::string>{"predictions"});
  const TrainingPlan few = advisePlan(model, facts, balanced(40));
  ASSERT_EQ(few.stages.size(), 1u);
  EXPECT_EQ(few.stages[0].name, "your layers");
  EXPECT_EQ(few.stages[0].scope, StageScope::UnfreezeFrom);
  EXPECT_EQ(few.stages[0].layer, "predictions");
  EXPECT_EQ(trainableLayers(modelForStage(model, few.stages[0], 0, {}, "plan")),
            std::vector<std::string>{"predictions"});
  // With enough images the pretrained layers below it fine-tune, with Adam: SGD's steps grew
  // with the gradients of a head fitted by the explorer (its shallow cut lost everything in one
  // epoch), Adam's do not.
  const TrainingPlan many = advisePlan(model, facts, balanced(300));
  ASSERT_EQ(many.stages.size(), 1u);
  EXPECT_EQ(many.stages[0].name, "fine-tune");
  EXPECT_EQ(many.stages[0].optimizer.kind, OptimizerKind::Adam);
  EXPECT_DOUBLE_EQ(many.stages[0].optimizer.effectiveLearningRate(), 1e-4);
  EXPECT_DOUBLE_EQ(many.stages[0].pretrainedRateScale, 0.1);
  EXPECT_TRUE(many.warnings.empty());

  // A second layer of the user's on top, the first one frozen by the model: the stage starts at
  // the one that may train (starting at the frozen one, the plan refused the user's own freeze
  // and train fell back to training every layer, the pretrained ones too).
  Model twoHeads =
      applyOperation(model,
                     ops::stack("predictions", {ops::layer("Dense", "refine", Json{{"units", 3}})}))
          .value()
          .model;
  twoHeads = applyOperation(twoHeads, ops::freeze(ops::layersNamed({"predictions"}))).value().model;
  const ModelFacts twoFacts = describeModel(twoHeads, {});
  ASSERT_EQ(twoFacts.ownLayers, (std::vector<std::string>{"predictions", "refine"}));
  const TrainingPlan frozenFirst = advisePlan(twoHeads, twoFacts, balanced(40));
  ASSERT_EQ(frozenFirst.stages.size(), 1u);
  EXPECT_EQ(frozenFirst.stages[0].layer, "refine");
  EXPECT_EQ(trainableLayers(modelForStage(twoHeads, frozenFirst.stages[0], 0, {}, "plan")),
            std::vector<std::string>{"refine"});
}

TEST(TrainingAdvisor, WarnsAboutImagesMuchSmallerThanTheInput) {
  const TrainingStage ok = fineTune(OptimizerKind::Sgd, 1e-4);
  EXPECT_EQ(warningsFor(ok, balanced(300, 32)), std::vector<std::string>{"small_images"});
  EXPECT_TRUE(warningsFor(ok, balanced(300, 150)).empty());
}

TEST(TrainingAdvisor, WarnsAboutBadlyImbalancedClasses) {
  const TrainingStage ok = fineTune(OptimizerKind::Sgd, 1e-4);
  DataFacts d = balanced(300);
  d.imagesPerClass = {400, 300, 40};
  d.images = 740;
  const Model& model = vgg16WithNewTop();
  TrainingPlan plan;
  plan.stages = {ok};
  const auto warnings = checkPlan(model, describeModel(model, kVggTop), d, plan);
  ASSERT_EQ(kinds(warnings), std::vector<std::string>{"imbalanced"});
  EXPECT_NE(warnings[0].message.find("'a' has 400 images, 'c' only 40"), std::string::npos)
      << warnings[0].message;
  d.imagesPerClass = {400, 300, 120};
  EXPECT_TRUE(checkPlan(model, describeModel(model, kVggTop), d, plan).empty());
}

// The pre-run warnings name options as the user gives them, as the doctor's fixes do: graft-cli
// train's flags, or a pipeline's keys in graft-cli run (they named --freeze-upto there).
TEST(TrainingAdvisor, WarningsNameOptionsInTheCommandLinesOrThePipelinesWords) {
  const Model& model = vgg16WithNewTop();
  const ModelFacts facts = describeModel(model, kVggTop);
  TrainingPlan plan;
  plan.stages = {fineTune(OptimizerKind::Sgd, 1e-4)};
  DataFacts d = balanced(12, 32);  // few images, and small ones
  d.imagesPerClass = {20, 12, 4};  // badly imbalanced
  d.images = 36;
  d.notImages = 1;
  d.firstNotImage = "a/x.png (text)";
  const auto said = [&](OptionWords words) {
    const auto warnings = checkPlan(model, facts, d, plan, "plan", words);
    EXPECT_EQ(kinds(warnings), (std::vector<std::string>{"large_network_few_images", "not_images",
                                                         "small_images", "imbalanced"}));
    std::string all;
    for (const auto& w : warnings) all += w.message + "\n";
    return all;
  };
  const std::string commandLine = said(OptionWords::CommandLine);
  for (const char* words :
       {"a plan's \"train\": \"new\", or --freeze-upto)", "(past --max-unreadable it stops)",
        "consider a smaller --input-size or", "use --class-weights or"})
    EXPECT_NE(commandLine.find(words), std::string::npos) << words << "\n" << commandLine;
  const std::string pipeline = said(OptionWords::Pipeline);
  for (const char* words :
       {"a plan's \"train\": \"new\", or \"freeze_upto\")", "(past \"max_unreadable\" it stops)",
        "consider a smaller \"input_size\" in \"model\" or", "use \"class_weights\": true or"})
    EXPECT_NE(pipeline.find(words), std::string::npos) << words << "\n" << pipeline;
  EXPECT_EQ(pipeline.find("--"), std::string::npos) << pipeline;
}

}  // namespace
}  // namespace graft
