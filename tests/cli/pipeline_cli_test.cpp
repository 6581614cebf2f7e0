// graft-cli run PIPELINE.json: steps, checks, exit status and the JUnit report (read back with
// Python's xml.etree, a parser independent of the writer).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Prints the report's suite counts and each test case's status and message as JSON.
const char* kReadJunit = R"(
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1, len(suites)
suite = suites[0]
cases = []
for case in suite.findall("testcase"):
    status, message = "passed", ""
    for tag in ("failure", "error", "skipped"):
        element = case.find(tag)
        if element is not None:
            status, message = tag, element.get("message", "")
    cases.append({"name": case.get("name"), "classname": case.get("classname"),
                  "time": float(case.get("time")), "status": status, "message": message})
print(json.dumps({"name": suite.get("name"), "tests": int(suite.get("tests")),
                  "failures": int(suite.get("failures")), "errors": int(suite.get("errors")),
                  "skipped": int(suite.get("skipped")), "cases": cases}))
)";

class PipelineCli : public ::testing::Test {
 protected:
  void SetUp() override {
    env = {"KERAS_HOME=" + dir.path().string()};
    std::ofstream(dir.file("tiny.json")) << kTinyModel;
  }
  CommandResult cli(const std::vector<std::string>& args) { return runCli(args, env); }

  // The pipeline file, written in the scratch folder: its relative paths point there.
  std::string writePipeline(const json& pipeline, const std::string& name = "ci.json") {
    const std::string path = dir.file(name);
    std::ofstream(path) << pipeline.dump(2);
    return path;
  }

  std::string makeSampleData() {
    const std::string data = dir.file("shapes");
    const auto made = cli({"sample-data", data, "--images-per-class", "20", "--size", "32"});
    EXPECT_EQ(made.exitCode, 0) << made.err;
    return data;
  }

  json readJunit(const std::string& path) {
    const auto r = runProgram(GRAFT_PYTHON, {"-c", kReadJunit, path});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return json::parse(r.out);
  }

  static const json& caseNamed(const json& report, const std::string& name) {
    for (const auto& c : report.at("cases"))
      if (c.at("name") == name) return c;
    throw std::runtime_error("no test case named " + name + " in " + report.dump());
  }

  int64_t totalParams() {
    const auto summary = cli({"summary", dir.file("tiny.json"), "--json"});
    EXPECT_EQ(summary.exitCode, 0) << summary.err;
    return json::parse(summary.out).at("total_params").get<int64_t>();
  }

  TempDir dir;
  std::vector<std::string> env;
};

TEST_F(PipelineCli, PassingPipelineTrainsExportsChecksAndWritesJunit) {
  makeSampleData();
  const json pipeline = {
      {"graft_pipeline", 1},
      {"model", {{"source", "tiny.json"}, {"preprocessing", "tf"}}},
      {"recipe",
       {{"graft_recipe", 1},
        {"operations", {{{"op", "rename"}, {"layer", "conv1"}, {"to", "features"}}}}}},
      {"train",
       {{"data", "shapes"},
        {"epochs", 2},
        {"batch_size", 8},
        {"lr", 0.02},
        {"seed", 1},
        {"output", "trained.graft"}}},
      {"exports", {{{"format", "torchscript"}, {"output", "model.pt"}}}},
      {"eval", {{"data", "shapes"}}},
      {"checks",
       {"val_accuracy >= 0",
        "total_params <= " + std::to_string(totalParams()),
        "export max difference <= 1e-4",
        {{"metric", "eval_accuracy"}, {"op", ">="}, {"value", 0.0}},
        {{"metric", "epochs"}, {"op", "=="}, {"value", 2}}}}};
  const std::string path = writePipeline(pipeline);
  const std::string junit = dir.file("report.xml");

  // Run from another folder: the pipeline's relative paths are its own folder's.
  const auto r = cli({"run", path, "--junit", junit});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(dir.file("trained.graft")));
  EXPECT_TRUE(fs::exists(dir.file("model.pt")));
  EXPECT_NE(r.out.find("pipeline passed"), std::string::npos) << r.out;
  // Not a terminal: no progress bar.
  EXPECT_EQ(r.err.find('\r'), std::string::npos);

  const json report = readJunit(junit);
  EXPECT_EQ(report.at("name"), "ci");
  // load, recipe, train, export, eval + five checks.
  EXPECT_EQ(report.at("tests"), 10);
  EXPECT_EQ(report.at("failures"), 0);
  EXPECT_EQ(report.at("errors"), 0);
  for (const auto& c : report.at("cases")) EXPECT_EQ(c.at("status"), "passed") << c.dump();
  EXPECT_EQ(caseNamed(report, "train").at("classname"), "ci.steps");
  EXPECT_EQ(caseNamed(report, "export max difference <= 1e-4").at("classname"), "ci.checks");

  // The saved model is the recipe's: the renamed layer is there.
  const auto summary = cli({"summary", dir.file("trained.graft"), "--json"});
  ASSERT_EQ(summary.exitCode, 0) << summary.err;
  EXPECT_NE(summary.out.find("\"features\""), std::string::npos);
}

