// graft-cli advise and train --plan: the advisor's JSON is a plan train accepts, stages are
// logged, warnings are printed, and a bad plan names the JSON path (exit 1).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "support/test_support.h"

namespace graft::test {
namespace {

using nlohmann::json;

// The same network twice: once to train "pretrained" weights, once with a new head
// ("new_head" is not in the weights file, so it is freshly initialised and counts as new).
std::string tinyModel(const std::string& head) {
  return R"({"class_name": "Sequential", "config": {"name": "tiny", "layers": [
  {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 32, 32, 3]}},
  {"class_name": "Conv2D", "config": {"name": "conv1", "filters": 8, "kernel_size": [3, 3],
                                      "strides": [2, 2], "activation": "relu"}},
  {"class_name": "BatchNormalization", "config": {"name": "conv1_bn"}},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}},
  {"class_name": "Dense", "config": {"name": ")" +
         head + R"(", "units": 3, "activation": "softmax"}}]}})";
}

class PlanCli : public ::testing::Test {
 protected:
  void SetUp() override {
    env = {"KERAS_HOME=" + dir.path().string()};
    std::ofstream(dir.file("base.json")) << tinyModel("predictions");
    std::ofstream(dir.file("new_head.json")) << tinyModel("new_head");
    data = dir.file("shapes");
    ASSERT_EQ(cli({"sample-data", data, "--images-per-class", "12"}).exitCode, 0);
    const auto base = cli({"train", dir.file("base.json"), "--preprocessing", "tf", "--data", data,
                           "--epochs", "1", "--batch-size", "8", "-o", dir.file("base.h5"), "-q"});
    ASSERT_EQ(base.exitCode, 0) << base.err;
  }
  CommandResult cli(std::vector<std::string> args) { return runCli(args, env); }
  // The model with pretrained conv1 / conv1_bn and a new head, plus extra arguments.
  std::vector<std::string> withModel(const std::string& command, std::vector<std::string> more) {
    std::vector<std::string> args{command,           dir.file("new_head.json"),
                                  "--weights",       dir.file("base.h5"),
                                  "--preprocessing", "tf",
                                  "--data",          data};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  std::string writePlan(const std::string& name, const std::string& text) {
    std::ofstream(dir.file(name)) << text;
    return dir.file(name);
  }

  TempDir dir;
  std::vector<std::string> env;
  std::string data;
};

TEST_F(PlanCli, AdviseJsonIsAPlanThatTrainRuns) {
  const auto advised = cli(withModel("advise", {"--json"}));
  ASSERT_EQ(advised.exitCode, 0) << advised.err;
  const json plan = json::parse(advised.out);
  ASSERT_EQ(plan.at("stages").size(), 1u) << plan.dump();  // 12 images per class: head only
  EXPECT_EQ(plan["stages"][0].at("train"), "new");
  EXPECT_FALSE(plan["stages"][0].at("why").empty());
  EXPECT_FALSE(plan.at("reasons").empty());
  // What the text's first line says, as data (train --plan below takes the file with it).
  const json& facts = plan.at("facts");
  EXPECT_EQ(facts.at("images"), 36);
  EXPECT_EQ(facts.at("classes"), json::array({"circle", "square", "triangle"}));
  EXPECT_EQ(facts.at("images_per_class"), json::array({12, 12, 12}));
  EXPECT_EQ(facts.at("new_layers"), 1);

  const std::string path = writePlan("plan.json", advised.out);
  const std::string log = dir.file("run.jsonl");
  const auto trained = cli(withModel(
      "train", {"--plan", path, "--batch-size", "8", "-o", dir.file("out.graft"), "--log", log}));
  ASSERT_EQ(trained.exitCode, 0) << trained.err;
  EXPECT_NE(trained.err.find("stage 1/1 (new layers)"), std::string::npos) << trained.err;
  std::ifstream in(log);
  std::vector<json> stages;
  int epochs = 0;
  for (std::string line; std::getline(in, line);) {
    const json e = json::parse(line);
    if (e.at("event") == "stage") stages.push_back(e);
    if (e.at("event") == "epoch") ++epochs;
  }
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_EQ(stages[0].at("trainable_layers"), json::array({"new_head"}));
  EXPECT_EQ(epochs, plan["stages"][0].at("epochs").get<int>());
}

TEST_F(PlanCli, AdvisePrintsEachChoiceWithItsReason) {
  const auto advised = cli(withModel("advise", {}));
  ASSERT_EQ(advised.exitCode, 0) << advised.err;
  EXPECT_NE(advised.out.find("stage 1 (new layers): the new layers only, adam (lr 0.001"),
            std::string::npos)
      << advised.out;
  EXPECT_NE(advised.out.find("  - The new layers start from random weights"), std::string::npos)
      << advised.out;
  EXPECT_NE(advised.out.find("note: With about 12 images per class"), std::string::npos)
      << advised.out;
}

// A model whose top does not fit the data still gets advice (where to cut, how to train once it
// has the top), led by train's refusal, so the plan is not taken for one train runs as it is.
TEST_F(PlanCli, AdviseWarnsFirstWhenTheModelsTopDoesNotFitTheData) {
  const std::string two = dir.file("two.json");
  std::string text = tinyModel("new_head");
  text.replace(text.find("\"units\": 3"), 10, "\"units\": 2");
  std::ofstream(two) << text;
  const auto advised = cli({"advise", two, "--preprocessing", "tf", "--data", data, "--json"});
  ASSERT_EQ(advised.exitCode, 0) << advised.err;
  const json plan = json::parse(advised.out);
  ASSERT_TRUE(plan.contains("warnings")) << advised.out;
  const std::string first = plan["warnings"][0];
  EXPECT_NE(first.find("train refuses this model as it stands"), std::string::npos) << first;
  EXPECT_NE(first.find("the model predicts 2 classes but the data has 3"), std::string::npos)
      << first;
}

TEST_F(PlanCli, TwoStagesLogBothAndWarnAboutAHighRate) {
  const std::string path = writePlan("plan.json", R"({"graft_plan": 1, "stages": [
      {"name": "head", "train": "new", "optimizer": "adam", "learning_rate": 0.01, "epochs": 1},
      {"name": "all", "unfreeze_from": "conv1", "optimizer": "adam", "learning_rate": 0.01,
       "epochs": 1}]})");
  const std::string log = dir.file("run.jsonl");
  const auto trained = cli(withModel(
      "train", {"--plan", path, "--batch-size", "8", "-o", dir.file("out.graft"), "--log", log}));
  ASSERT_EQ(trained.exitCode, 0) << trained.err;
  EXPECT_NE(trained.err.find("warning: stage 2 (all) trains pretrained layers at a learning rate"),
            std::string::npos)
      << trained.err;
  EXPECT_EQ(trained.err.find("warning: stage 1"), std::string::npos) << trained.err;
  std::ifstream in(log);
  std::vector<json> stages;
  for (std::string line; std::getline(in, line);) {
    const json e = json::parse(line);
    if (e.at("event") == "stage") stages.push_back(e);
  }
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[1].at("trainable_layers"), json::array({"conv1", "new_head"}));
  EXPECT_EQ(stages[1].at("batch_norm"), "frozen");
}

