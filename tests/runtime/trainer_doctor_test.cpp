// The training doctor inside a run: the trainer's measurements provoke each finding that needs
// the network (BatchNormalization statistics, a rate too high for pretrained layers, a NaN, a
// flat loss), the observer hears them, and the probe leaves the network as it was.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <limits>

#include "runtime/module/graph_module.h"
#include "runtime/training/trainer.h"
#include "runtime/training/trainer_probe.h"
#include "runtime/training/training_defaults.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

class Findings : public TrainObserver {
 public:
  void onDiagnosis(const Diagnosis& d) override { codes.push_back(d.code); }
  std::vector<std::string> codes;
};

bool has(const std::vector<Diagnosis>& found, const std::string& code) {
  return std::any_of(found.begin(), found.end(),
                     [&](const Diagnosis& d) { return d.code == code; });
}

// conv1_bn's moving mean set far from anything conv1 produces (pretrained statistics of some
// other data set).
Model withStaleBatchNorm(Model model) {
  auto bn = *model.weights.find("conv1_bn");  // gamma, beta, moving_mean, moving_variance
  bn[2] = WeightTensor::filled(bn[2].shape, 50.0F);
  model.weights.set("conv1_bn", bn);
  return model;
}

TrainOptions quiet(int epochs, double lr) {
  TrainOptions o;
  o.epochs = epochs;
  o.batchSize = 8;
  o.optimizer.kind = OptimizerKind::Adam;
  o.optimizer.learningRate = lr;
  o.seed = 5;
  o.workers = 2;
  return o;
}

class TrainerDoctor : public ::testing::Test {
 protected:
  void SetUp() override {
    test::drawColourFolder(dir.path() / "data", {"blue_ish", "green_ish", "red_ish"}, {16, 16, 16},
                           16);
    data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  }
  test::TempDir dir;
  TrainingSet data;
};

TEST_F(TrainerDoctor, BatchNormStatisticsThatNoLongerFitTheDataAreFound) {
  Findings heard;
  const TrainResult trained =
      trainModel(withStaleBatchNorm(test::tinyModel(3)), data, quiet(1, 1e-6), &heard);
  ASSERT_EQ(trained.status, TrainStatus::Completed) << trained.message;
  EXPECT_TRUE(has(trained.diagnoses, "batch_norm_statistics"));
  EXPECT_NE(std::find(heard.codes.begin(), heard.codes.end(), "batch_norm_statistics"),
            heard.codes.end());

  // Frozen, BatchNormalization computes the same in training and prediction: nothing to say.
  TrainOptions frozen = quiet(1, 1e-6);
  frozen.freezeUpto = "conv1_bn";
  const TrainResult still = trainModel(withStaleBatchNorm(test::tinyModel(3)), data, frozen);
  ASSERT_EQ(still.status, TrainStatus::Completed) << still.message;
  EXPECT_FALSE(has(still.diagnoses, "batch_norm_statistics"));
}

TEST_F(TrainerDoctor, FromRandomWeightsBatchNormIsToldToSettleNotToFreeze) {
  // Every layer fresh, as the loader reports a model without a weights file: the run trains
  // BatchNormalization, and the doctor must not tell it to keep random statistics.
  const TrainingSetup setup =
      setUpTraining(withStaleBatchNorm(test::tinyModel(3)), {"conv1", "conv1_bn", "dense"},
                    DataFacts{}, TrainingChoice{});
  ASSERT_TRUE(setup.pretrainedLayers.empty());
  const TrainResult trained = runTraining(setup, data, quiet(1, 1e-6));
  ASSERT_EQ(trained.status, TrainStatus::Completed) << trained.message;
  EXPECT_TRUE(has(trained.diagnoses, "batch_norm_not_settled"));
  EXPECT_FALSE(has(trained.diagnoses, "batch_norm_statistics"));
  for (const auto& d : trained.diagnoses)
    EXPECT_EQ(d.fix.find("keep BatchNormalization frozen"), std::string::npos) << d.fix;
}

// A BatchNormalization layer the recipe just inserted trains (the default freezes pretrained
// ones only) beside pretrained layers: it has no pretrained statistics to keep frozen or restart
// from ("keep BatchNormalization frozen ... leave out --train-batch-norm" was said to a run
// without it).
TEST_F(TrainerDoctor, ANewBatchNormIsToldToSettleNotToFreeze) {
  TrainingChoice chosen;
  chosen.chosen = true;  // --epochs given: a single run, not the advisor's plan
  const TrainingSetup setup =
      setUpTraining(withStaleBatchNorm(test::tinyModel(3)), {"conv1_bn"}, DataFacts{}, chosen);
  ASSERT_FALSE(setup.pretrainedLayers.empty());
  ASSERT_TRUE(setup.frozenBatchNorm.empty());
  const TrainResult trained = runTraining(setup, data, quiet(1, 1e-6));
  ASSERT_EQ(trained.status, TrainStatus::Completed) << trained.message;
  EXPECT_FALSE(has(trained.diagnoses, "batch_norm_statistics"));
  const auto found =
      std::find_if(trained.diagnoses.begin(), trained.diagnoses.end(),
                   [](const Diagnosis& d) { return d.code == "batch_norm_not_settled"; });
  ASSERT_NE(found, trained.diagnoses.end());
  EXPECT_NE(found->fix.find("the BatchNormalization layer that trains is new (conv1_bn)"),
            std::string::npos)
      << found->fix;
  for (const auto& d : trained.diagnoses) {
    EXPECT_EQ(d.fix.find("keep BatchNormalization frozen"), std::string::npos) << d.fix;
    EXPECT_EQ(d.fix.find("random weights"), std::string::npos) << d.fix;
  }
}

