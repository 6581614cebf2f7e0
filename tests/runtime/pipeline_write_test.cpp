// Pipelines written by Graft (the GUI's "Save as Pipeline") read back as the same pipeline, with
// paths that move with the pipeline's folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/json_file.h"
#include "pipeline/pipeline.h"
#include "runtime/training/train_run.h"
#include "support/test_support.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

TrainingPlan twoStagePlan() {
  return planFromJson(Json::parse(R"({"graft_plan": 1, "stages": [
        {"name": "head", "train": "new", "epochs": 2, "optimizer": "adam", "learning_rate": 0.001},
        {"name": "top", "unfreeze_from": "conv1", "epochs": 1, "optimizer": "sgd",
         "learning_rate": 0.0001, "pretrained_lr_scale": 0.1}]})"),
                      "plan");
}

TEST(PipelineWrite, EveryFieldReadsBackAndPathsInsideTheFolderAreRelative) {
  test::TempDir dir, elsewhere;
  const fs::path root = dir.path() / "ci";
  fs::create_directories(root / "data");
  fs::create_directories(root / "out");
  Pipeline p;
  p.description = "from the GUI";
  p.model.source = "mobilenet";
  p.model.alpha = 0.25;
  p.model.inputSize = 96;
  p.model.includeTop = false;
  p.model.pooling = "avg";
  p.model.weightsFile = elsewhere.file("weights.h5");
  p.model.seed = 3;
  p.recipe = Json::array({{{"op", "freeze"}, {"upto", "conv_pw_5_relu"}}});
  p.samples = PipelineSamples{(root / "data").string(), 8, "cuda:1"};
  TrainSpec t;
  t.data = (root / "data").string();
  t.validationSplit = 0.25;
  t.epochs = 3;
  t.batchSize = 8;
  t.optimizer = "sgd";
  t.lr = 0.01;
  t.momentum = 0.8;
  t.nesterov = true;
  t.labelSmoothing = 0.1;
  t.schedule = "cosine";
  t.earlyStopping = 2;
  t.restoreBest = true;
  t.seed = 11;
  t.augment = "flip,crop";
  t.classWeights = true;
  t.freezeUpto = "conv_pw_5_relu";
  t.checkpoint = "best";
  t.output = (root / "out" / "model.graft").string();
  t.log = (root / "out" / "log.jsonl").string();
  t.plan = planToJson(twoStagePlan());
  p.train = t;
  p.exports = {{ExportFormat::Onnx, (root / "out" / "model.onnx").string()}};
  p.eval = PipelineEval{(root / "data").string(), 4};
  p.output = (root / "out" / "final.graft").string();
  p.checks = {parseCheckText("val_accuracy >= 0.75", "c"),
              parseCheckText("export max difference <= 1e-4", "c")};
  p.checks.push_back(parseCheckText("prediction of data/cat.png is cat", "c"));
  p.checks.back().file = (root / "data" / "cat.png").string();

  const std::string file = (root / "pipeline.json").string();
  writePipelineFile(p, file);
  const Json written = readJsonFile(file, "pipeline");
  EXPECT_EQ(written["train"]["data"], "data") << written.dump(2);
  EXPECT_EQ(written["train"]["output"], "out/model.graft");
  EXPECT_EQ(written["model"]["weights"], elsewhere.file("weights.h5")) << "outside: absolute";
  EXPECT_EQ(written["model"]["source"], "mobilenet");

  // Moved with its folder, the pipeline still finds its data.
  fs::rename(root, dir.path() / "moved");
  const fs::path moved = dir.path() / "moved";
  const Pipeline back = readPipelineFile((moved / "pipeline.json").string());
  EXPECT_EQ(back.description, p.description);
  EXPECT_EQ(back.model.source, "mobilenet");
  EXPECT_EQ(back.model.alpha, 0.25);
  EXPECT_EQ(back.model.inputSize, 96);
  EXPECT_EQ(back.model.includeTop, false);
  EXPECT_EQ(back.model.pooling, "avg");
  EXPECT_EQ(back.model.weightsFile, p.model.weightsFile);
  EXPECT_EQ(back.model.seed, 3u);
  EXPECT_EQ(*back.recipe, *p.recipe);
  ASSERT_TRUE(back.samples);
  EXPECT_EQ(back.samples->folder, (moved / "data").string());
  EXPECT_EQ(back.samples->count, 8);
  EXPECT_EQ(back.samples->device, "cuda:1");
  ASSERT_TRUE(back.train);
  const TrainOptions o = trainOptionsFrom(*back.train);
  EXPECT_EQ(back.train->data, (moved / "data").string());
  EXPECT_EQ(back.train->validationSplit, 0.25);
  EXPECT_EQ(o.epochs, 3);
  EXPECT_EQ(o.batchSize, 8);
  EXPECT_EQ(o.optimizer.kind, OptimizerKind::Sgd);
  EXPECT_EQ(o.optimizer.learningRate, 0.01);
  EXPECT_EQ(o.optimizer.momentum, 0.8);
  EXPECT_TRUE(o.optimizer.nesterov);
  EXPECT_EQ(o.labelSmoothing, 0.1);
  EXPECT_EQ(o.schedule.kind, ScheduleKind::Cosine);
  EXPECT_EQ(o.earlyStopping.patience, 2);
  EXPECT_TRUE(o.earlyStopping.restoreBest);
  EXPECT_EQ(o.seed, 11u);
  EXPECT_EQ(o.augment.describe(), "crop,flip");
  EXPECT_TRUE(o.classWeights);
  EXPECT_EQ(o.freezeUpto, "conv_pw_5_relu");
  EXPECT_EQ(o.checkpointMode, CheckpointMode::Best);
  EXPECT_EQ(o.checkpointPath, (moved / "out" / "model.graft").string());
  EXPECT_EQ(back.train->log, (moved / "out" / "log.jsonl").string());
  const auto plan = planOf(*back.train, "plan");
  ASSERT_TRUE(plan);
  EXPECT_EQ(planToJson(*plan), planToJson(twoStagePlan()));
  ASSERT_EQ(back.exports.size(), 1u);
  EXPECT_EQ(back.exports[0].format, ExportFormat::Onnx);
  ASSERT_TRUE(back.eval);
  EXPECT_EQ(back.eval->batchSize, 4);
  EXPECT_EQ(back.output, (moved / "out" / "final.graft").string());
  ASSERT_EQ(back.checks.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.checks[i].text, p.checks[i].text);
    EXPECT_EQ(back.checks[i].metric, p.checks[i].metric);
    EXPECT_EQ(back.checks[i].op, p.checks[i].op);
    EXPECT_EQ(back.checks[i].value, p.checks[i].value);
  }
  EXPECT_EQ(back.checks[2].file, (moved / "data" / "cat.png").string());
  EXPECT_EQ(back.checks[2].label, "cat");
}

