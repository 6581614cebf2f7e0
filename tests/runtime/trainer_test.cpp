// Fine-tuning: it learns, frozen layers stay frozen, the cache changes nothing but speed, the
// same seed gives the same run, cancel and NaN keep the last good checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <sstream>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "io/keras_h5_reader.h"
#include "io/keras_weights_import.h"
#include "io/model_source.h"
#include "io/project_file.h"
#include "runtime/module/graph_module.h"
#include "runtime/prediction/evaluate.h"
#include "runtime/training/trainer.h"
#include "runtime/training/trainer_checkpoint.h"
#include "runtime/training/trainer_graph.h"
#include "runtime/training/trainer_loss.h"
#include "runtime/training/trainer_optimizer.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

// Records every event; optionally cancels at a given (epoch, batch).
class Recorder : public TrainObserver {
 public:
  void onStart(const TrainStartEvent& e) override { start = e; }
  void onBatch(const BatchEvent& e) override {
    batches.push_back(e);
    if (e.epoch == cancelEpoch && e.batch == cancelBatch) cancel.store(true);
  }
  void onEpoch(const EpochEvent& e) override { epochs.push_back(e); }
  void onNote(const std::string& text) override { notes.push_back(text); }
  void onSkippedFile(const std::string& path, const std::string&) override {
    skipped.push_back(path);
  }

  TrainStartEvent start;
  std::vector<BatchEvent> batches;
  std::vector<EpochEvent> epochs;
  std::vector<std::string> notes;
  std::vector<std::string> skipped;
  std::atomic<bool> cancel{false};
  int cancelEpoch = -1;
  int64_t cancelBatch = -1;
};

torch::Tensor weight(const Model& m, const std::string& layer, size_t i = 0) {
  const WeightTensor& w = m.weights.find(layer)->at(i);
  return torch::from_blob(const_cast<float*>(w.values()), w.shape, torch::kFloat32).clone();
}

bool sameBits(const WeightTensor& a, const WeightTensor& b) {
  return a.shape == b.shape && *a.data == *b.data;
}

TrainOptions quickOptions(int epochs) {
  TrainOptions o;
  o.epochs = epochs;
  o.batchSize = 8;
  o.optimizer.kind = OptimizerKind::Adam;
  o.optimizer.learningRate = 0.03;
  o.seed = 5;
  o.workers = 2;
  return o;
}

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::drawColourFolder(dir.path() / "data", {"blue_ish", "green_ish", "red_ish"}, {16, 16, 16},
                           16);
    data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  }
  test::TempDir dir;
  TrainingSet data;
};

TEST_F(TrainerTest, LossFallsAndValidationAccuracyRisesOnAnEasySet) {
  Recorder events;
  const TrainResult result = trainModel(test::tinyModel(3), data, quickOptions(6), &events);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  ASSERT_EQ(result.history.size(), 6u);
  EXPECT_LT(result.history.back().loss, 0.7 * result.history.front().loss);
  ASSERT_TRUE(result.history.back().valAccuracy);
  EXPECT_GE(*result.history.back().valAccuracy, 0.8);  // chance: 1/3
  EXPECT_EQ(result.model.labels, data.classes);

  // Events: one per batch and epoch, with the numbers the GUI plots.
  EXPECT_EQ(events.start.trainImages, 36);
  EXPECT_EQ(events.start.validationImages, 12);
  EXPECT_EQ(events.start.batchesPerEpoch, 5);
  EXPECT_EQ(events.batches.size(), 30u);
  ASSERT_EQ(events.epochs.size(), 6u);
  for (const auto& e : events.epochs) {
    EXPECT_EQ(e.images, 36);
    EXPECT_GT(e.imagesPerSecond, 0.0);
    EXPECT_GE(e.dataWaitFraction, 0.0);
    EXPECT_LE(e.dataWaitFraction, 1.0);
    EXPECT_EQ(e.valConfusion.size(), 3u);
  }
  EXPECT_EQ(events.batches.back().epoch, 6);
  EXPECT_EQ(events.batches.back().batch, 5);
  EXPECT_EQ(events.batches.back().size, 4);  // 36 = 4 * 8 + 4
}

