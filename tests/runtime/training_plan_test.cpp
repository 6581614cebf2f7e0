// The --plan file: what it accepts, and a bad one names the JSON path of the problem.
#include <gtest/gtest.h>

#include <fstream>

#include "runtime/training/training_plan.h"
#include "support/test_support.h"

namespace graft {
namespace {

std::string planErrorOf(const std::string& text) {
  try {
    planFromJson(Json::parse(text), "plan.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TrainingPlan, ReadsStagesWithTheirOptionsAndWritesThemBack) {
  const TrainingPlan plan = planFromJson(Json::parse(R"({"graft_plan": 1, "stages": [
      {"name": "head", "train": "new", "optimizer": "adam", "learning_rate": 0.001, "epochs": 5},
      {"unfreeze_from": "block5_conv1", "optimizer": "sgd", "learning_rate": 0.0001,
       "momentum": 0.9, "epochs": 10, "pretrained_lr_scale": 0.5, "batch_norm": "train",
       "why": ["because"]}],
      "reasons": ["r"], "warnings": ["w"]})"),
                                         "plan.json");
  ASSERT_EQ(plan.stages.size(), 2u);
  EXPECT_EQ(plan.stages[0].scope, StageScope::NewLayers);
  EXPECT_EQ(plan.stages[0].optimizer.kind, OptimizerKind::Adam);
  EXPECT_EQ(plan.stages[0].epochs, 5);
  EXPECT_TRUE(plan.stages[0].freezeBatchNorm);  // the default
  const TrainingStage& s = plan.stages[1];
  EXPECT_EQ(s.name, "stage 2");
  EXPECT_EQ(s.scope, StageScope::UnfreezeFrom);
  EXPECT_EQ(s.layer, "block5_conv1");
  EXPECT_EQ(s.optimizer.kind, OptimizerKind::Sgd);
  EXPECT_DOUBLE_EQ(s.optimizer.effectiveLearningRate(), 1e-4);
  EXPECT_DOUBLE_EQ(s.optimizer.effectiveMomentum(), 0.9);
  EXPECT_DOUBLE_EQ(s.pretrainedRateScale, 0.5);
  EXPECT_FALSE(s.freezeBatchNorm);
  EXPECT_EQ(s.why, std::vector<std::string>{"because"});

  const TrainingPlan again = planFromJson(planToJson(plan), "again");
  ASSERT_EQ(again.stages.size(), 2u);
  EXPECT_EQ(again.stages[1].layer, "block5_conv1");
  EXPECT_DOUBLE_EQ(again.stages[1].optimizer.effectiveLearningRate(), 1e-4);
  EXPECT_DOUBLE_EQ(again.stages[1].pretrainedRateScale, 0.5);
  EXPECT_FALSE(again.stages[1].freezeBatchNorm);
  EXPECT_EQ(again.reasons, plan.reasons);
  EXPECT_EQ(again.warnings, plan.warnings);
}

TEST(TrainingPlan, ABadPlanNamesTheJsonPathOfTheProblem) {
  const std::string head = R"({"graft_plan": 1, "stages": [{"train": "new"}, )";
  EXPECT_NE(planErrorOf(head + R"({"train": "new", "learning_rate": -1}]})")
                .find("plan.json: $.stages[1].learning_rate: must be a positive number, got -1"),
            std::string::npos);
  EXPECT_NE(
      planErrorOf(head + R"({"unfreeze_from": "x", "epochs": 0}]})").find("$.stages[1].epochs"),
      std::string::npos);
  EXPECT_NE(planErrorOf(head + R"({"unfreeze_from": "x", "optimizer": "adagrad"}]})")
                .find("$.stages[1].optimizer"),
            std::string::npos);
  EXPECT_NE(planErrorOf(head + R"({"unfreeze_from": "x", "lr": 0.1}]})").find("$.stages[1].lr"),
            std::string::npos);
  EXPECT_NE(planErrorOf(head + R"({"unfreeze_from": "x", "train": "all"}]})").find("$.stages[1]:"),
            std::string::npos);
  EXPECT_NE(planErrorOf(head + R"({"train": "some"}]})").find("$.stages[1].train"),
            std::string::npos);
  EXPECT_NE(planErrorOf(head + R"({"train": "new", "batch_norm": "on"}]})")
                .find("$.stages[1].batch_norm"),
            std::string::npos);
  EXPECT_NE(planErrorOf(R"({"graft_plan": 2, "stages": []})").find("$.graft_plan"),
            std::string::npos);
  EXPECT_NE(planErrorOf(R"({"graft_plan": 1, "stages": []})").find("$.stages"), std::string::npos);
  EXPECT_NE(planErrorOf(R"({"stages": [{"train": "new"}]})").find("$.graft_plan: is missing"),
            std::string::npos);
  EXPECT_EQ(planErrorOf(R"({"graft_plan": 1, "stages": [{"train": "new"}]})"), "");
}

TEST(TrainingPlan, AFileThatIsNotJsonIsNamed) {
  test::TempDir dir;
  const std::string path = dir.file("plan.json");
  std::ofstream(path) << "{\"graft_plan\": 1,";
  try {
    readPlanFile(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": not valid JSON"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace graft
