// Ctrl-C during a step that cannot stop midway (loading a model, exporting): the pipeline runs
// no further step, skips its checks and reports the interruption, so CI gets a report.
#include <gtest/gtest.h>

#include <atomic>

#include "pipeline/pipeline_runner.h"

namespace graft {
namespace {

Pipeline smallZooPipeline() {
  Pipeline p;
  p.model.source = "mobilenet";
  p.model.alpha = 0.25;
  p.model.inputSize = 32;
  PipelineCheck check;
  check.text = "total_params > 0";
  check.metric = "total_params";
  check.op = CheckOp::Greater;
  p.checks.push_back(check);
  return p;
}

TEST(PipelineInterrupt, AnInterruptedRunStopsBeforeItsNextStepAndSaysSo) {
  const Pipeline p = smallZooPipeline();
  std::atomic<bool> cancel{false};
  const PipelineResult whole = runPipeline(p, nullptr, &cancel);
  ASSERT_TRUE(whole.passed());

  cancel = true;
  const PipelineResult interrupted = runPipeline(p, nullptr, &cancel);
  EXPECT_FALSE(interrupted.passed());
  ASSERT_EQ(interrupted.steps.size(), 2u);
  EXPECT_EQ(interrupted.steps[0].status, StepStatus::Error);
  EXPECT_EQ(interrupted.steps[0].message, "not run: the run was interrupted");
  EXPECT_EQ(interrupted.steps[1].status, StepStatus::Skipped);
}

// Ctrl-C while the model loads: the load finishes, the recipe after it does not run.
class InterruptDuringLoad : public PipelineObserver {
 public:
  explicit InterruptDuringLoad(std::atomic<bool>& cancel) : cancel_(cancel) {}
  void onStepStart(const std::string& name, bool) override {
    if (name.rfind("load model", 0) == 0) cancel_ = true;
  }

 private:
  std::atomic<bool>& cancel_;
};

TEST(PipelineInterrupt, AStepInterruptedMidwayFinishesAndTheNextDoesNotRun) {
  Pipeline p = smallZooPipeline();
  p.recipe = Json::array();
  std::atomic<bool> cancel{false};
  InterruptDuringLoad observer(cancel);
  const PipelineResult result = runPipeline(p, &observer, &cancel);
  ASSERT_EQ(result.steps.size(), 3u);
  EXPECT_EQ(result.steps[0].status, StepStatus::Passed) << result.steps[0].message;
  EXPECT_EQ(result.steps[1].name, "recipe");
  EXPECT_EQ(result.steps[1].status, StepStatus::Error);
  EXPECT_EQ(result.steps[1].message, "not run: the run was interrupted");
  EXPECT_EQ(result.steps[2].status, StepStatus::Skipped);
  EXPECT_FALSE(result.passed());
}

}  // namespace
}  // namespace graft

namespace graft {
namespace {

// The figures a pipeline's training checks read are those of the epoch the model holds; a run
// that kept the weights it started from has their validation figures and no training ones
// (a loss check passed on their 0).
TEST(TrainedFigure, AreTheModelEpochsAndTheStartHasNoTrainingFigures) {
  TrainResult trained;
  EpochEvent first;
  first.epoch = 1;
  first.loss = 0.5;
  first.accuracy = 0.75;
  first.valLoss = 0.6;
  first.valAccuracy = 0.7;
  trained.history = {first};
  EXPECT_DOUBLE_EQ(trainedFigure(trained, "loss"), 0.5);
  EXPECT_DOUBLE_EQ(trainedFigure(trained, "val_accuracy"), 0.7);

  EpochEvent start;
  start.valLoss = 0.3;
  start.valAccuracy = 0.9;
  trained.start = start;
  trained.restoredEpoch = 0;
  EXPECT_DOUBLE_EQ(trainedFigure(trained, "val_loss"), 0.3);
  EXPECT_DOUBLE_EQ(trainedFigure(trained, "val_accuracy"), 0.9);
  for (const char* metric : {"loss", "accuracy"}) {
    try {
      trainedFigure(trained, metric);
      ADD_FAILURE() << metric << ": the start was never trained on";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("no training figures"), std::string::npos) << e.what();
    }
  }
  trained.start.reset();  // no validation images
  trained.restoredEpoch.reset();
  trained.history[0].valLoss.reset();
  trained.history[0].valAccuracy.reset();
  EXPECT_THROW(trainedFigure(trained, "val_loss"), Error);
}

}  // namespace
}  // namespace graft