// A model ending in log_softmax outputs log-probabilities: the loss is their negative at the
// label (NLL, no second softmax), the model learns, and it keeps its log_softmax when saved.
TEST_F(TrainerTest, ALogSoftmaxHeadTrainsOnItsLogProbabilities) {
  const Model model = applyOperation(test::tinyModel(3),
                                     ops::setConfig("predictions", {{"activation", "log_softmax"}}))
                          .value()
                          .model;
  const TrainHead head = trainHead(model.graph);
  EXPECT_EQ(head.softmaxLayer, "predictions");
  EXPECT_EQ(head.kind, OutputKind::Logits);
  EXPECT_TRUE(head.note.empty()) << head.note;

  {  // The loss on the head's logits is -output[label] of the whole model.
    torch::NoGradGuard noGrad;
    GraphModule whole(model.graph, model.weights);
    GraphModule logits(head.graph, weightsFor(head.graph, model.weights));
    whole.train(false);
    logits.train(false);
    const torch::Tensor images = torch::rand({4, 3, 16, 16}) * 2.0 - 1.0;
    const torch::Tensor labels = torch::tensor({0, 2, 1, 2}, torch::kInt64);
    const torch::Tensor logProbabilities = whole.forward(images);
    EXPECT_TRUE(torch::allclose(logProbabilities.exp().sum(1), torch::ones({4}), 1e-5, 1e-6));
    const torch::Tensor nll = -logProbabilities.gather(1, labels.unsqueeze(1)).squeeze(1);
    EXPECT_TRUE(torch::allclose(crossEntropyPerSample(logits.forward(images), labels, head.kind),
                                nll, 1e-5, 1e-6));
  }

  const TrainResult result = trainModel(model, data, quickOptions(6));
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  EXPECT_LT(result.history.back().loss, 0.7 * result.history.front().loss);
  ASSERT_TRUE(result.history.back().valAccuracy);
  EXPECT_GE(*result.history.back().valAccuracy, 0.8);  // chance: 1/3
  EXPECT_EQ(result.model.graph.at("predictions").config.at("activation"), "log_softmax");
}

// A model trained from random weights is no longer random: saved and reopened, its layers count
// as pretrained (a new head on it then trains first), not as the random start it came from.
TEST_F(TrainerTest, ATrainedRandomStartIsNoLongerRandomWhenReopened) {
  const Model random = test::tinyModel(3);
  ASSERT_TRUE(startedFromRandomWeights(random));
  const TrainResult result = trainModel(random, data, quickOptions(1));
  EXPECT_EQ(result.model.weightsSource, "trained by Graft from random initialization");
  EXPECT_FALSE(startedFromRandomWeights(result.model));
  saveProject(result.model, (dir.path() / "trained.graft").string());
  ModelSpec spec;
  spec.source = (dir.path() / "trained.graft").string();
  EXPECT_TRUE(loadModel(spec).freshLayers.empty());
}

TEST_F(TrainerTest, FrozenLayersAreBitIdenticalAfterTraining) {
  const Model model = test::tinyModel(3);
  TrainOptions options = quickOptions(2);
  options.freezeUpto = "conv1_bn";
  Recorder events;
  const TrainResult result = trainModel(model, data, options, &events);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  for (const std::string layer : {"conv1", "conv1_bn"}) {
    EXPECT_FALSE(result.model.graph.at(layer).trainable);
    const auto& before = *model.weights.find(layer);
    const auto& after = *result.model.weights.find(layer);
    ASSERT_EQ(before.size(), after.size());
    for (size_t i = 0; i < before.size(); ++i)  // moving statistics included
      EXPECT_TRUE(sameBits(before[i], after[i])) << layer << " weight " << i;
  }
  EXPECT_FALSE(torch::equal(weight(model, "dense"), weight(result.model, "dense")));
  EXPECT_EQ(events.start.trainableParams, 8 * 3 + 3);
  // The freeze is recorded as a recipe step, as the GUI and `edit` would record it.
  ASSERT_FALSE(result.model.recipe.empty());
  EXPECT_EQ(result.model.recipe.back().at("op"), "freeze");
}

