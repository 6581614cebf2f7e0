// graft-cli's contract: --help, --version, exit codes, summary output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace graft::test {
namespace {

TEST(CliBasics, VersionAndHelp) {
  auto v = runCli({"--version"});
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_NE(v.out.find("graft-cli "), std::string::npos);
  auto h = runCli({"--help"});
  EXPECT_EQ(h.exitCode, 0);
  for (const char* cmd : {"summary", "zoo"}) EXPECT_NE(h.out.find(cmd), std::string::npos) << cmd;
  for (const char* cmd : {"summary", "zoo"}) {
    auto sub = runCli({cmd, "--help"});
    EXPECT_EQ(sub.exitCode, 0) << cmd;
    EXPECT_NE(sub.out.find("--json"), std::string::npos) << cmd;
  }
}

TEST(CliBasics, UsageErrorsExit2) {
  EXPECT_EQ(runCli({}).exitCode, 2);
  EXPECT_EQ(runCli({"summary"}).exitCode, 2);
  EXPECT_EQ(runCli({"summary", "vgg16", "--no-such-flag"}).exitCode, 2);

  // The messages say what was wrong in the user's words.
  const auto unknown = runCli({"trian", "vgg16"});
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_NE(unknown.err.find("unknown command 'trian'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("train"), std::string::npos) << unknown.err;
  const auto top = runCli({"predict", "vgg16", "image.png", "--top", "0"});
  EXPECT_EQ(top.exitCode, 2);
  EXPECT_NE(top.err.find("--top: expected at least 1, found 0"), std::string::npos) << top.err;
  EXPECT_EQ(top.err.find("1797"), std::string::npos) << "no largest double spelt out";
  // A size or class count of 0 is a usage error like --top 0 (it exited 1 from the model).
  for (const char* bad : {"--input-size=0", "--classes=0", "--input-size=-3"}) {
    const auto r = runCli({"predict", "mobilenet", "image.png", bad});
    EXPECT_EQ(r.exitCode, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("expected at least 1"), std::string::npos) << bad << ": " << r.err;
  }
  const auto size = runCli({"sample-data", "/tmp/graft-never-written", "--size", "0"});
  EXPECT_EQ(size.exitCode, 2) << size.err;
  for (const char* bad : {"--workers=-4", "--early-stopping=-1", "--dist-timeout=-5"}) {
    const auto r = runCli({"train", "vgg16", "--data", "d", "-o", "x.graft", bad});
    EXPECT_EQ(r.exitCode, 2) << bad << ": " << r.err;
  }
  // `-o "$OUT"` with OUT unset: refused before any work, not a whole run saved nowhere.
  const auto emptyOutput = runCli({"train", "vgg16", "--data", "d", "-o", ""});
  EXPECT_EQ(emptyOutput.exitCode, 2) << emptyOutput.err;
  EXPECT_NE(emptyOutput.err.find("--output: empty: expected a value"), std::string::npos)
      << emptyOutput.err;
  EXPECT_EQ(runCli({"predict", "vgg16", ""}).exitCode, 2);
  EXPECT_EQ(runCli({"export", "vgg16", "--format", "onnx", "-o", ""}).exitCode, 2);
}

// Every subcommand takes -q (DESIGN.md), also those that print only their result.
TEST(CliBasics, EveryCommandTakesQuiet) {
  TempDir dir;
  const auto zoo = runCli({"zoo", "-q", "vgg16"});
  EXPECT_EQ(zoo.exitCode, 0) << zoo.err;
  const auto sample = runCli({"sample-data", dir.file("shapes"), "--images-per-class", "1", "-q"});
  EXPECT_EQ(sample.exitCode, 0) << sample.err;
}

// edit writes a project: another extension would name a file it is not. A usage error (exit 2,
// nothing on stdout), as export's name of another format is; it was exit 1.
TEST(CliBasics, EditRefusesAnOutputThatIsNotAProject) {
  TempDir dir;
  std::ofstream(dir.file("r.json")) << R"({"graft_recipe": 1, "operations": []})";
  const auto r = runCli(
      {"edit", "vgg16", "--no-top", "--recipe", dir.file("r.json"), "-o", dir.file("out.onnx")});
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_EQ(r.err.rfind("-o/--output: " + dir.file("out.onnx") +
                            ": edit writes a Graft project: name it *.graft",
                        0),
            0u)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.onnx")));
}

// Class names that do not fit the edited model: refused before a project is written that
// predict and export would refuse.
TEST(CliBasics, EditRefusesLabelsThatDoNotFitTheModel) {
  TempDir dir;
  std::ofstream(dir.file("two.txt")) << "cat\ndog\n";
  std::ofstream(dir.file("none.json")) << R"({"graft_recipe": 1, "operations": []})";
  const auto r = runCli({"edit", "mobilenet", "--alpha", "0.25", "--input-size", "32",
                         "--include-top", "--classes", "3", "--labels", dir.file("two.txt"),
                         "--recipe", dir.file("none.json"), "-o", dir.file("m.graft")});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(dir.file("two.txt") + ": 2 class names, but the model's output has 3"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.graft")));
  // One name is one class name ("1 class names" it said).
  std::ofstream(dir.file("one.txt")) << "cat\n";
  const auto one = runCli({"edit", "mobilenet", "--alpha", "0.25", "--input-size", "32",
                           "--include-top", "--classes", "3", "--labels", dir.file("one.txt"),
                           "--recipe", dir.file("none.json"), "-o", dir.file("m.graft")});
  EXPECT_EQ(one.exitCode, 1) << one.err;
  EXPECT_NE(
      one.err.find(dir.file("one.txt") + ": 1 class name, but the model's output has 3 classes"),
      std::string::npos)
      << one.err;
}

// summary checks the class names as predict does: it exited 0 with three names for a ten-class
// model, which predict then refused.
TEST(CliBasics, SummaryRefusesLabelsThatDoNotFitTheModel) {
  TempDir dir;
  std::ofstream(dir.file("two.txt")) << "cat\ndog\n";
  const std::vector<std::string> model{"summary",       "mobilenet",    "--alpha",
                                       "0.25",          "--input-size", "32",
                                       "--include-top", "--classes",    "3"};
  std::vector<std::string> args = model;
  args.insert(args.end(), {"--labels", dir.file("two.txt")});
  const auto r = runCli(args);
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(dir.file("two.txt") + ": 2 class names, but the model's output has 3"),
            std::string::npos)
      << r.err;
  std::ofstream(dir.file("three.txt")) << "cat\ndog\nbird\n";
  args.back() = dir.file("three.txt");
  EXPECT_EQ(runCli(args).exitCode, 0);
}

// --labels names the classes of the model edit writes: on a recipe that gives the model a new
// head they were dropped by the cut (exit 0, a note saying to give them with --labels).
TEST(CliBasics, EditLabelsNameTheEditedModelsClasses) {
  TempDir dir;
  std::ofstream(dir.file("two.txt")) << "indoor\noutdoor\n";
  std::ofstream(dir.file("head.json")) << R"({"graft_recipe": 1, "operations": [
      {"op": "cut", "at": "global_average_pooling2d_1"},
      {"op": "stack", "after": "global_average_pooling2d_1", "layers": [{"class_name": "Dense",
       "config": {"name": "head", "units": 2, "activation": "softmax"}}]}]})";
  const std::vector<std::string> model{"mobilenet", "--alpha",       "0.25",      "--input-size",
                                       "32",        "--include-top", "--classes", "2"};
  std::vector<std::string> edit{"edit"};
  edit.insert(edit.end(), model.begin(), model.end());
  for (const char* arg : {"--labels", "", "--recipe", "", "-o", ""}) edit.push_back(arg);
  edit[edit.size() - 5] = dir.file("two.txt");
  edit[edit.size() - 3] = dir.file("head.json");
  edit[edit.size() - 1] = dir.file("m.graft");
  const auto r = runCli(edit);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err.find("dropped"), std::string::npos) << r.err;
  // Three names for the two-class head: refused, nothing written.
  std::ofstream(dir.file("three.txt")) << "a\nb\nc\n";
  edit[edit.size() - 5] = dir.file("three.txt");
  edit[edit.size() - 1] = dir.file("n.graft");
  const auto refused = runCli(edit);
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(
      refused.err.find(dir.file("three.txt") + ": 3 class names, but the model's output has 2"),
      std::string::npos)
      << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("n.graft")));

  if (test::fixture("keras/cat.jpg").empty()) GTEST_SKIP() << "no ../shared/fixtures here";
  const auto predicted =
      runCli({"predict", dir.file("m.graft"), test::fixture("keras/cat.jpg"), "--json"});
  ASSERT_EQ(predicted.exitCode, 0) << predicted.err;
  EXPECT_TRUE(predicted.out.find("\"indoor\"") != std::string::npos ||
              predicted.out.find("\"outdoor\"") != std::string::npos)
      << predicted.out;
}

