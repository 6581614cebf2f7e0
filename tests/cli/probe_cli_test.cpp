// graft-cli probe: the cut-point explorer's JSON read back, its table and its errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ProbeCli : public TinyModelCli {
 protected:
  void SetUp() override { writeImages(12); }
};

TEST_F(ProbeCli, JsonHasEveryCandidateInOrderOfDepth) {
  const auto r = cli({"probe", model, "--data", data, "--layers", "pool,conv1", "--val-split",
                      "0.25", "--seed", "1", "--json", "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto out = json::parse(r.out);
  const auto& c = out.at("candidates");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].at("layer"), "conv1");
  EXPECT_EQ(c[1].at("layer"), "pool");
  // conv1: 15 x 15 x 16 (3,600 values, over the flattening limit): its 16 channel averages,
  // which is exactly what pool computes, so both fits see the same features and score alike.
  EXPECT_EQ(c[0].at("feature_size"), 16);
  EXPECT_EQ(c[1].at("feature_size"), 16);
  EXPECT_EQ(c[0].at("val_accuracy").get<double>(), c[1].at("val_accuracy").get<double>());
  const double accuracy = c[0].at("val_accuracy").get<double>();
  EXPECT_GE(accuracy, 0.0);
  EXPECT_LE(accuracy, 1.0);
  // A multiple of 1/9: 3 of each class's 12 images held out.
  EXPECT_NEAR(accuracy * 9, std::round(accuracy * 9), 1e-9);
  EXPECT_EQ(c[0].at("prefix_params"), 3 * 3 * 3 * 16 + 16);
  EXPECT_EQ(c[1].at("prefix_params"), 3 * 3 * 3 * 16 + 16);
  EXPECT_GT(c[0].at("ms_per_image").get<double>(), 0.0);
  EXPECT_EQ(out.at("train_images"), 27);
  EXPECT_EQ(out.at("validation_images"), 9);
  EXPECT_FALSE(out.at("device").get<std::string>().empty());
}