TEST_F(TrainerTest, CachedFrozenFeaturesGiveTheSameWeightsAsTheUncachedRun) {
  // An unreadable file must be left out of the same batch in both runs.
  std::ofstream(dir.path() / "data" / "green_ish" / "broken.png") << "not a png";
  data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  const Model model = test::tinyFrozenModel(3);
  TrainOptions options = quickOptions(3);

  Recorder plainEvents;
  const TrainResult plain = trainModel(model, data, options, &plainEvents);
  options.cacheFrozen = true;
  Recorder cachedEvents;
  const TrainResult cached = trainModel(model, data, options, &cachedEvents);
  ASSERT_EQ(plain.status, TrainStatus::Completed) << plain.message;
  ASSERT_EQ(cached.status, TrainStatus::Completed) << cached.message;
  EXPECT_EQ(plainEvents.start.cachedPrefix, "");
  EXPECT_EQ(cachedEvents.start.cachedPrefix, "pool");
  EXPECT_EQ(plain.skippedFiles.size(), 1u);
  EXPECT_EQ(cached.skippedFiles.size(), 1u);
  EXPECT_EQ(plainEvents.batches.size(), cachedEvents.batches.size());

  for (size_t i = 0; i < 2; ++i)
    EXPECT_TRUE(torch::allclose(weight(plain.model, "dense", i), weight(cached.model, "dense", i),
                                1e-4, 1e-5))
        << "dense weight " << i << "\n"
        << weight(plain.model, "dense", i) << "\n"
        << weight(cached.model, "dense", i);
  for (size_t e = 0; e < 3; ++e) {
    EXPECT_NEAR(plain.history[e].loss, cached.history[e].loss, 1e-5);
    EXPECT_NEAR(*plain.history[e].valLoss, *cached.history[e].valLoss, 1e-5);
  }
  // Past the memory limit the cache lives in a (mapped, already unlinked) file: same numbers.
  options.cacheMemoryLimitBytes = 1;
  options.cacheDirectory = dir.path().string();
  Recorder diskEvents;
  const TrainResult onDisk = trainModel(model, data, options, &diskEvents);
  ASSERT_EQ(onDisk.status, TrainStatus::Completed) << onDisk.message;
  EXPECT_TRUE(diskEvents.start.cacheOnDisk);
  EXPECT_FALSE(cachedEvents.start.cacheOnDisk);
  EXPECT_TRUE(torch::equal(weight(onDisk.model, "dense"), weight(cached.model, "dense")));
  for (const auto& entry : fs::directory_iterator(dir.path()))  // nothing left behind
    EXPECT_EQ(entry.path().filename().string().find("graft-features-"), std::string::npos);

  // Frozen layers: untouched by either.
  EXPECT_TRUE(
      sameBits(model.weights.find("conv1")->at(0), cached.model.weights.find("conv1")->at(0)));
}

TEST_F(TrainerTest, CacheIsNotUsedWithAugmentationOrWithoutAFrozenPrefix) {
  TrainOptions options = quickOptions(1);
  options.cacheFrozen = true;
  Recorder unfrozen;
  trainModel(test::tinyModel(3), data, options, &unfrozen);
  EXPECT_EQ(unfrozen.start.cachedPrefix, "");
  ASSERT_FALSE(unfrozen.notes.empty());
  EXPECT_NE(unfrozen.notes.back().find("no frozen layers"), std::string::npos);

  options.augment = parseAugmentList("flip");
  Recorder augmented;
  trainModel(test::tinyFrozenModel(3), data, options, &augmented);
  EXPECT_EQ(augmented.start.cachedPrefix, "");
  ASSERT_FALSE(augmented.notes.empty());
  EXPECT_NE(augmented.notes.back().find("augmentation"), std::string::npos);
}