TEST_F(PlanCli, APlainRunIsWarnedAboutAHighRateForPretrainedLayersToo) {
  const std::string out = dir.file("out.graft");
  auto r = cli(withModel("train", {"--epochs", "1", "--lr", "0.01", "-o", out}));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("warning: This run trains pretrained layers at a learning rate of 0.01"),
            std::string::npos)
      << r.err;
  // Only the new head trains: nothing pretrained to spoil, no warning.
  r = cli(
      withModel("train", {"--epochs", "1", "--lr", "0.01", "--freeze-upto", "pool", "-o", out}));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err.find("warning:"), std::string::npos) << r.err;
}

// A model Graft trained from random weights holds no pretrained features: a second run at
// Adam's 1e-3 is not warned that it "can destroy the pretrained features" (it was), the doctor
// does not send it back to "the pretrained weights", and advise counts its layers as the
// user's own, training them all on. Weights from a file stay pretrained
// (APlainRunIsWarnedAboutAHighRateForPretrainedLayersToo).
TEST_F(PlanCli, ASecondRunOfAModelTrainedFromRandomWeightsCallsNoLayerPretrained) {
  const std::string first = dir.file("first.graft");
  auto r = cli({"train", dir.file("base.json"), "--preprocessing", "tf", "--data", data, "--epochs",
                "1", "--batch-size", "8", "-o", first, "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  r = cli({"train", first, "--data", data, "--epochs", "1", "--batch-size", "8", "-o",
           dir.file("second.graft")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err.find("trains pretrained layers"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("pretrained features"), std::string::npos) << r.err;
  // Nor does the training doctor take its BatchNormalization for pretrained statistics.
  EXPECT_EQ(r.err.find("restart from the pretrained weights"), std::string::npos) << r.err;
  const auto advised = cli({"advise", first, "--data", data, "--json"});
  ASSERT_EQ(advised.exitCode, 0) << advised.err;
  const json plan = json::parse(advised.out);
  EXPECT_EQ(plan["facts"].at("pretrained_layers"), 0) << advised.out;
  EXPECT_EQ(plan["facts"].at("own_layers"), 3) << advised.out;
  ASSERT_EQ(plan["stages"].size(), 1u) << advised.out;
  EXPECT_EQ(plan["stages"][0].at("train"), "all") << advised.out;
  EXPECT_FALSE(plan.contains("warnings")) << advised.out;
}

// A trained model saved as .h5 keeps its weights only: the run says what the file leaves out
// and how to give it back (eval of such a file assumed 224 px and no class names silently).
TEST_F(PlanCli, AnH5OutputSaysWhatItLeavesOut) {
  const auto r = cli({"train", dir.file("base.json"), "--preprocessing", "tf", "--data", data,
                      "--epochs", "1", "-o", dir.file("again.h5")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(
      r.err.find(dir.file("again.h5") +
                 " holds the weights only, not its input size (32 x 32), its preprocessing "
                 "(tf) and its 3 class names: open it as the weights of the model it came "
                 "from (MODEL --weights " +
                 dir.file("again.h5") + " --input-size 32 --preprocessing tf --labels NAMES.txt)"),
      std::string::npos)
      << r.err;
  const auto graft = cli({"train", dir.file("base.json"), "--preprocessing", "tf", "--data", data,
                          "--epochs", "1", "-o", dir.file("again.graft")});
  ASSERT_EQ(graft.exitCode, 0) << graft.err;
  EXPECT_EQ(graft.err.find("holds the weights only"), std::string::npos) << graft.err;
}

// A pipeline's train step warns as graft-cli train does (it trained silently).
TEST_F(PlanCli, APipelineIsWarnedAboutAHighRateForPretrainedLayersToo) {
  const std::string pipeline = dir.file("ci.json");
  std::ofstream(pipeline)
      << json{{"graft_pipeline", 1},
              {"model",
               {{"source", dir.file("new_head.json")},
                {"weights", dir.file("base.h5")},
                {"preprocessing", "tf"}}},
              {"train",
               {{"data", data}, {"epochs", 1}, {"lr", 0.01}, {"output", dir.file("out.graft")}}}}
             .dump();
  const auto r = cli({"run", pipeline});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("graft-cli: warning: This run trains pretrained layers at a learning rate "
                       "of 0.01"),
            std::string::npos)
      << r.err;
}

// A head stacked after a layer that already feeds another (README's recipe on Keras's no-top
// MobileNet file, which ends in its own pooling) gives a second output: every command that
// needs one says which outputs there are and how to keep one, and the cut it names works.
TEST_F(PlanCli, ASecondOutputIsRefusedWithTheCutThatKeepsOne) {
  const std::string recipe = writePlan("stack.json", R"({"graft_recipe": 1, "operations": [
      {"op": "stack", "after": "conv1_bn", "layers": [
        {"class_name": "GlobalMaxPooling2D", "config": {"name": "head_pool"}},
        {"class_name": "Dense", "config": {"name": "head_out", "units": 3,
                                           "activation": "softmax"}}]}]})");
  const std::string two = dir.file("two.graft");
  const auto edited = cli({"edit", dir.file("base.json"), "--weights", dir.file("base.h5"),
                           "--preprocessing", "tf", "--recipe", recipe, "-o", two});
  ASSERT_EQ(edited.exitCode, 0) << edited.err;
  EXPECT_NE(edited.err.find("'head_out' becomes an additional output beside 'predictions'; "
                            "training, prediction and exports need one"),
            std::string::npos)
      << edited.err;
  const std::string fix =
      R"(: keep one by cutting at it (a recipe's {"op": "cut", "at": "head_out", "drop_branches": true}, or Cut Here )";
  const auto trained =
      cli({"train", two, "--data", data, "--epochs", "1", "-o", dir.file("t.graft")});
  EXPECT_EQ(trained.exitCode, 1);
  EXPECT_NE(trained.err.find("training and evaluation need a model with one output; 'tiny' has 2 "
                             "(predictions, head_out)" +
                             fix),
            std::string::npos)
      << trained.err;
  const auto predicted = cli({"predict", two, data + "/circle/circle_000.png"});
  EXPECT_EQ(predicted.exitCode, 1);
  EXPECT_NE(predicted.err.find("predict needs a model with one output; 'tiny' has 2"),
            std::string::npos)
      << predicted.err;
  const auto exported = cli({"export", two, "--format", "onnx", "-o", dir.file("two.onnx")});
  EXPECT_EQ(exported.exitCode, 1);
  EXPECT_NE(exported.err.find("exports need a model with one output"), std::string::npos)
      << exported.err;

  const std::string cut = writePlan("cut.json", R"({"graft_recipe": 1, "operations": [
      {"op": "cut", "at": "head_out", "drop_branches": true}]})");
  const std::string one = dir.file("one.graft");
  ASSERT_EQ(cli({"edit", two, "--recipe", cut, "-o", one}).exitCode, 0);
  EXPECT_EQ(cli({"predict", one, data + "/circle/circle_000.png"}).exitCode, 0);
}

