// graft-cli export --format keras: a Keras 3 .keras archive that Graft opens back to the same
// predictions and totals, laid out as the real Keras 3 files in ../shared/fixtures/keras3 are
// (checked by tests/cli/keras_layout_check.py with h5py and zipfile, which know nothing of Graft).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kKeras313 = "keras3/k3_functional_conv1d_bilstm_mha__keras3.13.2.keras";
constexpr const char* kKeras31 = "keras3/k3_mnist_cnn_dropout__keras3.1.1.keras";

Json firstJsonLine(const CommandResult& r) {
  return Json::parse(r.out.substr(0, r.out.find('\n')));
}

// Sequential (Keras 3.1 .keras), Functional with Add (Keras 2 .h5), nested models (Teachable
// Machine, written flat).
class KerasExport : public ::testing::TestWithParam<const char*> {};

TEST_P(KerasExport, ReadsBackToTheSamePredictionsTotalsAndKerasLayout) {
  GRAFT_REQUIRE_FIXTURE(model, GetParam());
  GRAFT_REQUIRE_FIXTURE(image, "keras/cat.jpg");
  GRAFT_REQUIRE_FIXTURE(keras313, kKeras313);
  GRAFT_REQUIRE_FIXTURE(keras31, kKeras31);
  TempDir dir;
  const std::string out = dir.file("model.keras");
  const CommandResult exported =
      runCli({"export", model, "--format", "keras", "-o", out, "--json"}, kerasCacheIn(dir));
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  EXPECT_EQ(firstJsonLine(exported).at("format"), "keras");
  EXPECT_EQ(firstJsonLine(exported).at("max_difference"), 0.0);

  const CommandResult sumA = runCli({"summary", model, "--json"}, kerasCacheIn(dir));
  const CommandResult sumB = runCli({"summary", out, "--json"}, kerasCacheIn(dir));
  ASSERT_EQ(sumA.exitCode, 0) << sumA.err;
  ASSERT_EQ(sumB.exitCode, 0) << sumB.err;
  for (const char* total : {"total_params", "trainable_params", "non_trainable_params"})
    EXPECT_EQ(firstJsonLine(sumB).at(total), firstJsonLine(sumA).at(total)) << total;

  // The same preprocessing for both, so that only the files differ.
  const CommandResult predA =
      runCli({"predict", model, image, "--json", "--preprocessing", "unit"}, kerasCacheIn(dir));
  const CommandResult predB =
      runCli({"predict", out, image, "--json", "--preprocessing", "unit"}, kerasCacheIn(dir));
  ASSERT_EQ(predA.exitCode, 0) << predA.err;
  ASSERT_EQ(predB.exitCode, 0) << predB.err;
  const Json a = firstJsonLine(predA).at("output"), b = firstJsonLine(predB).at("output");
  ASSERT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a[i].get<double>() - b[i].get<double>()));
  EXPECT_LE(worst, 1e-5);

  const fs::path check = fs::path(sourceDir()) / "tests" / "cli" / "keras_layout_check.py";
  const CommandResult layout = runProgram(GRAFT_PYTHON, {check.string(), out, keras313, keras31});
  EXPECT_EQ(layout.exitCode, 0) << layout.out << layout.err;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, KerasExport,
                         ::testing::Values(kKeras31, "keras/pretrainedResnet.h5",
                                           "keras3/k2_teachable_mobilenetv2_035_transfer__"
                                           "keras2.4.0.h5"));