// A model that carries its class names in another order than the folder's sorted one keeps
// it: output i stays the class it was trained for, as eval reads the folder. Sorted order
// re-labelled a trained head's outputs.
TEST_F(TrainerTest, AModelsOwnClassOrderIsKept) {
  TrainingSet set = data;
  const std::vector<std::string> order = {"red_ish", "blue_ish", "green_ish"};
  ASSERT_TRUE(keepModelClassOrder(set, order));
  EXPECT_EQ(set.classes, order);
  ASSERT_EQ(set.train.size(), data.train.size());
  for (const auto* samples : {&set.train, &set.validation})
    for (const ImageSample& sample : *samples)
      EXPECT_EQ(order.at(static_cast<size_t>(sample.label)),
                fs::path(sample.path).parent_path().filename().string())
          << sample.path;
  // Other names, fewer names or none change nothing.
  for (const std::vector<std::string>& names :
       {std::vector<std::string>{"a", "b", "c"}, std::vector<std::string>{"red_ish", "blue_ish"},
        std::vector<std::string>{}}) {
    TrainingSet unchanged = data;
    EXPECT_FALSE(keepModelClassOrder(unchanged, names));
    EXPECT_EQ(unchanged.classes, data.classes);
    EXPECT_EQ(unchanged.train.front().label, data.train.front().label);
  }
}

// Random layers are not "the same every time": the frozen-feature cache stops before them (a
// StochasticDepth inside it was cached as the identity while Keras drops paths every step).
TEST(FrozenPrefix, EndsBeforeALayerThatIsRandomInTraining) {
  const std::vector<std::pair<std::string, Json>> randomLayers = {
      {"Dropout", {{"rate", 0.5}}},
      {"StochasticDepth", {{"drop_path_rate", 0.5}}},
      {"GaussianNoise", {{"stddev", 0.1}}}};
  for (const auto& [random, config] : randomLayers) {
    GraphBuilder b("m");
    const auto x = b.input("input", {kUnknown, 8, 8, 3});
    const auto conv = b.add("Conv2D", "conv", {{"filters", 4}, {"kernel_size", {3, 3}}}, x);
    b.setTrainable("conv", false);
    const auto noise = b.add(random, "noise", config, conv);
    const auto pool = b.add("GlobalAveragePooling2D", "pool", Json::object(), noise);
    b.add("Dense", "dense", {{"units", 2}, {"activation", "softmax"}}, pool);
    const Graph graph = b.build();
    const FrozenSplit split = splitFrozenPrefix(graph, analyzeOrThrow(graph));
    EXPECT_EQ(split.boundary, "conv") << random;
  }
}

TEST(LayerRateScale, FindsLayersWhoseNamesHoldADot) {
  // Parameters are named with '.' in the layer name as '_' ("layer1_0_conv.kernel").
  const std::map<std::string, double> scales = {{"layer1.0.conv", 0.1}, {"head", 2.0}};
  EXPECT_DOUBLE_EQ(layerRateScale(scales, "layer1_0_conv.kernel"), 0.1);
  EXPECT_DOUBLE_EQ(layerRateScale(scales, "head.bias"), 2.0);
  EXPECT_DOUBLE_EQ(layerRateScale(scales, "other.kernel"), 1.0);
}