// No training options: the advisor's plan, said in one line; its stage and its BatchNormalization
// setting are in the log.
TEST_F(PlanCli, WithoutTrainingOptionsTheAdvisorsPlanRunsAndSaysSo) {
  const std::string log = dir.file("run.jsonl");
  const auto r =
      cli(withModel("train", {"--batch-size", "8", "-o", dir.file("out.graft"), "--log", log}));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string line =
      "graft-cli: training by the advisor's plan: 1 stage (the new layers only for 10 epochs), "
      "BatchNormalization frozen; give --epochs, --lr, --optimizer or --plan to choose yourself\n";
  const size_t at = r.err.find(line);
  EXPECT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("advisor's plan", at + line.size()), std::string::npos) << r.err;  // once
  std::ifstream in(log);
  std::vector<json> stages;
  int epochs = 0;
  for (std::string text; std::getline(in, text);) {
    const json e = json::parse(text);
    if (e.at("event") == "stage") stages.push_back(e);
    if (e.at("event") == "epoch") ++epochs;
  }
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_EQ(stages[0].at("trainable_layers"), json::array({"new_head"}));
  EXPECT_EQ(stages[0].at("batch_norm"), "frozen");
  EXPECT_EQ(epochs, 10);
}

// Any option that says how to train turns the plan off; pretrained BatchNormalization stays
// frozen unless --train-batch-norm (8 channels: gamma and beta, 16 parameters, then train).
TEST_F(PlanCli, ChosenOptionsTrainOnceWithBatchNormFrozenUnlessAsked) {
  auto frozenParams = [&](std::vector<std::string> more, std::string& err) {
    const std::string log = dir.file("one.jsonl");
    more.insert(more.end(), {"--batch-size", "8", "-o", dir.file("out.graft"), "--log", log});
    const auto r = cli(withModel("train", more));
    err = r.err;
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::ifstream in(log);
    int64_t frozen = -1;
    for (std::string text; std::getline(in, text);) {
      const json e = json::parse(text);
      EXPECT_NE(e.at("event"), "stage") << text;
      if (e.at("event") == "start") frozen = e.at("frozen_params").get<int64_t>();
    }
    return frozen;
  };
  const std::vector<std::vector<std::string>> choices{{"--epochs", "1"},
                                                      {"--lr", "0.001", "--epochs", "1"},
                                                      {"--optimizer", "sgd", "--epochs", "1"}};
  for (const auto& choice : choices) {
    std::string err;
    const int64_t byDefault = frozenParams(choice, err);
    EXPECT_NE(err.find("graft-cli: 1 BatchNormalization layer keeps its pretrained statistics "
                       "(frozen, inference mode); --train-batch-norm trains them\n"),
              std::string::npos)
        << err;
    EXPECT_EQ(err.find("advisor's plan"), std::string::npos) << err;
    auto withBatchNorm = choice;
    withBatchNorm.push_back("--train-batch-norm");
    const int64_t training = frozenParams(withBatchNorm, err);
    EXPECT_EQ(byDefault - training, 16);
    EXPECT_EQ(err.find("BatchNormalization layer keeps"), std::string::npos) << err;
  }
}