TEST_F(ProbeCli, AutoPicksFromTheStructureAndPrintsATable) {
  const auto r = cli({"probe", model, "--data", data, "--device", "cpu", "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("s fitting, on CPU ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("val_accuracy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nconv1 "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\npool "), std::string::npos) << r.out;  // a vector, not a map
}

// Unreadable images: a class none of whose images could be read is refused (the rest scored
// 100 %: two classes told apart, and --cut best wrote a model from it), and more than
// --max-unreadable of them stop it, as they stop training.
TEST_F(ProbeCli, AClassWithoutReadableImagesOrTooManyUnreadableStopIt) {
  std::vector<fs::path> classes;
  for (const auto& entry : fs::directory_iterator(data)) classes.push_back(entry.path());
  std::sort(classes.begin(), classes.end());
  ASSERT_EQ(classes.size(), 3u);
  const fs::path first = *fs::directory_iterator(classes[0]);
  std::ofstream(first, std::ios::trunc).close();  // one empty file: 1 of 36
  const auto one = cli({"probe", model, "--data", data, "--layers", "pool", "-q"});
  EXPECT_EQ(one.exitCode, 0) << one.err;
  const auto strict =
      cli({"probe", model, "--data", data, "--layers", "pool", "--max-unreadable", "0", "-q"});
  EXPECT_EQ(strict.exitCode, 1);
  EXPECT_NE(strict.err.find("1 of 36 images could not be read, more than 0 %"), std::string::npos)
      << strict.err;

  for (const auto& image : fs::directory_iterator(classes[0]))
    std::ofstream(image.path(), std::ios::trunc).close();
  const std::string out = dir.file("cut.graft");
  const auto r = cli({"probe", model, "--data", data, "--layers", "pool", "--max-unreadable", "0.5",
                      "--cut", "best", "-o", out, "-q"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("class '" + classes[0].filename().string() +
                       "' has no image that could be read (12 files"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out));
}

// A class whose readable images all lie in the validation folder: refused (it was scored as a
// class the classifier never saw, and --cut best wrote a model from it).
TEST_F(ProbeCli, AClassWithoutReadableTrainingImagesIsRefused) {
  const std::string validation = dir.file("validation");
  ASSERT_EQ(cli({"sample-data", validation, "--images-per-class", "4", "--seed", "9"}).exitCode, 0);
  std::vector<fs::path> classes;
  for (const auto& entry : fs::directory_iterator(data)) classes.push_back(entry.path());
  std::sort(classes.begin(), classes.end());
  for (const auto& image : fs::directory_iterator(classes[2]))
    std::ofstream(image.path(), std::ios::trunc).close();
  const auto r = cli({"probe", model, "--data", data, "--val-dir", validation, "--layers", "pool",
                      "--max-unreadable", "0.5", "-q"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("class '" + classes[2].filename().string() +
                       "' has no training image that could be read"),
            std::string::npos)
      << r.err;
}

// probe --json's output fed to advise --probe becomes reasons of the plan.
TEST_F(ProbeCli, AdviseUsesTheReport) {
  const auto r = cli({"probe", model, "--data", data, "--layers", "conv1,pool", "--json", "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string report = dir.file("probe.json");
  std::ofstream(report) << r.out;
  const auto advised = cli({"advise", model, "--data", data, "--probe", report, "--json", "-q"});
  ASSERT_EQ(advised.exitCode, 0) << advised.err;
  const auto reasons = json::parse(advised.out).at("reasons");
  const auto c = json::parse(r.out).at("candidates");
  // Equal scores: the shallower layer, conv1, is the best (and the cut the advice names).
  bool named = false;
  for (const auto& reason : reasons)
    named = named ||
            reason.get<std::string>().find("The explorer measured conv1 best") != std::string::npos;
  EXPECT_TRUE(named) << reasons.dump();

  // Measured on another folder's classes: it says nothing about this one.
  json otherClasses = json::parse(r.out);
  ASSERT_EQ(otherClasses.at("classes").size(), 3u) << r.out;
  otherClasses["classes"][0] = "cats";
  std::ofstream(report) << otherClasses.dump();
  const auto other = cli({"advise", model, "--data", data, "--probe", report});
  EXPECT_EQ(other.exitCode, 1);
  EXPECT_NE(other.err.find(report + ": the explorer's report was measured on the classes cats, "),
            std::string::npos)
      << other.err;

  std::ofstream(report) << R"({"candidates": [{"layer": "conv1"}]})";
  const auto bad = cli({"advise", model, "--data", data, "--probe", report});
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_NE(bad.err.find("$.candidates[0].val_accuracy"), std::string::npos) << bad.err;
}

// --cut makes the measured cut real, as the window's Cut Here does: the saved model's head is
// the classifier the explorer fitted, so eval on the validation images gives what probe measured.
TEST_F(ProbeCli, CutWritesTheModelWithTheFittedHead) {
  const std::string validation = dir.file("validation");
  ASSERT_EQ(cli({"sample-data", validation, "--images-per-class", "6", "--seed", "9"}).exitCode, 0);
  const std::string out = dir.file("cut.graft");
  // The layer to cut at is measured even when --layers leaves it out.
  const auto r = cli({"probe", model, "--data", data, "--val-dir", validation, "--layers", "conv1",
                      "--cut", "pool", "-o", out, "--json", "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const json report = json::parse(r.out);
  double measured = -1;
  for (const auto& c : report.at("candidates"))
    if (c.at("layer") == "pool") measured = c.at("val_accuracy").get<double>();
  ASSERT_GE(measured, 0.0) << report.dump();
  EXPECT_EQ(report.at("cut").at("layer"), "pool");
  EXPECT_EQ(report.at("cut").at("file"), out);
  EXPECT_TRUE(report.at("cut").at("head_from_fit").get<bool>());

  const auto evaluated = cli({"eval", out, "--data", validation, "--json", "-q"});
  ASSERT_EQ(evaluated.exitCode, 0) << evaluated.err;
  const json e = json::parse(evaluated.out);
  EXPECT_NEAR(e.at("accuracy").get<double>(), measured, 1e-9);
  EXPECT_EQ(e.at("classes"), json({"circle", "square", "triangle"})) << "the folder's classes";
  const auto summary = cli({"summary", out, "--json", "-q"});
  ASSERT_EQ(summary.exitCode, 0) << summary.err;
  EXPECT_EQ(summary.out.find("predictions"), std::string::npos) << "the old top is cut off";

  // --cut without -o (and the other way round) is a usage error (exit 2), before anything is
  // measured.
  auto bad = cli({"probe", model, "--data", data, "--cut", "best"});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("give -o OUT.graft"), std::string::npos) << bad.err;
  bad = cli({"probe", model, "--data", data, "-o", out});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("only with --cut"), std::string::npos) << bad.err;
  // A name that is not *.graft too, as export's name of another format (it was exit 1).
  bad = cli({"probe", model, "--data", data, "--cut", "best", "-o", dir.file("cut.h5")});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("name it *.graft"), std::string::npos) << bad.err;
}

TEST_F(ProbeCli, BadInputsNameWhatIsWrong) {
  auto r = cli({"probe", model, "--data", data, "--layers", "conv1,nope,zzz"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("no layer named nope, zzz"), std::string::npos) << r.err;

  const std::string empty = dir.file("empty");
  fs::create_directories(empty);
  r = cli({"probe", model, "--data", empty});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(empty), std::string::npos) << r.err;

  r = cli({"probe", model, "--data", data, "--val-split", "0"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("--val-split"), std::string::npos) << r.err;

  r = cli({"probe", model, "--data", data, "--layers", "conv1,,pool"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("--layers"), std::string::npos) << r.err;

  r = cli({"probe", model});  // --data is required
  EXPECT_EQ(r.exitCode, 2);

  // Out-of-range numbers are usage errors, as they are for train.
  for (const char* option : {"--batch-size", "--epochs"}) {
    r = cli({"probe", model, "--data", data, option, "0"});
    EXPECT_EQ(r.exitCode, 2) << option << ": " << r.err;
    EXPECT_NE(r.err.find(option), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace graft::test