// Keras files record neither how pixels are scaled nor the class names; Graft's .keras export
// keeps both in metadata.json (which Keras ignores), so the file reopens as it was exported.
TEST(KerasExportCli, TheExportKeepsPreprocessingAndClassNames) {
  GRAFT_REQUIRE_FIXTURE(model, kKeras31);
  GRAFT_REQUIRE_FIXTURE(image, "keras/cat.jpg");
  TempDir dir;
  const std::string labels = dir.file("digits.txt");
  {
    std::ofstream out(labels);
    for (const char* name :
         {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"})
      out << name << "\n";
  }
  const std::string out = dir.file("digits.keras");
  const CommandResult exported = runCli({"export", model, "--preprocessing", "tf", "--labels",
                                         labels, "--format", "keras", "-o", out},
                                        kerasCacheIn(dir));
  ASSERT_EQ(exported.exitCode, 0) << exported.err;

  const CommandResult given =
      runCli({"predict", model, image, "--json", "--preprocessing", "tf", "--labels", labels},
             kerasCacheIn(dir));
  const CommandResult reopened = runCli({"predict", out, image, "--json"}, kerasCacheIn(dir));
  ASSERT_EQ(given.exitCode, 0) << given.err;
  ASSERT_EQ(reopened.exitCode, 0) << reopened.err;
  EXPECT_NE(reopened.err.find("'tf', as recorded by Graft"), std::string::npos) << reopened.err;
  // Written by Graft, not saved by a Keras (the real file says which Keras saved it).
  EXPECT_NE(reopened.err.find("written by Graft as Keras"), std::string::npos) << reopened.err;
  EXPECT_EQ(reopened.err.find("saved by Keras"), std::string::npos) << reopened.err;
  EXPECT_NE(given.err.find("saved by Keras 3."), std::string::npos) << given.err;
  const Json a = firstJsonLine(given), b = firstJsonLine(reopened);
  ASSERT_EQ(a.at("output").size(), b.at("output").size());
  for (size_t i = 0; i < a.at("output").size(); ++i)
    EXPECT_NEAR(b.at("output")[i].get<double>(), a.at("output")[i].get<double>(), 1e-6) << i;
  EXPECT_EQ(b.at("top")[0].at("label"), a.at("top")[0].at("label"));
  EXPECT_FALSE(b.at("top")[0].at("label").get<std::string>().empty());

  // The user's own choice still wins.
  const CommandResult overridden =
      runCli({"predict", out, image, "--json", "--preprocessing", "unit"}, kerasCacheIn(dir));
  ASSERT_EQ(overridden.exitCode, 0) << overridden.err;
  EXPECT_NE(firstJsonLine(overridden).at("output"), b.at("output"));
}

// A nested model's two Keras exports: the .keras file is flat, its keras-weights file keeps
// the nesting (as Keras would), so the one does not take the other's weights. The refusal says
// so instead of "the file has no layer with weights" (it holds all 106), and the nested model
// they came from takes them.
TEST(KerasExportCli, NestedWeightsOnAFlatModelSayWhyTheyDoNotFit) {
  GRAFT_REQUIRE_FIXTURE(model, "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5");
  TempDir dir;
  const std::string flat = dir.file("tm.keras");
  const std::string weights = dir.file("tm.weights.h5");
  ASSERT_EQ(runCli({"export", model, "--format", "keras", "-o", flat}, kerasCacheIn(dir)).exitCode,
            0);
  ASSERT_EQ(runCli({"export", model, "--format", "keras-weights", "-o", weights}, kerasCacheIn(dir))
                .exitCode,
            0);
  const CommandResult refused = runCli({"summary", flat, "--weights", weights}, kerasCacheIn(dir));
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(refused.err.find(weights + ": none of its layers fits the model ("), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("the file keeps its weights grouped by nested model, under "
                             "layers/sequential/layers/, and this model is flat): load them onto "
                             "the nested model they were saved from"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(runCli({"summary", model, "--weights", weights}, kerasCacheIn(dir)).exitCode, 0);
}

TEST(KerasExportCli, AZooModelExportsAndAFailedExportLeavesNothing) {
  TempDir dir;
  const CommandResult ok = runCli({"export", "mobilenet", "--alpha", "0.25", "--input-size", "64",
                                   "--no-top", "--format", "keras", "-o", dir.file("m.keras")},
                                  kerasCacheIn(dir));
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_NE(ok.out.find("Keras 3 model"), std::string::npos) << ok.out;
  const CommandResult opened = runCli({"summary", dir.file("m.keras")}, kerasCacheIn(dir));
  EXPECT_EQ(opened.exitCode, 0) << opened.err;
  EXPECT_NE(opened.out.find("218,544"), std::string::npos) << opened.out;  // Keras's total

  const std::string missing = dir.file("no/such/folder/m.keras");
  const CommandResult failed = runCli({"export", "mobilenet", "--alpha", "0.25", "--input-size",
                                       "64", "--no-top", "--format", "keras", "-o", missing},
                                      kerasCacheIn(dir));
  EXPECT_EQ(failed.exitCode, 1);
  EXPECT_NE(failed.err.find(missing), std::string::npos) << failed.err;
  EXPECT_FALSE(fs::exists(missing));
}

// A model frozen from its input up (every run of the default plan, any "freeze upto"): Keras 3
// writes no trainable flag for InputLayer, and the frozen convolutions read back frozen.
TEST(KerasExportCli, AModelFrozenFromItsInputExportsWithItsFrozenLayers) {
  TempDir dir;
  const std::string recipe = dir.file("recipe.json");
  std::ofstream(recipe) << R"({"graft_recipe": 1, "operations": [
    {"op": "freeze", "upto": "conv_pw_1_relu"}]})";
  const std::string edited = dir.file("frozen.graft");
  const CommandResult edit = runCli({"edit", "mobilenet", "--alpha", "0.25", "--input-size", "64",
                                     "--no-top", "--recipe", recipe, "-o", edited},
                                    kerasCacheIn(dir));
  ASSERT_EQ(edit.exitCode, 0) << edit.err;
  const std::string out = dir.file("frozen.keras");
  const CommandResult exported =
      runCli({"export", edited, "--format", "keras", "-o", out}, kerasCacheIn(dir));
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  const CommandResult sumA = runCli({"summary", edited, "--json"}, kerasCacheIn(dir));
  const CommandResult sumB = runCli({"summary", out, "--json"}, kerasCacheIn(dir));
  ASSERT_EQ(sumB.exitCode, 0) << sumB.err;
  const CommandResult unfrozen = runCli(
      {"summary", "mobilenet", "--alpha", "0.25", "--input-size", "64", "--no-top", "--json"},
      kerasCacheIn(dir));
  ASSERT_EQ(unfrozen.exitCode, 0) << unfrozen.err;
  EXPECT_LT(firstJsonLine(sumA).at("trainable_params"),
            firstJsonLine(unfrozen).at("trainable_params"))
      << "the recipe froze conv1 .. conv_pw_1";
  EXPECT_EQ(firstJsonLine(sumB).at("trainable_params"), firstJsonLine(sumA).at("trainable_params"));
}

}  // namespace
}  // namespace graft::test