// A layer's Keras regularizer is part of the loss, as in Keras's fit and evaluate: at a rate
// too small to move a weight, the loss and the validation loss exceed the plain model's by
// l2 * sum(kernel^2), and eval says the same; at a real rate the kernel shrinks. An L2 on a new
// head trained exactly as without it.
TEST_F(TrainerTest, AnL2RegularizerIsPartOfTheLossAsInKeras) {
  const double l2 = 0.5;
  const Json regularizer = {{"class_name", "L2"}, {"config", {{"l2", l2}}}};
  const Model plain = test::tinyModel(3);
  const Model regularized =
      applyOperation(plain, ops::setConfig("dense", {{"kernel_regularizer", regularizer}}))
          .value()
          .model;
  const double penalty = l2 * weight(plain, "dense").square().sum().item<double>();
  ASSERT_GT(penalty, 1e-3);

  TrainOptions still = quickOptions(1);
  still.optimizer.kind = OptimizerKind::Sgd;
  still.optimizer.learningRate = 1e-12;
  Recorder events;
  const TrainResult a = trainModel(plain, data, still);
  const TrainResult b = trainModel(regularized, data, still, &events);
  ASSERT_EQ(b.status, TrainStatus::Completed) << b.message;
  EXPECT_NEAR(b.history[0].loss - a.history[0].loss, penalty, 1e-4);
  EXPECT_NEAR(*b.history[0].valLoss - *a.history[0].valLoss, penalty, 1e-4);
  // The penalty's part is kept apart (a plan's stages compare their epochs without it).
  EXPECT_NEAR(b.history[0].penalty, penalty, 1e-4);
  EXPECT_NEAR(unpenalizedLoss(b.history[0]), *a.history[0].valLoss, 1e-4);
  EXPECT_EQ(a.history[0].penalty, 0.0);
  bool said = false;
  for (const std::string& note : events.notes)
    said = said || note.find("L1/L2 penalties of 1 layer's weights") != std::string::npos;
  EXPECT_TRUE(said);

  // eval of the same weights on the validation images: the same loss as the last validation.
  ImageFolder validation;
  validation.root = "validation";
  validation.classes = data.classes;
  validation.samples = data.validation;
  const EvalReport evaluated = evaluateModel(b.model, validation);
  EXPECT_NEAR(evaluated.loss, *b.history[0].valLoss, 1e-5);

  const TrainResult plainRun = trainModel(plain, data, quickOptions(2));
  const TrainResult decayed = trainModel(regularized, data, quickOptions(2));
  EXPECT_LT(weight(decayed.model, "dense").square().sum().item<double>(),
            weight(plainRun.model, "dense").square().sum().item<double>());
}

// What Graft does not apply (a constraint, an activity regularizer) is said, naming the layer.
TEST_F(TrainerTest, AConstraintItDoesNotApplyIsSaid) {
  const Json maxNorm = {{"class_name", "MaxNorm"}, {"config", {{"max_value", 2}, {"axis", 0}}}};
  const Model model =
      applyOperation(test::tinyModel(3), ops::setConfig("dense", {{"kernel_constraint", maxNorm}}))
          .value()
          .model;
  Recorder events;
  ASSERT_EQ(trainModel(model, data, quickOptions(1), &events).status, TrainStatus::Completed);
  std::string said;
  for (const std::string& note : events.notes)
    if (note.find("not applied in training") != std::string::npos) said = note;
  EXPECT_NE(said.find("1 layer's"), std::string::npos) << said;
  EXPECT_NE(said.find("dense: kernel_constraint MaxNorm(max_value=2)"), std::string::npos) << said;
  Recorder plain;
  trainModel(test::tinyModel(3), data, quickOptions(1), &plain);
  for (const std::string& note : plain.notes)
    EXPECT_EQ(note.find("not applied"), std::string::npos) << note;
}