// The advisor's pre-run warnings name the pipeline's keys in graft-cli run, as the doctor's
// findings do, and graft-cli train's flags in train (the pipeline said "--max-unreadable").
TEST_F(PipelineCli, TheAdvisorsWarningsNameThePipelinesKeys) {
  const std::string data = makeSampleData();
  for (int i = 4; i < 20; ++i) {  // 4 circles against 20 squares and triangles: imbalanced
    char name[32];
    std::snprintf(name, sizeof name, "circle_%03d.png", i);
    ASSERT_TRUE(fs::remove(fs::path(data) / "circle" / name)) << name;
  }
  std::ofstream(fs::path(data) / "square" / "lfs.png")
      << "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n";
  const std::string path =
      writePipeline({{"graft_pipeline", 1},
                     {"model", "tiny.json"},
                     {"train", {{"data", "shapes"}, {"epochs", 1}, {"seed", 1}}},
                     {"checks", {"epochs == 1"}}});
  const auto run = cli({"run", path});
  EXPECT_EQ(run.exitCode, 0) << run.out << run.err;
  EXPECT_NE(run.err.find("graft-cli: warning: 1 of the 45 files named as images do not begin as "
                         "one"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("a run skips them (past \"max_unreadable\" it stops)"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("; use \"class_weights\": true or gather more images"), std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("--max-unreadable"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("--class-weights"), std::string::npos) << run.err;

  const auto train = cli(
      {"train", dir.file("tiny.json"), "--data", data, "--epochs", "1", "-o", dir.file("t.h5")});
  EXPECT_EQ(train.exitCode, 0) << train.err;
  EXPECT_NE(train.err.find("(past --max-unreadable it stops)"), std::string::npos) << train.err;
  EXPECT_NE(train.err.find("; use --class-weights or gather more images"), std::string::npos)
      << train.err;
}

// A staged plan in the pipeline runs stage by stage, as `graft-cli train --plan` does: the
// epochs check counts both stages, and the trained conv layer moved only in the second one.
TEST_F(PipelineCli, APlanTrainsInStages) {
  const std::string data = makeSampleData();
  const json plan = {
      {"graft_plan", 1},
      {"stages",
       {{{"name", "head"}, {"unfreeze_from", "predictions"}, {"epochs", 1}},
        {{"name", "all"}, {"train", "all"}, {"epochs", 2}, {"learning_rate", 1e-4}}}}};
  const std::string path = writePipeline(
      {{"graft_pipeline", 1},
       {"model", "tiny.json"},
       {"train", {{"data", "shapes"}, {"batch_size", 16}, {"plan", plan}, {"seed", 1}}},
       {"checks", {"epochs == 3"}}});
  const auto r = cli({"run", path, "--json"});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  // A training step's warnings and the doctor's findings are in the result, for a script.
  const json result = json::parse(r.out);
  EXPECT_TRUE(result.at("warnings").is_array()) << r.out;
  EXPECT_TRUE(result.at("diagnoses").is_array()) << r.out;
  // A pipeline without one has neither.
  const std::string noTraining = writePipeline(
      {{"graft_pipeline", 1}, {"model", "tiny.json"}, {"checks", {"total_params >= 1"}}},
      "plain.json");
  const auto plain = cli({"run", noTraining, "--json"});
  ASSERT_EQ(plain.exitCode, 0) << plain.err;
  EXPECT_FALSE(json::parse(plain.out).contains("warnings")) << plain.out;

  json bad = plan;
  bad["stages"][1]["epochs"] = 0;
  const std::string badPath = writePipeline({{"graft_pipeline", 1},
                                             {"model", "tiny.json"},
                                             {"train", {{"data", "shapes"}, {"plan", bad}}}},
                                            "bad.json");
  const auto refused = cli({"run", badPath});
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(refused.err.find("train.plan"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("stages[1].epochs"), std::string::npos) << refused.err;
}

// The training doctor's findings reach run --json when the training step fails too: a NaN
// loss's finding and its fix are what a script needs then.
TEST_F(PipelineCli, AFailedTrainingStepStillGivesItsDiagnoses) {
  makeSampleData();
  const std::string path = writePipeline(
      {{"graft_pipeline", 1},
       {"model", "tiny.json"},
       {"train", {{"data", "shapes"}, {"epochs", 2}, {"lr", 1e30}, {"optimizer", "sgd"}}}});
  const auto r = cli({"run", path, "--json"});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  const json result = json::parse(r.out);
  bool notFinite = false;
  for (const auto& d : result.at("diagnoses"))
    notFinite = notFinite || d.at("code") == "loss_not_finite";
  EXPECT_TRUE(notFinite) << r.out;
}

TEST_F(PipelineCli, FailedCheckExits1AndIsAJunitFailure) {
  const int64_t params = totalParams();
  const std::string tooFew = "total_params < " + std::to_string(params);
  const std::string path = writePipeline(
      {{"graft_pipeline", 1},
       {"model", "tiny.json"},
       {"checks", {"total_params <= " + std::to_string(params), tooFew, "trainable_params >= 1"}}});
  const std::string junit = dir.file("report.xml");
  const auto r = cli({"run", path, "--junit", junit, "--json"});
  EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("check failed: " + tooFew), std::string::npos) << r.err;

  const json result = json::parse(r.out);
  EXPECT_EQ(result.at("passed"), false);
  ASSERT_EQ(result.at("steps").size(), 4u);

  const json report = readJunit(junit);
  EXPECT_EQ(report.at("tests"), 4);
  EXPECT_EQ(report.at("failures"), 1);
  EXPECT_EQ(report.at("errors"), 0);
  const json& failed = caseNamed(report, tooFew);
  EXPECT_EQ(failed.at("status"), "failure");
  // The message gives the measured value, the same count `summary` prints.
  EXPECT_NE(
      failed.at("message").get<std::string>().find("total_params is " + std::to_string(params)),
      std::string::npos)
      << failed.dump();
  EXPECT_EQ(caseNamed(report, "trainable_params >= 1").at("status"), "passed");
}

TEST_F(PipelineCli, PredictionCheckAgreesWithPredict) {
  const std::string data = makeSampleData();
  std::ofstream(dir.file("labels.txt")) << "circle\nsquare\ntriangle\n";
  std::string image;
  for (const auto& e : fs::recursive_directory_iterator(data))
    if (e.is_regular_file()) {
      image = e.path().string();
      break;
    }
  ASSERT_FALSE(image.empty());
  const auto predicted = cli({"predict", dir.file("tiny.json"), image, "--labels",
                              dir.file("labels.txt"), "--seed", "3", "--json"});
  ASSERT_EQ(predicted.exitCode, 0) << predicted.err;
  const std::string best = json::parse(predicted.out).at("top").at(0).at("label");
  const std::string other = best == "circle" ? "square" : "circle";

  const std::string relative = fs::relative(image, dir.path()).string();
  const std::string path =
      writePipeline({{"graft_pipeline", 1},
                     {"model", {{"source", "tiny.json"}, {"labels", "labels.txt"}, {"seed", 3}}},
                     {"checks",
                      {"prediction of " + relative + " is " + best,
                       {{"metric", "prediction"}, {"file", relative}, {"label", other}},
                       "prediction of " + relative + " is zebra"}}});
  const std::string junit = dir.file("report.xml");
  const auto r = cli({"run", path, "--junit", junit});
  EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
  const json report = readJunit(junit);
  EXPECT_EQ(report.at("failures"), 2);
  // A label the model does not have is said as such, not as a wrong prediction.
  const json& impossible = caseNamed(report, "prediction of " + relative + " is zebra");
  EXPECT_NE(impossible.at("message").get<std::string>().find(
                "'zebra' is not one of the model's class names (circle, square, triangle)"),
            std::string::npos)
      << impossible.dump();
  EXPECT_EQ(caseNamed(report, "prediction of " + relative + " is " + best).at("status"), "passed");
  const json& wrong = caseNamed(report, "prediction of " + relative + " is " + other);
  EXPECT_EQ(wrong.at("status"), "failure");
  EXPECT_NE(wrong.at("message").get<std::string>().find("predicted " + best), std::string::npos)
      << wrong.dump();
}

// graft-cli train and eval are the runner with one step: their numbers are the ones the same
// pipeline measures (the checks' messages give the measured values to six digits).
TEST_F(PipelineCli, TrainAndEvalGiveWhatTheSamePipelineMeasures) {
  makeSampleData();
  const auto trained = cli({"train", dir.file("tiny.json"), "--data", dir.file("shapes"),
                            "--epochs", "2", "--batch-size", "8", "--lr", "0.02", "--seed", "1",
                            "-o", dir.file("cli.graft"), "--json", "--quiet"});
  ASSERT_EQ(trained.exitCode, 0) << trained.err;
  const auto evaluated =
      cli({"eval", dir.file("cli.graft"), "--data", dir.file("shapes"), "--json", "--quiet"});
  ASSERT_EQ(evaluated.exitCode, 0) << evaluated.err;

  // The measured value of each check "METRIC >= 0" of a pipeline run.
  auto measured = [&](const json& pipeline, const std::vector<std::string>& metrics) {
    json checks = json::array();
    for (const auto& m : metrics) checks.push_back(m + " >= 0");
    json p = pipeline;
    p["checks"] = checks;
    const auto r = cli({"run", writePipeline(p), "--json", "--quiet"});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    const json result = json::parse(r.out);
    std::map<std::string, double> values;
    for (const auto& step : result.at("steps"))
      if (step.at("check").get<bool>()) {
        const std::string message = step.at("message");
        const size_t is = message.find(" is ");
        values[message.substr(0, is)] = std::stod(message.substr(is + 4));
      }
    return values;
  };
  const auto near = [](double a, double b) {
    return std::abs(a - b) <= 1e-5 * std::max(1.0, std::abs(a));
  };

  const json train = json::parse(trained.out);
  const auto training =
      measured({{"graft_pipeline", 1},
                // --seed is the model's seed, and the training's.
                {"model", {{"source", "tiny.json"}, {"seed", 1}}},
                {"train", {{"data", "shapes"}, {"epochs", 2}, {"batch_size", 8}, {"lr", 0.02}}}},
               {"loss", "accuracy", "val_loss", "val_accuracy"});
  for (const auto& [metric, value] : training)
    EXPECT_PRED2(near, train.at(metric).get<double>(), value) << metric;
  EXPECT_EQ(training.size(), 4u);

  const json eval = json::parse(evaluated.out);
  const auto evaluation =
      measured({{"graft_pipeline", 1}, {"model", "cli.graft"}, {"eval", {{"data", "shapes"}}}},
               {"eval_loss", "eval_accuracy"});
  EXPECT_PRED2(near, eval.at("loss").get<double>(), evaluation.at("eval_loss"));
  EXPECT_PRED2(near, eval.at("accuracy").get<double>(), evaluation.at("eval_accuracy"));
}

// Six epochs at a rate that makes the validation loss jump about (its best epoch is not the
// last), validated on the training folder, logged to train.jsonl; `train` adds to its options.
json jumpyTraining(const json& train) {
  json options = {{"data", "shapes"},    {"val_dir", "shapes"}, {"epochs", 6},
                  {"batch_size", 8},     {"lr", 0.3},           {"seed", 1},
                  {"log", "train.jsonl"}};
  options.update(train);
  return {{"graft_pipeline", 1},
          {"model", {{"source", "tiny.json"}, {"preprocessing", "tf"}}},
          {"train", options}};
}

// The model may be its own checkpoint: with `checkpoint: best` the file keeps the best epoch
// the log names (saving the last epoch over it replaced it), and the run says so.
TEST_F(PipelineCli, TheModelAsItsOwnBestCheckpointKeepsTheBestEpoch) {
  makeSampleData();
  json pipeline = jumpyTraining({{"checkpoint", "best"}, {"output", "model.graft"}});
  pipeline["output"] = "model.graft";
  const auto r = cli({"run", writePipeline(pipeline)});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  std::map<int, double> valLoss;
  int held = 0;
  int last = 0;
  std::ifstream log(dir.file("train.jsonl"));
  for (std::string line; std::getline(log, line);) {
    const json event = json::parse(line);
    if (event.at("event") == "epoch") {
      last = event.at("epoch").get<int>();
      valLoss[last] = event.at("val_loss").get<double>();
    }
    if (event.at("event") == "end") held = event.at("checkpoint_epoch").get<int>();
  }
  ASSERT_EQ(last, 6);
  // Only meaningful when the best epoch is not the last (the rate makes the loss jump about).
  ASSERT_NE(held, last) << "the best epoch is the last; the test needs another";
  EXPECT_NE(r.out.find("kept " + dir.file("model.graft")), std::string::npos) << r.out;
  const auto evaluated =
      cli({"eval", dir.file("model.graft"), "--data", dir.file("shapes"), "--json", "--quiet"});
  ASSERT_EQ(evaluated.exitCode, 0) << evaluated.err;
  EXPECT_NEAR(json::parse(evaluated.out).at("loss").get<double>(), valLoss.at(held), 1e-5);
}

// train --json describes the file it names: with --checkpoint best its figures are the best
// epoch's, not the last's (a script read the last epoch's val_loss beside the best's file).
TEST_F(PipelineCli, TrainJsonGivesTheFiguresOfTheEpochItsFileHolds) {
  makeSampleData();
  const auto r = cli({"train",
                      dir.file("tiny.json"),
                      "--preprocessing",
                      "tf",
                      "--data",
                      dir.file("shapes"),
                      "--val-dir",
                      dir.file("shapes"),
                      "--epochs",
                      "6",
                      "--batch-size",
                      "8",
                      "--lr",
                      "0.3",
                      "--seed",
                      "1",
                      "--log",
                      dir.file("train.jsonl"),
                      "--checkpoint",
                      "best",
                      "-o",
                      dir.file("best.graft"),
                      "--json",
                      "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  std::map<int, double> valLoss;
  std::ifstream log(dir.file("train.jsonl"));
  for (std::string line; std::getline(log, line);) {
    const json event = json::parse(line);
    if (event.at("event") == "epoch")
      valLoss[event.at("epoch").get<int>()] = event.at("val_loss").get<double>();
  }
  const json said = json::parse(r.out);
  const int held = said.at("checkpoint_epoch").get<int>();
  ASSERT_NE(held, 6) << "the best epoch is the last; the test needs another";
  EXPECT_DOUBLE_EQ(said.at("val_loss").get<double>(), valLoss.at(held)) << r.out;
}

// With restore_best the model that is saved and exported is the best epoch's: the val_loss check
// measures that epoch, not the last one whose weights were thrown away.
TEST_F(PipelineCli, RestoreBestChecksMeasureTheRestoredEpoch) {
  makeSampleData();
  json pipeline = jumpyTraining({{"restore_best", true}});
  pipeline["checks"] = json::array({"val_loss >= 0"});
  const auto r = cli({"run", writePipeline(pipeline), "--json", "--quiet"});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  std::vector<double> valLoss;
  std::ifstream log(dir.file("train.jsonl"));
  for (std::string line; std::getline(log, line);) {
    const json event = json::parse(line);
    if (event.at("event") == "epoch") valLoss.push_back(event.at("val_loss").get<double>());
  }
  ASSERT_EQ(valLoss.size(), 6u);
  const size_t best =
      static_cast<size_t>(std::min_element(valLoss.begin(), valLoss.end()) - valLoss.begin());
  ASSERT_NE(best, 5u) << "the best epoch is the last; the test needs another";
  double measured = -1;
  const json result = json::parse(r.out);
  for (const auto& step : result.at("steps"))
    if (step.at("check").get<bool>()) {
      const std::string message = step.at("message");
      measured = std::stod(message.substr(message.find(" is ") + 4));
    }
  EXPECT_NEAR(measured, valLoss[best], 1e-9 * std::max(1.0, valLoss[best])) << r.out;
}

TEST_F(PipelineCli, FailingStepIsAnErrorAndSkipsTheRest) {
  // A folder that is there (inputs are checked before the first step) but holds no images.
  fs::create_directories(dir.file("empty_folder"));
  const std::string path = writePipeline({{"graft_pipeline", 1},
                                          {"model", "tiny.json"},
                                          {"eval", {{"data", "empty_folder"}}},
                                          {"checks", {"eval_accuracy >= 0", "total_params >= 1"}}});
  const std::string junit = dir.file("report.xml");
  const auto r = cli({"run", path, "--junit", junit, "--quiet"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("empty_folder"), std::string::npos) << r.err;
  const json report = readJunit(junit);
  EXPECT_EQ(report.at("tests"), 4);
  EXPECT_EQ(report.at("errors"), 1);
  EXPECT_EQ(report.at("skipped"), 2);
  EXPECT_EQ(caseNamed(report, "total_params >= 1").at("status"), "skipped");
}

// A recipe step that fails says each context once ("recipe: recipe: recipe failed:" before), and
// a fusion that needs sample images names the pipeline's "samples" field, not graft-cli edit's
// option.
TEST_F(PipelineCli, AFailingRecipeStepSaysItsContextOnceInThePipelinesWords) {
  std::ofstream(dir.file("two_convs.json")) << R"({"class_name": "Sequential", "config": {
    "name": "two", "layers": [
    {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 16, 16, 3]}},
    {"class_name": "Conv2D", "config": {"name": "conv1", "filters": 4, "kernel_size": [3, 3],
                                        "activation": "relu"}},
    {"class_name": "Conv2D", "config": {"name": "conv2", "filters": 4, "kernel_size": [3, 3]}}]}})";
  const std::string cut = writePipeline(
      {{"graft_pipeline", 1},
       {"model", "two_convs.json"},
       {"recipe", {{"graft_recipe", 1}, {"operations", {{{"op", "cut"}, {"at", "nolayer"}}}}}}});
  const auto failed = cli({"run", cut});
  EXPECT_EQ(failed.exitCode, 1);
  EXPECT_NE(failed.err.find("graft-cli: error: recipe: operations[0] (cut): nolayer: no layer of "
                            "this name"),
            std::string::npos)
      << failed.err;
  EXPECT_EQ(failed.err.find("recipe: recipe"), std::string::npos) << failed.err;

  const std::string fuse =
      writePipeline({{"graft_pipeline", 1},
                     {"model", "two_convs.json"},
                     {"recipe", {{{"op", "fuse"}, {"layers", {"conv1", "conv2"}}}}}});
  const auto refused = cli({"run", fuse});
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(refused.err.find("with sample images — the pipeline's \"samples\" field"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(refused.err.find("graft-cli edit --samples"), std::string::npos) << refused.err;
  // graft-cli edit keeps its own words.
  std::ofstream(dir.file("fuse.json"))
      << R"({"graft_recipe": 1, "operations": [{"op": "fuse", "layers": ["conv1", "conv2"]}]})";
  const auto edited = cli({"edit", dir.file("two_convs.json"), "--recipe", dir.file("fuse.json"),
                           "-o", dir.file("fused.graft")});
  EXPECT_EQ(edited.exitCode, 1);
  EXPECT_NE(edited.err.find("graft-cli edit --samples DIR"), std::string::npos) << edited.err;
}

TEST_F(PipelineCli, BadPipelineNamesTheJsonPathOfTheProblem) {
  const json base = {{"graft_pipeline", 1}, {"model", "tiny.json"}};
  fs::create_directories(dir.file("shapes/circle"));  // a log may not replace an image
  std::ofstream(dir.file("shapes/circle/a.png")) << "an image";
  struct Case {
    json patch;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{{"checks",
         {"total_params >= 1",
          "trainable_params >= 0",
          {{"metric", "val_acc"}, {"op", ">="}, {"value", 1}}}}},
       "checks[2].metric: unknown metric 'val_acc'"},
      // JSON integers are 64-bit; none may wrap into the int a field holds.
      {{{"train", {{"data", "shapes"}, {"epochs", 4294967297LL}}}},
       "train.epochs: expected at most 2147483647, found 4294967297"},
      {{{"train", {{"data", "shapes"}, {"epochs", 4294967296LL}}}},
       "train.epochs: expected at most 2147483647, found 4294967296"},
      {{{"model", {{"source", "tiny.json"}, {"seed", -1}}}}, "model.seed: expected at least 0"},
      {{{"model", {{"source", "tiny.json"}, {"input_size", 4294967328LL}}}},
       "model.input_size: expected an integer from 1 to 2147483647, found 4294967328"},
      // Every key the object takes is listed, not only those this one read.
      {{{"model", {{"source", "tiny.json"}, {"alpa", 0.5}}}},
       "model.alpa: unknown field (expected one of: alpha, classes,"},
      {{{"checks", {{{"metric", "total_params"}, {"value", 1}}}}}, "checks[0].op: missing"},
      {{{"checks", {{{"metric", "total_params"}, {"op", ">="}, {"value", 1}, {"export", 0}}}}},
       "checks[0].export: picks one export for export_max_difference"},
      {{{"checks", {"prediction >= 3"}}}, "checks[0]: a prediction is checked as"},
      {{{"eval", {{"data", "shapes"}, {"batch_size", 0}}}},
       "eval.batch_size: expected at least 1, found 0"},
      {{{"recipe", ""}}, "recipe: expected a recipe file name or the recipe"},
      {{{"recipe", {{"graft_recipe", 1}, {"operations", json::array()}, {"extra", 1}}}},
       "recipe: unknown field 'extra'"},
      // Named as written: the string form is the folder itself, the object's is its "data".
      {{{"samples", "no_such_folder"}},
       "samples: " + dir.file("no_such_folder") + ": no such folder"},
      {{{"samples", {{"data", "no_such_folder"}}}},
       "samples.data: " + dir.file("no_such_folder") + ": no such folder"},
      // An unknown operation is found as the file is read, before the model loads.
      {{{"recipe", {{"graft_recipe", 1}, {"operations", {{{"op", "cutt"}, {"at", "pool"}}}}}}},
       "recipe.operations[0].op: unknown operation 'cutt'; did you mean 'cut'? (known: "},
      {{{"recipe", {{{"op", "freeze"}, {"upto", "pool"}}, {{"op", "stak"}}}}},
       "recipe[1].op: unknown operation 'stak'; did you mean 'stack'?"},
      {{{"recipe", {{{"op", "cut"}, {"att", "pool"}}}}},
       "recipe[0].att: not a field of cut (it takes: at, drop_branches, seed, reinitialize)"},
      // Every input is checked before the first step (a misspelt eval folder was found only
      // after the training it waited for).
      {{{"train", {{"data", "no_such_train"}}}},
       "train.data: " + dir.file("no_such_train") + ": no such folder"},
      {{{"eval", {{"data", "no_such_eval"}}}},
       "eval.data: " + dir.file("no_such_eval") + ": no such folder"},
      {{{"eval", {{"data", "tiny.json"}}}},
       "eval.data: " + dir.file("tiny.json") + ": not a folder"},
      {{{"model", {{"source", "tiny.json"}, {"weights", "none.h5"}}}},
       "model.weights: " + dir.file("none.h5") + ": no such file"},
      {{{"checks", {"prediction of no_such.png is circle"}}},
       "checks[0]: " + dir.file("no_such.png") + ": no such file"},
      // Outputs are checked before the first step: nothing waits for a training to fail.
      {{{"exports", {{{"format", "onnx"}, {"output", "bad.json"}}}}},
       "exports[0].output: " + dir.file("bad.json") + " is the pipeline file"},
      {{{"exports", {{{"format", "onnx"}, {"output", "tiny.json"}}}}},
       "exports[0].output: " + dir.file("tiny.json") + " is the model.source file"},
      {{{"exports",
         {{{"format", "onnx"}, {"output", "m.onnx"}}, {{"format", "onnx"}, {"output", "m.onnx"}}}}},
       "exports[1].output: " + dir.file("m.onnx") + " is also exports[0].output"},
      {{{"train", {{"data", "shapes"}, {"log", "shapes/circle/a.png"}}}},
       "train.log: " + dir.file("shapes/circle/a.png") + " is an image in train.data (" +
           dir.file("shapes") + "), which the run reads"},
      {{{"output", "no_such_folder/m.graft"}}, "output: the folder"},
      {{{"train", {{"data", "shapes"}, {"log", "no_such_folder/log.jsonl"}}}},
       "train.log: the folder"},
      {{{"train", {{"data", "shapes"}, {"epochs", "two"}}}}, "train.epochs: expected an integer"},
      {{{"train", {{"data", "shapes"}, {"epoch", 2}}}}, "train.epoch: unknown field"},
      {{{"exports", {{{"format", "pdf"}, {"output", "m.pdf"}}}}}, "exports[0].format"},
      {{{"checks", {"val_accuracy >= 0.9"}}},
       "checks[0]: 'val_accuracy' is measured by the \"train\" section"},
      {{{"checks", {"accuracy is high"}}}, "checks[0]: cannot read the check"},
      {{{"checks", {"total_params <= nan"}}},
       R"(checks[0]: "nan" in "total_params <= nan" is not a number)"},
      {{{"graft_pipeline", 7}}, "graft_pipeline: format version 7"},
      {{{"model", {{"alpha", 0.5}}}}, "model.source: missing"},
  };
  for (const auto& c : cases) {
    json document = base;
    document.merge_patch(c.patch);
    const std::string path = writePipeline(document, "bad.json");
    const auto r = cli({"run", path});
    EXPECT_EQ(r.exitCode, 1) << document.dump();
    EXPECT_NE(r.err.find(path + ": " + c.expected), std::string::npos)
        << "expected \"" << c.expected << "\" in: " << r.err;
  }

  // Not JSON at all: the file is named, and CI still gets a report with the error.
  const std::string broken = dir.file("broken.json");
  std::ofstream(broken) << "{\"graft_pipeline\": 1,";
  const std::string junit = dir.file("report.xml");
  const auto r = cli({"run", broken, "--junit", junit});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(broken + ": not valid JSON"), std::string::npos) << r.err;
  const json report = readJunit(junit);
  EXPECT_EQ(report.at("errors"), 1);
  EXPECT_NE(report.at("cases").at(0).at("message").get<std::string>().find("not valid JSON"),
            std::string::npos);

  // --json prints the error as its one object too.
  const auto asJson = cli({"run", broken, "--json"});
  EXPECT_EQ(asJson.exitCode, 1);
  const json printed = json::parse(asJson.out);
  EXPECT_EQ(printed.at("passed"), false);
  EXPECT_EQ(printed.at("steps").at(0).at("status"), "error");

  // The report's own folder is checked before any step runs.
  const std::string good = writePipeline({{"graft_pipeline", 1}, {"model", "tiny.json"}});
  const auto noFolder = cli({"run", good, "--junit", dir.file("no_such_folder/r.xml")});
  EXPECT_EQ(noFolder.exitCode, 1);
  EXPECT_NE(noFolder.err.find(good + ": --junit: the folder"), std::string::npos) << noFolder.err;
  EXPECT_EQ(noFolder.out.find("load model"), std::string::npos) << noFolder.out;
  const auto overPipeline = cli({"run", good, "--junit", good});
  EXPECT_EQ(overPipeline.exitCode, 1);
  EXPECT_NE(overPipeline.err.find("is the pipeline file"), std::string::npos) << overPipeline.err;
  EXPECT_NE(std::ifstream(good).peek(), '<') << "the pipeline file was overwritten";

  // A folder is named as one.
  const auto folder = cli({"run", dir.path().string()});
  EXPECT_EQ(folder.exitCode, 1);
  EXPECT_NE(folder.err.find("is a folder, not a pipeline file"), std::string::npos) << folder.err;

  // A missing PIPELINE argument is a usage error.
  EXPECT_EQ(cli({"run"}).exitCode, 2);
}

// A missing input is named where it was looked for: "../data" in a pipeline in sub/, run from
// the folder above, is neither "../data" nor "data" to the user reading the error.
TEST_F(PipelineCli, AMissingInputIsNamedWhereItWasLookedFor) {
  fs::create_directories(dir.file("sub"));
  std::ofstream(dir.file("sub/ci.json"))
      << json{{"graft_pipeline", 1}, {"model", "../tiny.json"}, {"eval", {{"data", "../data"}}}};
  const fs::path before = fs::current_path();
  fs::current_path(dir.path());
  const auto r = cli({"run", "sub/ci.json"});
  fs::current_path(before);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("sub/ci.json: eval.data: " + dir.file("data") + ": no such folder"),
            std::string::npos)
      << r.err;
}