TEST_F(TrainerDoctor, TheProbeLeavesStatisticsAndWeightsAsTheyWere) {
  const Model model = withStaleBatchNorm(test::tinyModel(3));
  GraphModule module(model.graph, model.weights);
  const torch::Tensor images = torch::rand({4, 3, 16, 16}) * 2 - 1;
  const WeightStore before = module.weights();
  const torch::Tensor inference = module.forward(images);
  const torch::Tensor batch = module.forwardWithBatchStatistics(images);
  EXPECT_FALSE(torch::allclose(inference, batch));
  EXPECT_FALSE(module.isTraining());
  const WeightStore after = module.weights();
  for (const auto& layer : before.layers())
    for (size_t i = 0; i < before.find(layer)->size(); ++i)
      EXPECT_EQ(*before.find(layer)->at(i).data, *after.find(layer)->at(i).data) << layer << i;
  EXPECT_TRUE(torch::equal(inference, module.forward(images)));
  const auto probe = probeBatchNorm(module, images, OutputKind::Probabilities);
  ASSERT_TRUE(probe);
  EXPECT_GT(probe->distance, 0.25);

  // A frozen BatchNormalization layer keeps its moving statistics in both.
  const Model frozen = withStaleBatchNorm(test::tinyFrozenModel(3));
  GraphModule still(frozen.graph, frozen.weights);
  EXPECT_TRUE(torch::equal(still.forward(images), still.forwardWithBatchStatistics(images)));
  EXPECT_FALSE(probeBatchNorm(still, images.slice(0, 0, 1), OutputKind::Probabilities));
}

TEST_F(TrainerDoctor, APretrainedLayerAtAHighRateIsFoundOnlyWhenItIsPretrained) {
  TrainOptions options = quiet(1, 0.1);
  options.pretrainedLayers = {"conv1"};
  const TrainResult fast = trainModel(test::tinyModel(3), data, options);
  ASSERT_EQ(fast.status, TrainStatus::Completed) << fast.message;
  EXPECT_TRUE(has(fast.diagnoses, "pretrained_rate_too_high"));

  options.pretrainedLayers.clear();  // a network from scratch may learn fast
  EXPECT_FALSE(
      has(trainModel(test::tinyModel(3), data, options).diagnoses, "pretrained_rate_too_high"));
  options = quiet(1, 1e-4);
  options.pretrainedLayers = {"conv1"};
  EXPECT_FALSE(
      has(trainModel(test::tinyModel(3), data, options).diagnoses, "pretrained_rate_too_high"));
}

TEST_F(TrainerDoctor, ANanLossIsDiagnosedBeforeTheRunStops) {
  Model model = test::tinyModel(3);
  auto dense = *model.weights.find("dense");
  std::vector<float> kernel(dense[0].data->begin(), dense[0].data->end());
  kernel[0] = std::numeric_limits<float>::quiet_NaN();
  dense[0] = WeightTensor::fromValues(dense[0].shape, kernel);
  model.weights.set("dense", dense);
  Findings heard;
  const TrainResult result = trainModel(model, data, quiet(2, 0.001), &heard);
  EXPECT_EQ(result.status, TrainStatus::Failed);
  ASSERT_EQ(result.diagnoses.size(), 1u);
  EXPECT_EQ(result.diagnoses[0].code, "loss_not_finite");
  EXPECT_NE(result.diagnoses[0].message.find("NaN in epoch 1, batch 1"), std::string::npos)
      << result.diagnoses[0].message;
  EXPECT_EQ(heard.codes, std::vector<std::string>{"loss_not_finite"});
}

TEST_F(TrainerDoctor, ALossThatDoesNotMoveIsFoundFromTheThirdEpoch) {
  const TrainResult result = trainModel(test::tinyFrozenModel(3), data, quiet(3, 1e-9));
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  std::vector<int> flatEpochs;
  for (const auto& d : result.diagnoses)
    if (d.code == "flat_loss") flatEpochs.push_back(d.epoch);
  EXPECT_EQ(flatEpochs, std::vector<int>{3});
}

// Validation images labelled as the next class: training learns the colours, validation stays
// below chance. The fix the doctor gives depends on whether the new layers already train on
// frozen pretrained ones.
TEST_F(TrainerDoctor, ChanceLevelFixDependsOnWhetherTheNewLayersAlreadyTrainFirst) {
  TrainingSet mislabelled = data;
  for (auto& sample : mislabelled.validation) sample.label = (sample.label + 1) % 3;
  auto chanceFix = [&](const TrainOptions& options, const Model& model) {
    const TrainResult result = trainModel(model, mislabelled, options);
    EXPECT_EQ(result.status, TrainStatus::Completed) << result.message;
    for (const auto& d : result.diagnoses)
      if (d.code == "chance_level") return d.fix;
    ADD_FAILURE() << "no chance_level finding";
    return std::string();
  };
  TrainOptions everything = quiet(3, 0.03);
  everything.pretrainedLayers = {"conv1", "conv1_bn"};
  EXPECT_NE(chanceFix(everything, test::tinyModel(3)).find("train the new layers first"),
            std::string::npos);

  TrainOptions headOnly = everything;
  headOnly.freezeUpto = "conv1_bn";
  EXPECT_NE(chanceFix(headOnly, test::tinyModel(3)).find("the new layers already train"),
            std::string::npos);
}

}  // namespace
}  // namespace graft
