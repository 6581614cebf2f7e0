// A save that dies half-way must not cost the user the file they had: graft-cli is killed with
// SIGKILL (no chance to clean up) at increasing moments while it writes a 58 MB export over an
// existing file. Whenever it dies, the file at the target is either the previous one, byte for
// byte, or the new one whole (it reads back as VGG16's weights) — never something in between.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/test_support.h"

namespace graft::test {
namespace {

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Starts graft-cli with `args` (output discarded) and kills it after `delay`. True when the
// kill came first (the process had not finished by itself).
bool runAndKill(const std::vector<std::string>& args, std::chrono::milliseconds delay) {
  BackgroundProgram cli(cliPath(), args);
  std::this_thread::sleep_for(delay);
  cli.signal(SIGKILL);
  const std::optional<CommandResult> ended = cli.finish(std::chrono::seconds(60));
  return ended && ended->exitCode == 128 + SIGKILL;
}

TEST(CrashSafeSave, KillingAnExportAnywhereLeavesTheOldFileOrTheWholeNewOne) {
  TempDir dir;
  const std::string target = dir.file("weights.h5");
  // The user's previous file: a small model's weights.
  ASSERT_EQ(runCli({"export", "mobilenet", "--alpha", "0.25", "--input-size", "64", "--no-top",
                    "--format", "keras-h5", "-o", target})
                .exitCode,
            0);
  std::string previous = readBytes(target);
  ASSERT_FALSE(previous.empty());

  const std::vector<std::string> bigExport = {"export", "vgg16",    "--no-top", "--input-size",
                                              "32",     "--format", "keras-h5", "-o",
                                              target,   "--quiet"};
  int killedRuns = 0;
  for (int ms : {30, 100, 200, 350, 500, 700, 1000, 1400, 2000}) {
    SCOPED_TRACE("killed after " + std::to_string(ms) + " ms");
    killedRuns += runAndKill(bigExport, std::chrono::milliseconds(ms)) ? 1 : 0;
    const std::string now = readBytes(target);
    if (now == previous) continue;  // died before replacing it: the old file, intact
    // Replaced: then completely. It reads back as VGG16's weights.
    const CommandResult check = runCli(
        {"summary", "vgg16", "--no-top", "--input-size", "32", "--weights", target, "--quiet"});
    EXPECT_EQ(check.exitCode, 0) << check.err;
    previous = now;
  }
  EXPECT_GT(killedRuns, 0) << "every run finished before its kill: the test proved nothing";
}

// Ctrl-C, SIGTERM, SIGHUP or SIGQUIT while an export or a project save writes: the process ends as
// the signal says, and the hidden temporary file it was writing (as large as the model) goes with
// it.
TEST(CrashSafeSave, AnInterruptedSaveLeavesNoTemporaryFile) {
  const auto temporaryFiles = [](const TempDir& dir) {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
      if (entry.path().filename().string().find(".tmp-") != std::string::npos)
        found.push_back(entry.path().filename().string());
    return found;
  };
  int interrupted = 0;
  // SIGHUP (the terminal closed) and SIGQUIT (Ctrl-\) end it as well.
  for (const int signalNumber : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
    for (const std::string output : {"v.h5", "v.graft"}) {
      SCOPED_TRACE("signal " + std::to_string(signalNumber) + ", " + output);
      TempDir dir;
      // export writes the .h5; edit (an empty recipe) saves the project.
      std::ofstream(dir.file("none.json")) << R"({"graft_recipe": 1, "operations": []})";
      const std::vector<std::string> args =
          output == "v.h5" ? std::vector<std::string>{"export",       "vgg16", "--no-top",
                                                      "--input-size", "32",    "--format",
                                                      "keras-h5",     "-o",    dir.file(output),
                                                      "--quiet"}
                           : std::vector<std::string>{"edit",
                                                      "vgg16",
                                                      "--no-top",
                                                      "--input-size",
                                                      "32",
                                                      "--recipe",
                                                      dir.file("none.json"),
                                                      "-o",
                                                      dir.file(output),
                                                      "--quiet"};
      BackgroundProgram cli(cliPath(), args);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
      while (temporaryFiles(dir).empty() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ASSERT_FALSE(temporaryFiles(dir).empty()) << "no temporary file seen: nothing was tested";
      cli.signal(signalNumber);
      const std::optional<CommandResult> ended = cli.finish(std::chrono::seconds(60));
      ASSERT_TRUE(ended);
      if (ended->exitCode == 0) continue;  // it had just finished: nothing to leave behind
      ++interrupted;
      EXPECT_EQ(ended->exitCode, 128 + signalNumber) << ended->err;
      EXPECT_EQ(temporaryFiles(dir), std::vector<std::string>{});
      EXPECT_FALSE(std::filesystem::exists(dir.file(output)));
    }
  EXPECT_GT(interrupted, 0) << "every run finished before its signal: the test proved nothing";
}

// Ctrl-C while sample-data draws a large folder: it stops between images and removes the
// half-drawn folder (built under a hidden temporary name), so neither it nor DIR is left.
TEST(CrashSafeSave, AnInterruptedSampleDataLeavesNoFolder) {
  for (const int signalNumber : {SIGINT, SIGTERM}) {
    SCOPED_TRACE("signal " + std::to_string(signalNumber));
    TempDir dir;
    BackgroundProgram cli(cliPath(), {"sample-data", dir.file("data"), "--images-per-class", "5000",
                                      "--size", "256"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    const auto drawing = [&] {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path()))
        if (entry.path().extension() == ".png") return true;
      return false;
    };
    while (!drawing() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(drawing()) << "no image drawn: nothing was tested";
    cli.signal(signalNumber);
    const std::optional<CommandResult> ended = cli.finish(std::chrono::seconds(60));
    ASSERT_TRUE(ended) << "sample-data did not stop";
    EXPECT_EQ(ended->exitCode, 1) << ended->err;
    EXPECT_NE(ended->err.find("stopped before it was complete"), std::string::npos) << ended->err;
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  }
}

}  // namespace
}  // namespace graft::test
