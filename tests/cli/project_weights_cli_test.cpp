// A training run on a .graft project may save its result as Keras-layout weights only
// (-o model.h5); the loader then points to the project with --weights, which must open it:
// the project's model with the file's weights, every layer found in the file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;

class ProjectWeightsCli : public TinyModelCli {
 protected:
  void SetUp() override { writeImages(4); }
  std::vector<std::string> train(const std::string& source, const std::string& out) const {
    return {"train",     source,   "--preprocessing",
            "tf",        "--data", data,
            "--epochs",  "1",      "--batch-size",
            "4",         "--seed", "7",
            "--workers", "1",      "-q",
            "-o",        out};
  }
  std::string image() const { return (fs::path(data) / "square" / "square_001.png").string(); }
};

TEST_F(ProjectWeightsCli, AWeightsOnlyCheckpointOfAProjectOpensWithTheProjectAndWeights) {
  const std::string project = dir.file("start.graft");
  const std::string recipe = dir.file("nothing.json");
  std::ofstream(recipe) << R"({"graft_recipe": 1, "operations": []})";
  ASSERT_EQ(cli({"edit", model, "--preprocessing", "tf", "--recipe", recipe, "-o", project, "-q"})
                .exitCode,
            0);
  const std::string weights = dir.file("trained.h5"), whole = dir.file("trained.graft");
  ASSERT_EQ(cli(train(project, weights)).exitCode, 0);
  ASSERT_EQ(cli(train(project, whole)).exitCode, 0);  // the same run, saved whole

  const auto fromWeights = cli({"predict", project, "--weights", weights, image(), "--json"});
  ASSERT_EQ(fromWeights.exitCode, 0) << fromWeights.err;
  const auto fromWhole = cli({"predict", whole, image(), "--json"});
  ASSERT_EQ(fromWhole.exitCode, 0) << fromWhole.err;
  // The same numbers (the .h5 holds weights only: the class names are the trained project's).
  const auto output = [](const CommandResult& r) {
    return nlohmann::json::parse(r.out).at("output").dump();
  };
  EXPECT_EQ(output(fromWeights), output(fromWhole));
  const auto untrained = cli({"predict", project, image(), "--json"});
  EXPECT_NE(output(untrained), output(fromWhole));  // the weights came from the file

  // Weights of another model do not fit: refused, naming the file.
  const std::string foreign = fixturesDir() + "/keras/mobilenet025_catvsdog.h5";
  if (!fs::exists(foreign)) return;
  const auto other = cli({"predict", project, "--weights", foreign, image()});
  EXPECT_EQ(other.exitCode, 1) << other.err;
  EXPECT_NE(other.err.find("mobilenet025_catvsdog.h5"), std::string::npos) << other.err;
}

// A weights-only .h5 Graft writes (train -o x.h5, export --format keras-h5) keeps the class names
// and preprocessing of the model beside the weights: opened alone, predict names the classes as
// the .graft and .keras do, not by index.
TEST_F(ProjectWeightsCli, AWeightsOnlyH5KeepsTheClassNames) {
  const std::string trained = dir.file("trained.h5");
  ASSERT_EQ(cli(train(model, trained)).exitCode, 0);
  const auto predicted = cli({"predict", trained, image(), "--top", "3"});
  ASSERT_EQ(predicted.exitCode, 0) << predicted.err;
  // Each line names its class ("1. circle  0.35  (class 0)"); the path names one already.
  for (const char* name : {". circle ", ". square ", ". triangle "})
    EXPECT_NE(predicted.out.find(name), std::string::npos) << predicted.out;
  EXPECT_NE(predicted.err.find("class names from " + trained + " (recorded by Graft)"),
            std::string::npos)
      << predicted.err;
  // The preprocessing it was trained with, not a guess.
  EXPECT_NE(predicted.err.find("preprocessing: 'tf', as recorded by Graft in the file"),
            std::string::npos)
      << predicted.err;

  // The export of a model with class names keeps them too.
  const std::string exported = dir.file("exported.h5");
  ASSERT_EQ(cli({"export", trained, "--format", "keras-h5", "-o", exported, "-q"}).exitCode, 0);
  const auto fromExport = cli({"predict", exported, image(), "--json"});
  ASSERT_EQ(fromExport.exitCode, 0) << fromExport.err;
  const auto top = nlohmann::json::parse(fromExport.out).at("top");
  ASSERT_FALSE(top.empty()) << fromExport.out;
  EXPECT_TRUE(top.front().contains("label")) << fromExport.out;
}

