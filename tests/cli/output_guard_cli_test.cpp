// graft-cli train and export check their outputs as `graft-cli run` checks a pipeline file's,
// before the model loads: an output may not replace the model or another input (train
// MODEL.h5 -o MODEL.h5 replaced a whole Keras model by its weights, exit 0), another output
// (--log and -o the same file) or a file in the images the run reads (--log over a training
// image). Each refusal names the option and leaves the files as they were.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OutputGuardCli : public TinyModelCli {
 protected:
  void SetUp() override {
    writeImages(4);
    const auto trained = cli({"train", model, "--preprocessing", "tf", "--data", data, "--epochs",
                              "1", "--batch-size", "4", "-q", "-o", project});
    ASSERT_EQ(trained.exitCode, 0) << trained.err;
  }
  std::vector<std::string> train(const std::string& out) const {
    return {"train",        project, "--data", data, "--epochs", "1",
            "--batch-size", "4",     "-q",     "-o", out};
  }
  // Runs args, expects exit 1 naming `option` and `says`, and every listed file unchanged.
  void expectRefused(const std::vector<std::string>& args, const std::string& option,
                     const std::string& says, const std::vector<std::string>& unchanged,
                     int exitCode = 1) {
    std::vector<std::string> before;
    for (const auto& f : unchanged) before.push_back(contents(f));
    const CommandResult r = cli(args);
    EXPECT_EQ(r.exitCode, exitCode) << r.err;
    EXPECT_NE(r.err.find(option + ": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    for (size_t i = 0; i < unchanged.size(); ++i)
      EXPECT_EQ(contents(unchanged[i]), before[i]) << unchanged[i] << " changed";
  }

  std::string project = dir.file("trained.graft");
};

TEST_F(OutputGuardCli, TrainingOutputsMayNotReplaceWhatTheRunReads) {
  expectRefused(train(project), "-o/--output", "is the MODEL file: the run would write over",
                {project});
  std::vector<std::string> logOverModel = train(dir.file("next.graft"));
  logOverModel.insert(logOverModel.end(), {"--log", project});
  expectRefused(logOverModel, "--log", "is the MODEL file", {project});
  EXPECT_FALSE(fs::exists(dir.file("next.graft")));

  const std::string image = (fs::path(data) / "circle" / "circle_000.png").string();
  std::vector<std::string> logOverImage = train(dir.file("next.graft"));
  logOverImage.insert(logOverImage.end(), {"--log", image});
  expectRefused(logOverImage, "--log", "is an image in --data", {image});

  std::vector<std::string> logIsOutput = train(dir.file("next.graft"));
  logIsOutput.insert(logIsOutput.end(), {"--log", dir.file("next.graft")});
  expectRefused(logIsOutput, "--log", "is also -o/--output", {});
}

// A link to a folder that does not exist, or a folder the user cannot write in: refused before
// the model loads (the run trained a whole epoch, or a pipeline to its end, first).
TEST_F(OutputGuardCli, AnOutputThatCannotBeWrittenIsRefusedBeforeTraining) {
  fs::create_symlink("/nonexistent-graft-folder/x.graft", dir.file("dangling.graft"));
  expectRefused(train(dir.file("dangling.graft")), "-o/--output",
                "the folder /nonexistent-graft-folder does not exist", {});
  std::vector<std::string> danglingLog = train(dir.file("next.graft"));
  danglingLog.insert(danglingLog.end(), {"--log", dir.file("dangling.graft")});
  expectRefused(danglingLog, "--log", "the folder /nonexistent-graft-folder does not exist", {});
  EXPECT_FALSE(fs::exists(dir.file("next.graft")));

  if (::geteuid() == 0) GTEST_SKIP() << "root writes in any folder";
  fs::create_directory(dir.file("read-only"));
  fs::permissions(dir.file("read-only"), fs::perms::owner_read | fs::perms::owner_exec);
  expectRefused(train(dir.file("read-only/x.graft")), "-o/--output",
                "cannot create a file in " + dir.file("read-only") + ": Permission denied", {});
  const auto exported =
      cli({"export", project, "--format", "onnx", "-o", dir.file("read-only/m.onnx")});
  EXPECT_EQ(exported.exitCode, 1) << exported.err;
  EXPECT_NE(exported.err.find("Permission denied"), std::string::npos) << exported.err;
  fs::permissions(dir.file("read-only"), fs::perms::owner_all);
}

// A name longer than the file system takes was found only when the first epoch saved: refused
// before training for -o and --log, as for an export. A name just under the limit saves (its
// temporary file's longer name was refused: "File name too long" after the epoch).
TEST_F(OutputGuardCli, AFileNameTooLongIsRefusedBeforeTraining) {
  const std::string tooLong = std::string(300, 'a') + ".graft";
  expectRefused(train(dir.file(tooLong)), "-o/--output",
                "the file name is 306 bytes long, more than the 255 this file system takes (File "
                "name too long)",
                {});
  std::vector<std::string> longLog = train(dir.file("next.graft"));
  longLog.insert(longLog.end(), {"--log", dir.file(std::string(300, 'l') + ".jsonl")});
  expectRefused(longLog, "--log", "306 bytes long", {});
  EXPECT_FALSE(fs::exists(dir.file("next.graft")));
  expectRefused(
      {"export", project, "--format", "onnx", "-o", dir.file(std::string(300, 'e') + ".onnx")},
      "-o/--output", "305 bytes long", {});

  const std::string longest = std::string(249, 'b') + ".graft";  // 255 bytes
  const auto saved = cli(train(dir.file(longest)));
  EXPECT_EQ(saved.exitCode, 0) << saved.err;
  EXPECT_TRUE(fs::is_regular_file(dir.file(longest)));
}

TEST_F(OutputGuardCli, AnExportMayNotReplaceItsModelOrCarryAnotherFormatsSuffix) {
  const std::string weights = dir.file("w.h5");
  ASSERT_EQ(cli({"export", project, "--format", "keras-h5", "-o", weights, "-q"}).exitCode, 0);
  expectRefused({"export", model, "--weights", weights, "--preprocessing", "tf", "--format",
                 "keras-h5", "-o", weights},
                "-o/--output", "is the --weights file", {weights});
  expectRefused({"export", project, "--format", "onnx", "-o", dir.file("model.pt")}, "-o/--output",
                ".pt is the suffix of torchscript files; give the onnx export the suffix .onnx", {},
                2);  // a usage error, as a bad --format
  EXPECT_FALSE(fs::exists(dir.file("model.pt")));
  // The class names found beside the model are read too: an export named like them would
  // replace them (the torchscript suffixes aside, the file is the problem).
  std::ofstream(dir.file("classes.txt")) << "circle\nsquare\ntriangle\n";
  expectRefused({"export", project, "--format", "torchscript", "-o", dir.file("classes.txt")},
                "-o/--output", "is the model's labels file", {dir.file("classes.txt")});
}

}  // namespace
}  // namespace graft::test