TEST_F(PlanCli, TrainBatchNormBesideAPlanIsAUsageError) {
  const std::string path = writePlan("plan.json", R"({"graft_plan": 1, "stages": [
      {"train": "new", "epochs": 1}]})");
  const auto r =
      cli(withModel("train", {"--plan", path, "--train-batch-norm", "-o", dir.file("o.graft")}));
  EXPECT_EQ(r.exitCode, 2) << r.err;
}

TEST_F(PlanCli, ABadPlanNamesTheJsonPathAndExits1) {
  const std::string out = dir.file("out.graft");
  const std::string badRate = writePlan("rate.json", R"({"graft_plan": 1, "stages": [
      {"train": "new"}, {"unfreeze_from": "conv1", "learning_rate": "fast"}]})");
  auto r = cli(withModel("train", {"--plan", badRate, "-o", out}));
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(badRate + ": $.stages[1].learning_rate"), std::string::npos) << r.err;

  const std::string badLayer = writePlan("layer.json", R"({"graft_plan": 1, "stages": [
      {"train": "new"}, {"unfreeze_from": "block5_conv1"}]})");
  r = cli(withModel("train", {"--plan", badLayer, "-o", out}));
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(badLayer + ": $.stages[1].unfreeze_from"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));

  // A plan sets the optimizer per stage: --lr beside it is a usage error.
  r = cli(withModel("train", {"--plan", badLayer, "--lr", "0.1", "-o", out}));
  EXPECT_EQ(r.exitCode, 2) << r.err;
}

}  // namespace
}  // namespace graft::test