TEST(CliBasics, BadModelExits1WithItsName) {
  auto r = runCli({"summary", "/nonexistent/model.h5"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("/nonexistent/model.h5"), std::string::npos) << r.err;
}

// An option the architecture does not have is refused, not ignored: the plain model printed as
// if it were the one asked for misleads. It is a usage error (exit 2, named by its flag, nothing
// on stdout even with --json) in every command that takes a MODEL, as in fetch-weights; a size
// below the architecture's minimum stays bad input (exit 1).
TEST(CliBasics, ZooOptionsTheArchitectureLacksAreUsageErrors) {
  TempDir dir;
  const std::string data = dir.file("shapes");
  ASSERT_EQ(runCli({"sample-data", data, "--images-per-class", "1"}).exitCode, 0);
  const std::string image = data + "/circle/circle_000.png";
  const std::string recipe = dir.file("r.json");
  std::ofstream(recipe) << R"({"graft_recipe": 1, "operations": []})";
  const std::vector<std::vector<std::string>> commands = {
      {"summary", "vgg16", "--json"},
      {"predict", "vgg16", image},
      {"eval", "vgg16", "--data", data},
      {"train", "vgg16", "--data", data, "-o", dir.file("t.graft")},
      {"edit", "vgg16", "--recipe", recipe, "-o", dir.file("e.graft")},
      {"export", "vgg16", "--format", "onnx", "-o", dir.file("x.onnx")},
      {"advise", "vgg16", "--data", data},
      {"probe", "vgg16", "--data", data},
      // With --json too: a usage error prints nothing on stdout (predict and train printed
      // their failure object and still exited 2).
      {"predict", "vgg16", image, "--json"},
      {"eval", "vgg16", "--data", data, "--json"},
      {"train", "vgg16", "--data", data, "-o", dir.file("t.graft"), "--json"},
      {"edit", "vgg16", "--recipe", recipe, "-o", dir.file("e.graft"), "--json"},
      {"export", "vgg16", "--format", "onnx", "-o", dir.file("x.onnx"), "--json"},
      {"advise", "vgg16", "--data", data, "--json"},
      {"probe", "vgg16", "--data", data, "--json"}};
  for (std::vector<std::string> args : commands) {
    args.insert(args.end(), {"--alpha", "0.5"});
    const CommandResult r = runCli(args);
    EXPECT_EQ(r.exitCode, 2) << args[0] << ": " << r.err;
    EXPECT_EQ(r.err.rfind("--alpha: vgg16: alpha (the width multiplier) is an option of "
                          "MobileNet, MobileNetV2 and MobileNetV3 only\n",
                          0),
              0u)
        << args[0] << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args[0] << ": " << r.out;
  }
  const auto refused = [](std::vector<std::string> args, const std::string& message) {
    const CommandResult r = runCli(args);
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_EQ(r.err.rfind(message, 0), 0u) << r.err;
  };
  refused({"summary", "vgg16", "--no-top", "--classes", "10"},
          "--classes: vgg16: classes sizes the classification top");
  refused({"summary", "resnet50", "--minimalistic"},
          "--minimalistic: resnet50: minimalistic is an option of MobileNetV3Small");
  refused({"summary", "vgg16", "--dropout-rate", "0.1"},
          "--dropout-rate: vgg16: dropout_rate is an option of MobileNetV3Small");
  refused({"summary", "vgg16", "--include-preprocessing", "false"},
          "--include-preprocessing: vgg16: include_preprocessing is an option of MobileNetV3");
  const CommandResult small = runCli({"summary", "vgg16", "--input-size", "20"});
  EXPECT_EQ(small.exitCode, 1) << small.err;
  EXPECT_NE(small.err.find("vgg16: input size 20 is below the minimum of 32"), std::string::npos)
      << small.err;
  EXPECT_EQ(runCli({"summary", "mobilenet", "--alpha", "0.5", "--input-size", "96"}).exitCode, 0);
}

// The usage error comes before any file or folder is read, as in the other commands: train and
// advise scanned --data first and answered "no such folder" (exit 1), edit read its recipe
// first, probe refused its -o name first.
TEST(CliBasics, AZooOptionTheArchitectureLacksIsRefusedBeforeAnyFileIsRead) {
  TempDir dir;
  const std::string missing = dir.file("missing");
  const std::vector<std::vector<std::string>> commands = {
      {"predict", "vgg16", missing + ".png"},
      {"eval", "vgg16", "--data", missing},
      {"train", "vgg16", "--data", missing, "-o", dir.file("t.graft")},
      {"train", "vgg16", "--data", missing, "-o", dir.file("t.graft"), "--json"},
      {"edit", "vgg16", "--recipe", missing + ".json", "-o", dir.file("e.graft")},
      {"edit", "vgg16", "--recipe", missing + ".json", "-o", dir.file("e.h5")},
      {"export", "vgg16", "--format", "onnx", "-o", dir.file("no/x.onnx")},
      {"advise", "vgg16", "--data", missing, "--probe", missing + ".json"},
      {"probe", "vgg16", "--data", missing, "--cut", "best", "-o", dir.file("p.h5")}};
  for (std::vector<std::string> args : commands) {
    args.insert(args.end(), {"--alpha", "0.5"});
    const CommandResult r = runCli(args);
    EXPECT_EQ(r.exitCode, 2) << args[0] << ": " << r.err;
    EXPECT_EQ(r.err.rfind("--alpha: vgg16: alpha (the width multiplier) is an option of ", 0), 0u)
        << args[0] << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args[0] << ": " << r.out;
  }
}

TEST(CliBasics, SummaryOfVgg16MatchesKeras) {
  TempDir cache;
  auto r = runCli({"summary", "vgg16", "--json"}, {"KERAS_HOME=" + cache.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["total_params"], 138357544);
  EXPECT_EQ(j["trainable_params"], 138357544);
  EXPECT_EQ(j["non_trainable_params"], 0);
  EXPECT_EQ(j["layers"].size(), 23u);
  EXPECT_EQ(j["layers"][1]["name"], "block1_conv1");
  EXPECT_EQ(j["layers"][1]["output_shape"], nlohmann::json::parse("[null, 224, 224, 64]"));
  EXPECT_NE(r.err.find("random weights"), std::string::npos) << r.err;

  auto table = runCli({"summary", "vgg16", "--no-top", "--input-size", "160"},
                      {"KERAS_HOME=" + cache.path().string()});
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(table.out.find("Total params: 14,714,688"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("block2_pool (MaxPooling2D)"), std::string::npos);
  EXPECT_NE(table.out.find("(None, 40, 40, 128)"), std::string::npos);
}

}  // namespace
}  // namespace graft::test