TEST_F(TrainerTest, TheSameSeedGivesTheSameRun) {
  const Model model = test::tinyModel(3, 16, 7, /*dropout=*/true);
  TrainOptions options = quickOptions(2);
  options.augment = parseAugmentList("all");
  options.workers = 3;
  const TrainResult a = trainModel(model, data, options);
  options.workers = 1;
  const TrainResult b = trainModel(model, data, options);
  options.seed = 6;
  const TrainResult c = trainModel(model, data, options);
  for (const std::string layer : {"conv1", "dense"})
    EXPECT_TRUE(torch::equal(weight(a.model, layer), weight(b.model, layer))) << layer;
  EXPECT_FALSE(torch::equal(weight(a.model, "dense"), weight(c.model, "dense")));
}

TEST_F(TrainerTest, CancelStopsAtABatchBoundaryAndKeepsTheLastEpochsCheckpoint) {
  const Model model = test::tinyModel(3);
  TrainOptions options = quickOptions(3);
  options.checkpointPath = (dir.path() / "out.h5").string();
  Recorder events;
  events.cancelEpoch = 2;
  events.cancelBatch = 2;
  const TrainResult result = trainModel(model, data, options, &events, &events.cancel);
  EXPECT_EQ(result.status, TrainStatus::Cancelled);
  EXPECT_EQ(result.epochsCompleted, 1);
  EXPECT_EQ(events.batches.back().epoch, 2);
  EXPECT_EQ(events.batches.back().batch, 2);  // stopped right after the batch that asked
  ASSERT_EQ(result.checkpointEpoch, 1);
  EXPECT_NE(result.message.find("holds epoch 1"), std::string::npos) << result.message;

  // The checkpoint loads and holds epoch 1's weights (result.model), not epoch 2's partial ones.
  WeightStore loaded;
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  loadKerasWeights(KerasH5Reader(options.checkpointPath), model.graph, analysis, loaded);
  for (const auto& layer : result.model.weights.layers())
    for (size_t i = 0; i < result.model.weights.find(layer)->size(); ++i)
      EXPECT_TRUE(sameBits(loaded.find(layer)->at(i), result.model.weights.find(layer)->at(i)))
          << layer;
  EXPECT_EQ(result.history.size(), 1u);
  for (const auto& entry : fs::directory_iterator(dir.path()))  // no temporary files left over
    EXPECT_EQ(entry.path().filename().string().find(".out.h5.tmp"), std::string::npos);
}

TEST_F(TrainerTest, NanLossEndsTheRunWithAMessageAndLeavesThePreviousFile) {
  Model model = test::tinyModel(3);
  auto dense = *model.weights.find("dense");
  std::vector<float> kernel(dense[0].data->begin(), dense[0].data->end());
  kernel[0] = std::numeric_limits<float>::quiet_NaN();
  dense[0] = WeightTensor::fromValues(dense[0].shape, kernel);
  model.weights.set("dense", dense);

  const std::string out = (dir.path() / "out.h5").string();
  std::ofstream(out) << "previous good checkpoint";
  TrainOptions options = quickOptions(2);
  options.checkpointPath = out;
  const TrainResult result = trainModel(model, data, options);
  EXPECT_EQ(result.status, TrainStatus::Failed);
  EXPECT_NE(result.message.find("the loss became NaN at epoch 1, batch 1"), std::string::npos)
      << result.message;
  EXPECT_EQ(result.epochsCompleted, 0);
  std::stringstream content;
  content << std::ifstream(out).rdbuf();
  EXPECT_EQ(content.str(), "previous good checkpoint");
}