// Reports stay readable whatever the paths hold: bytes that are not UTF-8 in a folder name,
// and numbers printed in full (a check on 4253863 parameters never reads 4.25386e+06).
TEST_F(PipelineCli, ReportsHoldAnyPathAndNumbersInFull) {
  const fs::path odd = dir.path() / "p\xff";
  fs::create_directories(odd);
  fs::copy_file(dir.file("tiny.json"), odd / "tiny.json");
  const int64_t params = totalParams();
  const json pipeline = {
      {"graft_pipeline", 1},
      {"model", "tiny.json"},
      {"checks",
       {"total_params <= " + std::to_string(params), "total_params < " + std::to_string(params)}}};
  const std::string path = (odd / "ci.json").string();
  std::ofstream(path) << pipeline.dump(2);
  const std::string junit = dir.file("report.xml");
  const auto r = cli({"run", path, "--json", "--junit", junit});
  EXPECT_EQ(r.exitCode, 1) << r.err;  // the second check fails
  const json printed = json::parse(r.out);
  const std::string failed = printed.at("steps").at(2).at("message");
  EXPECT_EQ(failed,
            "total_params is " + std::to_string(params) + ", expected < " + std::to_string(params));
  const json report = readJunit(junit);
  EXPECT_EQ(report.at("failures"), 1);
  // Step names give paths as the pipeline file does, relative to its folder: the same wherever
  // the job's workspace is, and however the file is named (from its own folder too).
  EXPECT_EQ(caseNamed(report, "load model tiny.json").at("status"), "passed");
  const auto here = runProgram("/bin/sh", {"-c", "cd \"$1\" && exec \"$2\" run ci.json --json",
                                           "sh", odd.string(), cliPath()});
  EXPECT_EQ(json::parse(here.out).at("steps").at(0).at("name"), "load model tiny.json")
      << here.out << here.err;
  // A model outside the pipeline's folder is named as the pipeline names it (it read
  // "../../work/..."), an absolute path whole.
  const std::string elsewhere = dir.file("tiny.json");
  std::ofstream(path) << json({{"graft_pipeline", 1}, {"model", elsewhere}}).dump(2);
  const auto outside = cli({"run", path, "--json"});
  EXPECT_EQ(json::parse(outside.out).at("steps").at(0).at("name"), "load model " + elsewhere)
      << outside.out << outside.err;
}

}  // namespace
}  // namespace graft::test
