// CUDA graph capture of the training step (runtime/training/step_graph.h, TrainOptions::cudaGraph):
// opt-in, and a run that cannot capture says why once and computes exactly as without it. The
// capture itself needs a GPU: those tests run in tests/device/cuda_check.sh and skip elsewhere.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "runtime/training/step_graph.h"
#include "runtime/training/trainer.h"
#include "runtime/training/trainer_optimizer.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

struct NoteRecorder : TrainObserver {
  void onNote(const std::string& text) override {
    if (text.find("CUDA graph") != std::string::npos) graphNotes.push_back(text);
  }
  std::vector<std::string> graphNotes;
};

TEST(StepGraph, SaysWhyAStepCannotBeCaptured) {
  StepGraphConditions clear;
  clear.cuda = true;
#ifdef GRAFT_CUDA
  EXPECT_FALSE(whyStepsNotCaptured(clear));
  auto why = [&](bool StepGraphConditions::*field, bool value) {
    StepGraphConditions c = clear;
    c.*field = value;
    return whyStepsNotCaptured(c).value_or("");
  };
  EXPECT_NE(why(&StepGraphConditions::cuda, false).find("CUDA device"), std::string::npos);
  EXPECT_NE(why(&StepGraphConditions::lossScaling, true).find("fp16"), std::string::npos);
  EXPECT_NE(why(&StepGraphConditions::dataParallel, true).find("data-parallel"), std::string::npos);
  EXPECT_NE(why(&StepGraphConditions::featureCache, true).find("cache"), std::string::npos);
#else
  EXPECT_NE(whyStepsNotCaptured(clear).value_or("").find("without CUDA"), std::string::npos);
#endif
}

class StepGraphTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    test::drawColourFolder(dir.path() / "data", {"blue_ish", "green_ish", "red_ish"}, {12, 12, 12},
                           16);
    // 27 training images in batches of 8: three full batches and a partial one per epoch.
    data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  }
  // Adam, with a rate that changes every batch and weight decay: what a replay must read anew.
  TrainOptions options(const std::string& device) const {
    TrainOptions o = test::quickCpuRun();
    o.epochs = 4;
    o.device = *parseDeviceChoice(device);
    o.schedule.kind = ScheduleKind::Cosine;
    o.optimizer.weightDecay = 0.01;
    return o;
  }
  // The same run without and with TrainOptions::cudaGraph; the second one's notes.
  struct Runs {
    TrainResult without, with;
    NoteRecorder notes;
  };
  Runs bothRuns(const std::string& device) const {
    TrainOptions asked = options(device);
    asked.cudaGraph = true;
    Runs runs;
    runs.without = trainModel(test::tinyModel(3), data, options(device));
    runs.with = trainModel(test::tinyModel(3), data, asked, &runs.notes);
    EXPECT_EQ(runs.with.status, TrainStatus::Completed) << runs.with.message;
    return runs;
  }
  // Every epoch's training and validation loss within `tolerance`.
  static void expectSameLosses(const Runs& runs, double tolerance) {
    ASSERT_EQ(runs.with.history.size(), runs.without.history.size());
    for (size_t i = 0; i < runs.with.history.size(); ++i) {
      const EpochEvent &a = runs.with.history[i], &b = runs.without.history[i];
      EXPECT_NEAR(a.loss, b.loss, tolerance) << "epoch " << i + 1;
      ASSERT_TRUE(a.valLoss && b.valLoss);
      EXPECT_NEAR(*a.valLoss, *b.valLoss, tolerance) << "epoch " << i + 1;
    }
  }
  test::TempDir dir;
  TrainingSet data;
};

// The default path is untouched: asked for on the CPU, the run is the run without it, with one
// note saying why nothing was captured.
TEST_F(StepGraphTraining, OnTheCpuARunAskingForCaptureIsTheRunWithout) {
  const Runs runs = bothRuns("cpu");
  expectSameLosses(runs, 0.0);
  for (const std::string& layer : runs.with.model.weights.layers())
    EXPECT_TRUE(test::sameLayer(runs.with.model, runs.without.model, layer)) << layer;
  const auto& notes = runs.notes.graphNotes;
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("not captured"), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("eagerly"), std::string::npos) << notes[0];
}