TEST_F(TrainerTest, SetupProblemsAreErrorsBeforeTraining) {
  auto message = [&](const Model& m, const TrainOptions& o) -> std::string {
    try {
      trainModel(m, data, o);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  TrainOptions options = quickOptions(1);
  const std::string twoClasses = message(test::tinyModel(2), options);
  EXPECT_NE(twoClasses.find("predicts 2 classes but the data has 3"), std::string::npos);
  // The fix names the classifier layer, in the GUI's words and a recipe's.
  EXPECT_NE(twoClasses.find("give dense 3 units (in Graft: in Properties, set dense's units to 3; "
                            "in a recipe: {\"op\":\"set_config\",\"layers\":{\"dense\":{"
                            "\"units\":3}}})"),
            std::string::npos)
      << twoClasses;
  // MobileNet's classifier is a 1x1 Conv2D with a Reshape to its count after it: both change.
  ModelSpec mobileNet;
  mobileNet.source = "mobilenet";
  mobileNet.alpha = 0.25;
  mobileNet.inputSize = 32;
  mobileNet.includeTop = true;
  mobileNet.classes = 5;
  mobileNet.kerasCacheDir = "/nonexistent-keras-cache";  // random weights, whatever is cached
  try {
    checkClassCount(trainHead(loadModel(mobileNet).model.graph), {"a", "b", "c"});
    ADD_FAILURE() << "5 classes taken for 3";
  } catch (const Error& e) {
    const std::string fix = e.what();
    EXPECT_NE(fix.find("give conv_preds 3 filters (in Graft: in Properties, set reshape_2's "
                       "target_shape to [-1], then set conv_preds's filters to 3; in a recipe: "
                       "{\"op\":\"set_config\",\"layers\":{\"conv_preds\":{\"filters\":3},"
                       "\"reshape_2\":{\"target_shape\":[3]}}})"),
              std::string::npos)
        << fix;
  }
  // Cut below its classifier, the model has none: said so, not "predicts N classes".
  const Model cut = applyOperation(test::tinyModel(3), ops::cut("pool")).value().model;
  const std::string noTop = message(cut, options);
  EXPECT_NE(noTop.find("pool: the model ends in this GlobalAveragePooling2D layer, which gives 8 "
                       "features"),
            std::string::npos)
      << noTop;
  EXPECT_NE(noTop.find("stack a classifier on it: a Dense layer with 3 units and softmax"),
            std::string::npos)
      << noTop;
  options.freezeUpto = "no_such_layer";
  EXPECT_NE(message(test::tinyModel(3), options).find("no_such_layer"), std::string::npos);
  options.freezeUpto = "Dense_";  // a slip of "dense": said, as a recipe's names are
  EXPECT_NE(message(test::tinyModel(3), options).find("did you mean 'dense'?"), std::string::npos)
      << message(test::tinyModel(3), options);
  options.freezeUpto = "dense";
  EXPECT_NE(message(test::tinyModel(3), options).find("nothing to train"), std::string::npos);
  options = quickOptions(1);
  options.checkpointPath = (dir.path() / "model.pt").string();
  EXPECT_NE(message(test::tinyModel(3), options).find("model.pt"), std::string::npos);
  // Keras-2-layout weights under Keras 3's suffix would be opened as Keras 3's layout.
  options.checkpointPath = (dir.path() / "model.weights.h5").string();
  EXPECT_NE(message(test::tinyModel(3), options).find("name it without .weights"),
            std::string::npos);
  options = quickOptions(0);
  EXPECT_NE(message(test::tinyModel(3), options).find("--epochs"), std::string::npos);
}

TEST_F(TrainerTest, BalancedClassWeightsAreReportedAndUsed) {
  test::drawColourFolder(dir.path() / "imbalanced", {"a", "b"}, {12, 4}, 16);
  const TrainingSet imbalanced =
      prepareTrainingSet((dir.path() / "imbalanced").string(), "", 0.0, 1);
  TrainOptions options = quickOptions(1);
  options.batchSize = 16;
  options.classWeights = true;
  Recorder weighted;
  trainModel(test::tinyModel(2), imbalanced, options, &weighted);
  ASSERT_EQ(weighted.start.classWeights.size(), 2u);
  EXPECT_DOUBLE_EQ(weighted.start.classWeights[0], 16.0 / (2 * 12));
  EXPECT_DOUBLE_EQ(weighted.start.classWeights[1], 16.0 / (2 * 4));
  options.classWeights = false;
  Recorder plain;
  trainModel(test::tinyModel(2), imbalanced, options, &plain);
  // Same first batch (all 16 images), same initial weights: only the weighting differs.
  ASSERT_FALSE(weighted.batches.empty());
  EXPECT_GT(std::abs(weighted.batches[0].loss - plain.batches[0].loss), 1e-4);
}

// The classic job: a pretrained MobileNet base frozen, a new 3-class top trained on the cached
// base outputs, on images it has never seen.
TEST_F(TrainerTest, PretrainedMobileNetWithANewTopLearnsTheClasses) {
  GRAFT_REQUIRE_FIXTURE(weights, "keras/mobilenet_2_5_224_tf_no_top.h5");
  ModelSpec spec;
  spec.source = "mobilenet";
  spec.alpha = 0.25;
  spec.inputSize = 32;
  spec.includeTop = true;
  spec.classes = 3;
  spec.weightsFile = weights;
  spec.kerasCacheDir = dir.path().string();
  const Model model = loadModel(spec).model;
  TrainOptions options = quickOptions(4);
  options.freezeUpto = "conv_pw_13_relu";
  options.cacheFrozen = true;
  options.optimizer.learningRate = 0.01;
  Recorder events;
  const TrainResult result = trainModel(model, data, options, &events);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  EXPECT_EQ(events.start.trainableParams, 256 * 3 + 3);  // conv_preds only
  EXPECT_FALSE(events.start.cachedPrefix.empty());
  EXPECT_GE(*result.history.back().valAccuracy, 0.75);  // chance: 1/3
  EXPECT_TRUE(
      sameBits(model.weights.find("conv1")->at(0), result.model.weights.find("conv1")->at(0)));
}

// Keras's documented examples (keras/src/optimizers/*.py docstrings and the update rules).
TEST(KerasOptimizer, FollowsKerasUpdateRules) {
  auto run = [](OptimizerOptions o, float start, int steps) {
    auto var = torch::full({1}, start, torch::requires_grad());
    KerasOptimizer opt({var}, o);
    for (int i = 0; i < steps; ++i) {
      opt.zeroGrad();
      (var * var / 2).sum().backward();  // gradient = var
      opt.step();
    }
    return var.item<double>();
  };
  OptimizerOptions rms;
  rms.kind = OptimizerKind::RmsProp;
  rms.learningRate = 0.1;
  EXPECT_NEAR(run(rms, 10.0f, 1), 9.683772, 1e-5);  // RMSprop docstring

  OptimizerOptions sgd;
  sgd.kind = OptimizerKind::Sgd;
  sgd.learningRate = 0.1;
  sgd.momentum = 0.9;
  EXPECT_NEAR(run(sgd, 1.0f, 1), 0.9, 1e-6);
  EXPECT_NEAR(run(sgd, 1.0f, 2), 0.72, 1e-6);  // v = 0.9 * -0.1 - 0.1 * 0.9
  sgd.nesterov = true;
  // v1 = -0.1, w1 = 1 + 0.9 * -0.1 - 0.1 = 0.81
  EXPECT_NEAR(run(sgd, 1.0f, 1), 0.81, 1e-6);

  OptimizerOptions adam;  // step 1: alpha = lr sqrt(1 - b2) / (1 - b1); m = 0.1 g; v = 0.001 g^2
  adam.learningRate = 0.1;
  const double g = 2.0;
  const double alpha = 0.1 * std::sqrt(0.001) / 0.1;
  const double expected = 2.0 - alpha * (0.1 * g) / (std::sqrt(0.001 * g * g) + 1e-7);
  EXPECT_NEAR(run(adam, 2.0f, 1), expected, 1e-6);

  EXPECT_DOUBLE_EQ(OptimizerOptions{}.effectiveLearningRate(), 0.001);
  sgd.learningRate.reset();
  EXPECT_DOUBLE_EQ(sgd.effectiveLearningRate(), 0.01);
  EXPECT_THROW(optimizerFromName("adagrad"), Error);
}

}  // namespace
}  // namespace graft
