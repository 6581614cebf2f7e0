// --json on the subcommands whose output is data: edit, export and train print one JSON object
// that agrees with what the other subcommands read back from the written file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

using nlohmann::json;

TEST(JsonOutput, EditExportAndTrainPrintOneObject) {
  TempDir dir;
  const std::vector<std::string> env = {"KERAS_HOME=" + dir.path().string()};
  const std::string model = dir.file("tiny.json");
  std::ofstream(model) << kTinyModel;
  const std::string recipe = dir.file("recipe.json");
  std::ofstream(recipe) << R"({"graft_recipe": 1, "operations": [
    {"op": "freeze", "layers": ["conv1"]}]})";

  const std::string edited = dir.file("edited.graft");
  const auto e = runCli({"edit", model, "--recipe", recipe, "-o", edited, "--json"}, env);
  ASSERT_EQ(e.exitCode, 0) << e.err;
  const json editJson = json::parse(e.out);
  const auto summary = runCli({"summary", edited, "--json"}, env);
  ASSERT_EQ(summary.exitCode, 0) << summary.err;
  const json summaryJson = json::parse(summary.out);
  EXPECT_EQ(editJson.at("file"), edited);
  EXPECT_EQ(editJson.at("operations"), 1);
  EXPECT_EQ(editJson.at("total_params"), summaryJson.at("total_params"));
  EXPECT_EQ(editJson.at("trainable_params"), summaryJson.at("trainable_params"));
  EXPECT_LT(editJson.at("trainable_params"), editJson.at("total_params"));

  const std::string exported = dir.file("tiny.h5");
  const auto x = runCli({"export", edited, "--format", "keras-h5", "-o", exported, "--json"}, env);
  ASSERT_EQ(x.exitCode, 0) << x.err;
  const json exportJson = json::parse(x.out);
  EXPECT_EQ(exportJson.at("file"), exported);
  EXPECT_EQ(exportJson.at("format"), "keras-h5");
  EXPECT_LE(exportJson.at("max_difference").get<double>(), exportJson.at("allowed").get<double>());
  EXPECT_TRUE(std::filesystem::exists(exported));

  const std::string data = dir.file("shapes");
  ASSERT_EQ(runCli({"sample-data", data, "--images-per-class", "10", "--size", "32"}, env).exitCode,
            0);
  const std::string trained = dir.file("trained.graft");
  const auto t = runCli({"train", edited, "--data", data, "--epochs", "1", "--batch-size", "8",
                         "-o", trained, "--json", "--quiet"},
                        env);
  ASSERT_EQ(t.exitCode, 0) << t.err;
  EXPECT_TRUE(t.err.empty()) << t.err;  // --quiet
  const json trainJson = json::parse(t.out);
  EXPECT_EQ(trainJson.at("file"), trained);
  EXPECT_EQ(trainJson.at("status"), "completed");
  EXPECT_EQ(trainJson.at("epochs_completed"), 1);
  EXPECT_TRUE(trainJson.at("val_accuracy").is_number());

  // A command that fails with --json still prints one object on stdout, with the error.
  const auto noData = runCli({"train", edited, "--data", dir.file("missing"), "--epochs", "1", "-o",
                              dir.file("x.graft"), "--json", "--quiet"},
                             env);
  EXPECT_NE(noData.exitCode, 0);
  const json failed = json::parse(noData.out);
  EXPECT_EQ(failed.at("status"), "error") << noData.out;
  // What the file holds, as for a failed or stopped run: nothing (README's --json contract).
  EXPECT_EQ(failed.at("epochs_completed"), 0) << noData.out;
  EXPECT_TRUE(failed.at("checkpoint_epoch").is_null()) << noData.out;
  EXPECT_NE(failed.at("error").get<std::string>().find("missing"), std::string::npos) << noData.out;
  const auto badEval = runCli({"eval", edited, "--data", dir.file("nothing-here"), "--json"}, env);
  EXPECT_EQ(badEval.exitCode, 1) << badEval.err;
  EXPECT_NE(json::parse(badEval.out).at("error").get<std::string>().find("nothing-here"),
            std::string::npos)
      << badEval.out;
}

}  // namespace
}  // namespace graft::test