// On a GPU: the captured steps (after three eager warm-up steps; each epoch's partial batch
// eager) end where the eager run ends.
TEST_F(StepGraphTraining, OnCudaTheCapturedRunEndsWhereTheEagerRunEnds) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device here";
  const Runs runs = bothRuns("cuda");
  const auto& notes = runs.notes.graphNotes;
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("is captured"), std::string::npos) << notes[0];
  expectSameLosses(runs, 1e-4);
}

// On a GPU, StepGraph alone: warm-up, capture, replays with new inputs and a new rate each step,
// a batch of another size eagerly in between; the losses and parameters are the eager
// optimizer's (its default mode, host numbers).
TEST(StepGraph, OnCudaReplaysSeeEachStepsInputsAndRate) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device here";
  const torch::Device cuda(torch::kCUDA, 0);
  torch::manual_seed(3);
  const auto w0 = torch::randn({4, 2}), b0 = torch::randn({2});
  std::vector<std::vector<torch::Tensor>> batches;
  for (int k = 0; k < 9; ++k) {
    const int64_t rows = k == 6 ? 3 : 6;  // one batch of another size
    batches.push_back({torch::randn({rows, 4}).to(cuda), torch::randn({rows, 2}).to(cuda)});
  }
  OptimizerOptions adam;
  adam.kind = OptimizerKind::Adam;
  adam.learningRate = 0.1;
  adam.weightDecay = 0.01;
  auto lossOf = [](const std::vector<torch::Tensor>& in, const torch::Tensor& w,
                   const torch::Tensor& b) { return (in[0].matmul(w) + b - in[1]).pow(2).mean(); };

  torch::Tensor w = w0.to(cuda).requires_grad_(), b = b0.to(cuda).requires_grad_();
  KerasOptimizer eager({w, b}, adam);
  std::vector<double> want;
  for (size_t k = 0; k < batches.size(); ++k) {
    eager.setLearningRate(0.1 * std::pow(0.8, static_cast<double>(k)));
    eager.zeroGrad();
    const auto loss = lossOf(batches[k], w, b);
    loss.backward();
    eager.step();
    want.push_back(loss.item<double>());
  }

  torch::Tensor gw = w0.to(cuda).requires_grad_(), gb = b0.to(cuda).requires_grad_();
  KerasOptimizer graphed({gw, gb}, adam);
  StepGraph graph(
      graphed,
      [&](const std::vector<torch::Tensor>& in) {
        const auto loss = lossOf(in, gw, gb);
        loss.backward();
        return std::vector<torch::Tensor>{loss.detach()};
      },
      6);
  for (size_t k = 0; k < batches.size(); ++k) {
    graphed.setLearningRate(0.1 * std::pow(0.8, static_cast<double>(k)));
    double got = 0.0;
    if (graph.takes(batches[k])) {
      got = graph.run(batches[k]).front().item<double>();
    } else {
      graphed.zeroGrad();
      const auto loss = lossOf(batches[k], gw, gb);
      loss.backward();
      graphed.step();
      got = loss.item<double>();
    }
    EXPECT_NEAR(got, want[k], 1e-5 * std::max(1.0, std::abs(want[k]))) << "step " << k + 1;
  }
  EXPECT_FALSE(graph.failure()) << *graph.failure();
  EXPECT_TRUE(graph.captured());
  EXPECT_EQ(graph.replays(), 4);  // 8 batches of 6: 3 warm-up, 1 captured (and run), 4 replays
  EXPECT_EQ(graphed.iterations(), 9);
  EXPECT_TRUE(torch::allclose(gw.detach().cpu(), w.detach().cpu(), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(gb.detach().cpu(), b.detach().cpu(), 1e-5, 1e-6));
}

}  // namespace
}  // namespace graft