// Layers that hold random weights nobody trained or loaded make predictions mean nothing,
// whether a weights file lacked them or an edit added them: predict and eval say so in the same
// words, on stderr even with --quiet and --json, and answer (exit 0: a user may run a fresh
// model deliberately, to check its shapes). Training is how such a model goes on.
TEST_F(ProjectWeightsCli, PredictAndEvalWarnOfLayersTheWeightsFileLacked) {
  const std::string trained = dir.file("trained.graft");
  ASSERT_EQ(cli(train(model, trained)).exitCode, 0);
  std::ofstream(dir.file("cut.json")) << R"({"graft_recipe": 1, "operations": [
      {"op": "cut", "at": "pool"}]})";
  ASSERT_EQ(
      cli({"edit", trained, "--recipe", dir.file("cut.json"), "-o", dir.file("cut.graft"), "-q"})
          .exitCode,
      0);
  const std::string noTop = dir.file("no_top.h5");
  ASSERT_EQ(
      cli({"export", dir.file("cut.graft"), "--format", "keras-h5", "-o", noTop, "-q"}).exitCode,
      0);
  const auto predicted = cli({"predict", model, "--weights", noTop, image(), "-q", "--json"});
  EXPECT_EQ(predicted.exitCode, 0) << predicted.err;
  EXPECT_TRUE(nlohmann::json::accept(predicted.out)) << predicted.out;
  EXPECT_NE(
      predicted.err.find("warning: " + model + ": 1 layer has random weights (predictions: not in"),
      std::string::npos)
      << predicted.err;
  EXPECT_NE(predicted.err.find("its predictions would mean nothing; give a weights file"),
            std::string::npos)
      << predicted.err;
  const auto evaluated = cli({"eval", model, "--weights", noTop, "--data", data, "-q"});
  EXPECT_EQ(evaluated.exitCode, 0) << evaluated.err;
  EXPECT_NE(evaluated.err.find("its accuracy would mean nothing"), std::string::npos)
      << evaluated.err;
  // Training it is what the file is for: the new top trains first, and then means something.
  const std::string again = dir.file("again.graft");
  EXPECT_EQ(
      cli({"train", model, "--weights", noTop, "--data", data, "--epochs", "1", "-q", "-o", again})
          .exitCode,
      0);
  const auto afterTraining = cli({"predict", again, image()});
  EXPECT_EQ(afterTraining.exitCode, 0) << afterTraining.err;
  EXPECT_EQ(afterTraining.err.find("random weights"), std::string::npos) << afterTraining.err;
}

// The same base under a head an edit stacked (never trained) is the same model: the same warning,
// in predict, eval and a pipeline's eval; once a run trained the head, none.
TEST_F(ProjectWeightsCli, PredictAndEvalWarnOfLayersAnEditAdded) {
  const std::string trained = dir.file("trained.graft");
  ASSERT_EQ(cli(train(model, trained)).exitCode, 0);
  const std::string recipe = dir.file("head.json");
  std::ofstream(recipe) << R"({"graft_recipe": 1, "operations": [
      {"op": "cut", "at": "pool"},
      {"op": "stack", "after": "pool", "layers": [
        {"class_name": "Dense", "config": {"name": "head", "units": 3, "activation": "softmax"}}]}]})";
  const std::string headed = dir.file("headed.graft");
  const auto edited = cli({"edit", trained, "--recipe", recipe, "-o", headed, "-q"});
  ASSERT_EQ(edited.exitCode, 0) << edited.err;
  const std::string words =
      "warning: " + headed +
      ": 1 layer has random weights (head: new, never trained): its predictions would mean "
      "nothing; train the model first (graft-cli train)";
  const auto predicted = cli({"predict", headed, image(), "--json"});
  EXPECT_EQ(predicted.exitCode, 0) << predicted.err;
  EXPECT_NE(predicted.err.find(words), std::string::npos) << predicted.err;
  const auto evaluated = cli({"eval", headed, "--data", data, "-q"});
  EXPECT_EQ(evaluated.exitCode, 0) << evaluated.err;
  EXPECT_NE(evaluated.err.find("1 layer has random weights (head: new, never trained): its "
                               "accuracy would mean nothing"),
            std::string::npos)
      << evaluated.err;
  const std::string pipeline = dir.file("eval.json");
  std::ofstream(pipeline) << nlohmann::json{
      {"graft_pipeline", 1},
      {"model", headed},
      {"eval", {{"data", data}}}}.dump();
  const auto ran = cli({"run", pipeline, "-q"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_NE(ran.err.find("head: new, never trained"), std::string::npos) << ran.err;
  // Trained, the head holds what the run taught it.
  const std::string retrained = dir.file("retrained.graft");
  ASSERT_EQ(cli(train(headed, retrained)).exitCode, 0);
  const auto afterTraining = cli({"predict", retrained, image()});
  EXPECT_EQ(afterTraining.exitCode, 0) << afterTraining.err;
  EXPECT_EQ(afterTraining.err.find("random weights"), std::string::npos) << afterTraining.err;
  const auto evalAfter = cli({"eval", retrained, "--data", data});
  EXPECT_EQ(evalAfter.err.find("random weights"), std::string::npos) << evalAfter.err;
}

}  // namespace
}  // namespace graft::test