TEST(PipelineWrite, DefaultsAreLeftOutAndAnUnwritableFolderIsAnError) {
  test::TempDir dir;
  Pipeline p;
  p.model.source = "vgg16";
  const Json j = pipelineToJson(p, dir.path().string());
  EXPECT_EQ(j, Json({{"graft_pipeline", 1}, {"model", {{"source", "vgg16"}}}}));
  try {
    writePipelineFile(p, dir.file("missing/p.json"));
    FAIL() << "no folder to write into";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("missing/p.json")), std::string::npos);
  }
}

// A zoo name in any case, as the command line takes it ("VGG16" was looked for as a file
// beside the pipeline); a file of that name there is the file.
TEST(PipelineWrite, AZooNameIsANameInAnyCase) {
  test::TempDir dir;
  const auto source = [&](const std::string& name) {
    return parsePipeline(Json{{"graft_pipeline", 1}, {"model", name}}, dir.path().string(),
                         "ci.json")
        .model.source;
  };
  EXPECT_EQ(source("VGG16"), "vgg16");
  EXPECT_EQ(source("ResNet50"), "resnet50");
  EXPECT_EQ(source("model.h5"), dir.file("model.h5"));
  std::ofstream(dir.file("MobileNet")) << "a file the user named so";
  EXPECT_EQ(source("MobileNet"), dir.file("MobileNet"));
}

TEST(PipelineWrite, APlanInThePipelineIsCheckedWithItsJsonPath) {
  const Json bad = Json::parse(R"({"graft_pipeline": 1, "model": "vgg16",
      "train": {"data": "d", "plan": {"graft_plan": 1, "stages": []}}})");
  try {
    parsePipeline(bad, ".", "ci.json");
    FAIL() << "an empty plan is refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ci.json: train.plan"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("stages"), std::string::npos) << e.what();
  }
}

// A train step naming nothing of how to train leaves it to the defaults (the advisor's plan for a
// new head), and is written back that way.
TEST(PipelineWrite, ATrainStepWithoutChoicesLeavesThemToTheDefaults) {
  test::TempDir dir;
  const auto train = [&](const std::string& fields) {
    return *parsePipeline(Json::parse(R"({"graft_pipeline": 1, "model": "vgg16", "train": {)" +
                                      fields + "}}"),
                          dir.path().string(), "ci.json")
                .train;
  };
  const TrainSpec plain = train(R"("data": "d", "batch_size": 8, "augment": "flip")");
  EXPECT_FALSE(plain.chosen);
  EXPECT_FALSE(plain.trainBatchNorm);
  for (const char* field :
       {R"("epochs": 2)", R"("lr": 0.01)", R"("optimizer": "sgd")", R"("momentum": 0.5)",
        R"("nesterov": true)", R"("weight_decay": 0.1)", R"("freeze_upto": "block5_pool")"})
    EXPECT_TRUE(train(std::string(R"("data": "d", )") + field).chosen) << field;

  TrainSpec asked = train(R"("data": "d", "train_batch_norm": true)");
  EXPECT_TRUE(asked.trainBatchNorm);
  Pipeline p;
  p.model.source = "vgg16";
  p.train = asked;
  const Json written = pipelineToJson(p, dir.path().string());
  EXPECT_FALSE(written["train"].contains("epochs")) << written.dump();
  EXPECT_FALSE(written["train"].contains("optimizer")) << written.dump();
  EXPECT_EQ(written["train"].at("train_batch_norm"), true);
  const Pipeline back = parsePipeline(written, dir.path().string(), "again.json");
  EXPECT_FALSE(back.train->chosen);
  EXPECT_TRUE(back.train->trainBatchNorm);

  try {
    train(
        R"("data": "d", "train_batch_norm": true, "plan": {"graft_plan": 1, "stages": [{"train": "new"}]})");
    FAIL() << "a plan says per stage whether BatchNormalization trains";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ci.json: train.train_batch_norm"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace graft
