// Training faults through graft-cli: a disk that fills up while a checkpoint is written (a real
// ENOSPC from the write path, through an LD_PRELOAD shim in the child process) ends the run
// with exit status 1, a message naming the checkpoint and the OS error, and the previous
// checkpoint intact; so does a class folder deleted while the run goes on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <thread>

#include "support/disk_full.h"
#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TrainFaultsCli : public TinyModelCli {
 protected:
  void SetUp() override {
    writeImages(8);
    fs::create_directories(disk);
  }
  std::vector<std::string> trainArgs(const std::string& out, int epochs) const {
    return {"train",
            model,
            "--preprocessing",
            "tf",
            "--data",
            data,
            "--epochs",
            std::to_string(epochs),
            "--batch-size",
            "8",
            "--seed",
            "3",
            "--workers",
            "1",
            "-o",
            out,
            "--quiet"};
  }
  std::string predictJson(const std::string& modelFile) const {
    auto r = runCli({"predict", modelFile, "--preprocessing", "tf",
                     (fs::path(data) / "circle" / "circle_000.png").string(), "--json"},
                    env);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return r.out;
  }

  fs::path disk = dir.path() / "disk";  // the folder whose disk fills up
};

class DiskFullCli : public TrainFaultsCli, public ::testing::WithParamInterface<std::string> {};

TEST_P(DiskFullCli, DiskFullDuringTheSecondCheckpointKeepsTheFirstAndFails) {
  const std::string ext = GetParam();
  // Epoch 1 alone, elsewhere: what the first checkpoint holds, and how big a checkpoint is.
  const std::string reference = dir.file("epoch1" + ext);
  auto first = runCli(trainArgs(reference, 1), env);
  ASSERT_EQ(first.exitCode, 0) << first.err;
  const auto checkpointBytes = static_cast<long long>(fs::file_size(reference));

  // Room for one checkpoint and half of the next: the second write runs out mid-file.
  const std::string out = (disk / ("model" + ext)).string();
  std::vector<std::string> fullDisk = env;
  fullDisk.push_back("LD_PRELOAD=" + diskFullPreloadPath());
  fullDisk.push_back("GRAFT_DISK_FULL_DIR=" + disk.string());
  fullDisk.push_back("GRAFT_DISK_FULL_BUDGET=" + std::to_string(checkpointBytes * 3 / 2));
  auto run = runCli(trainArgs(out, 3), fullDisk);

  EXPECT_EQ(run.exitCode, 1) << run.err;
  EXPECT_NE(run.err.find("could not save the checkpoint"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(out), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("No space left on device"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("holds epoch 1"), std::string::npos) << run.err;

  // The file at -o is epoch 1's, whole: it loads and predicts what the reference predicts.
  ASSERT_TRUE(fs::exists(out));
  if (ext == ".graft") {
    EXPECT_EQ(predictJson(out), predictJson(reference));
  } else {  // weights only: the architecture comes from the JSON
    auto r = runCli({"predict", model, "--preprocessing", "tf", "--weights", out,
                     (fs::path(data) / "circle" / "circle_000.png").string(), "--json"},
                    env);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto ref = runCli({"predict", model, "--preprocessing", "tf", "--weights", reference,
                       (fs::path(data) / "circle" / "circle_000.png").string(), "--json"},
                      env);
    EXPECT_EQ(r.out, ref.out);
  }
  // Nothing left behind but the checkpoint itself.
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(disk)) left.push_back(entry.path().string());
  EXPECT_EQ(left, std::vector<std::string>{out});
}

std::string slurp(const std::string& path);

// The --log on a full disk ends the run: the error says what -o holds, as a cancelled run's
// does ("cannot write the log file" alone left the user to guess which epoch was saved).
TEST_F(TrainFaultsCli, ALogThatCannotBeWrittenSaysWhatTheCheckpointHolds) {
  // A reference log: the disk fills up in the first epoch's event, once -o holds that epoch.
  const std::string reference = dir.file("reference.jsonl");
  std::vector<std::string> args = trainArgs(dir.file("reference.graft"), 1);
  args.insert(args.end(), {"--log", reference});
  ASSERT_EQ(runCli(args, env).exitCode, 0);
  const std::string logged = slurp(reference);
  const size_t epochLine = logged.find("\"event\":\"epoch\"");
  ASSERT_NE(epochLine, std::string::npos) << logged;
  // Less than the whole line: its timings' digits vary from run to run.
  const size_t room = epochLine + 40;

  const std::string out = dir.file("model.graft");
  args = trainArgs(out, 3);
  args.insert(args.end(), {"--log", (disk / "run.jsonl").string()});
  std::vector<std::string> fullDisk = env;
  fullDisk.push_back("LD_PRELOAD=" + diskFullPreloadPath());
  fullDisk.push_back("GRAFT_DISK_FULL_DIR=" + disk.string());
  fullDisk.push_back("GRAFT_DISK_FULL_BUDGET=" + std::to_string(room));
  const auto run = runCli(args, fullDisk);
  EXPECT_EQ(run.exitCode, 1) << run.err;
  EXPECT_NE(run.err.find("cannot write the log file"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(out + " holds epoch "), std::string::npos) << run.err;
  EXPECT_TRUE(fs::is_regular_file(out));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits until a run's --log holds its first epoch event; false when none came within `limit`.
bool firstEpochLogged(const std::string& log, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (slurp(log).find("\"event\":\"epoch\"") == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST_F(TrainFaultsCli, AClassFolderDeletedDuringTheRunStopsItNamingFiles) {
  const std::string out = dir.file("model.graft"), log = dir.file("run.jsonl");
  std::vector<std::string> args = trainArgs(out, 200);
  args.insert(args.end(), {"--log", log});
  BackgroundProgram cli(cliPath(), args, env);
  // Once the first epoch is logged, a third of the images disappear.
  const bool deleted = firstEpochLogged(log, std::chrono::seconds(30));
  if (deleted) fs::remove_all(fs::path(data) / "square");
  const std::optional<CommandResult> ended = cli.finish(std::chrono::minutes(5));
  ASSERT_TRUE(ended) << "the run did not stop";
  ASSERT_TRUE(deleted) << ended->err;
  EXPECT_EQ(ended->exitCode, 1) << ended->err;
  const std::string& message = ended->err;
  EXPECT_NE(message.find("of 24 images could not be read, more than 10 %"), std::string::npos)
      << message;
  EXPECT_NE(message.find((fs::path(data) / "square").string()), std::string::npos) << message;
  EXPECT_NE(message.find("holds epoch"), std::string::npos) << message;
  auto summary = runCli({"summary", out}, env);
  EXPECT_EQ(summary.exitCode, 0) << summary.err;
}

// Ctrl-C, and SIGTERM as a cancelled CI job or `timeout` sends it: the run stops at the next
// batch, says which epoch the file holds and exits 1; the checkpoint is a whole model.
TEST_F(TrainFaultsCli, SigintAndSigtermStopTheRunKeepingTheLastEpoch) {
  for (const int signalNumber : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(signalNumber == SIGINT ? "SIGINT" : "SIGTERM");
    const std::string name = "stopped" + std::to_string(signalNumber);
    const std::string out = dir.file(name + ".graft"), log = dir.file(name + ".jsonl");
    std::vector<std::string> args = trainArgs(out, 500);
    args.insert(args.end(), {"--log", log, "--json"});
    BackgroundProgram cli(cliPath(), args, env);
    const bool sent = firstEpochLogged(log, std::chrono::seconds(60));
    if (sent) cli.signal(signalNumber);
    const std::optional<CommandResult> ended = cli.finish(std::chrono::minutes(2));
    ASSERT_TRUE(ended) << "the run did not stop";
    ASSERT_TRUE(sent) << ended->err;
    EXPECT_EQ(ended->exitCode, 1) << ended->err;
    EXPECT_NE(ended->err.find("error: cancelled "), std::string::npos) << ended->err;
    EXPECT_NE(ended->err.find(out + " holds epoch"), std::string::npos) << ended->err;
    // --json says it too, as one object: a script learns which epoch the file holds.
    const nlohmann::json said = nlohmann::json::parse(ended->out);
    EXPECT_EQ(said.at("status"), "cancelled") << ended->out;
    EXPECT_GE(said.at("checkpoint_epoch").get<int>(), 1) << ended->out;
    EXPECT_NE(ended->err.find(out + " holds epoch " + said.at("checkpoint_epoch").dump()),
              std::string::npos)
        << ended->out << ended->err;
    // ... with that epoch's figures, as the log gave them (they were left out).
    std::ifstream lines(log);
    std::optional<nlohmann::json> held;
    for (std::string line; std::getline(lines, line);) {
      const nlohmann::json event = nlohmann::json::parse(line);
      if (event.at("event") == "epoch" && event.at("epoch") == said.at("checkpoint_epoch"))
        held = event;
    }
    ASSERT_TRUE(held) << ended->out;
    for (const char* figure : {"loss", "accuracy", "val_loss", "val_accuracy"}) {
      ASSERT_TRUE(said.contains(figure)) << figure << ": " << ended->out;
      EXPECT_TRUE(said.at(figure).is_number()) << figure << ": " << ended->out;
      EXPECT_EQ(said.at(figure), held->at(figure)) << figure;
    }
    EXPECT_EQ(runCli({"summary", out}, env).exitCode, 0);
  }
}

// GNU timeout sends its signal to the process and then to its process group: two signals from
// one sender at once are one request to stop, not "end at once" (the JSON, the JUnit report and
// the log's end were lost to it).
TEST_F(TrainFaultsCli, TheSameSignalTwiceAtOnceFromOneSenderIsOneStop) {
  const std::string out = dir.file("twice.graft"), log = dir.file("twice.jsonl");
  std::vector<std::string> args = trainArgs(out, 500);
  args.insert(args.end(), {"--log", log, "--json"});
  BackgroundProgram cli(cliPath(), args, env);
  const bool sent = firstEpochLogged(log, std::chrono::seconds(60));
  if (sent) {
    cli.signal(SIGTERM);
    // The first one handled (two at once merge into one pending signal), the stop not yet over.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cli.signal(SIGTERM);
  }
  const std::optional<CommandResult> ended = cli.finish(std::chrono::minutes(2));
  ASSERT_TRUE(ended) << "the run did not stop";
  ASSERT_TRUE(sent) << ended->err;
  EXPECT_EQ(ended->exitCode, 1) << ended->err;
  EXPECT_EQ(nlohmann::json::parse(ended->out).at("status"), "cancelled") << ended->out;
}

// A model file the user may not write is not replaced, though the folder would let a rename do
// it (a chmod 444 model was): refused before the run, the file as it was. Root may write any
// file, so as root the command runs as nobody.
TEST_F(TrainFaultsCli, AReadOnlyOutputIsRefusedBeforeTheRun) {
  fs::permissions(dir.path(), fs::perms::all);  // the folder takes anyone's new files
  const std::string out = dir.file("readonly.graft");
  std::ofstream(out) << "previous";
  fs::permissions(out, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const std::vector<std::string> args = trainArgs(out, 1);
  CommandResult r;
  if (::geteuid() != 0) {
    r = runCli(args, env);
  } else {
    if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "no setpriv to run as nobody";
    std::vector<std::string> asNobody = {"--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                         cliPath()};
    asNobody.insert(asNobody.end(), args.begin(), args.end());
    r = runProgram("/usr/bin/setpriv", asNobody, env);
  }
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(out + " is read-only"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("epoch 1"), std::string::npos) << "refused after training: " << r.err;
  std::ifstream kept(out);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), "previous");
}

TEST_F(TrainFaultsCli, MaxUnreadableSetsHowManyBrokenImagesARunTolerates) {
  // 4 broken images among 28: 14 %, past the default 10 %; the run stops at the third.
  for (int i = 0; i < 4; ++i)
    std::ofstream(fs::path(data) / "circle" / ("broken_" + std::to_string(i) + ".png")) << "no";
  auto stopped = runCli(trainArgs(dir.file("a.graft"), 2), env);
  EXPECT_EQ(stopped.exitCode, 1);
  EXPECT_NE(stopped.err.find(" of 28 images could not be read, more than 10 %"), std::string::npos)
      << stopped.err;
  EXPECT_NE(stopped.err.find("broken_0.png"), std::string::npos) << stopped.err;

  std::vector<std::string> tolerant = trainArgs(dir.file("b.graft"), 2);
  tolerant.insert(tolerant.end(), {"--max-unreadable", "0.2"});
  auto completed = runCli(tolerant, env);
  EXPECT_EQ(completed.exitCode, 0) << completed.err;

  tolerant.back() = "1.5";
  EXPECT_EQ(runCli(tolerant, env).exitCode, 2);  // not a share
}

INSTANTIATE_TEST_SUITE_P(Formats, DiskFullCli, ::testing::Values(".graft", ".h5"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return p.param.substr(1);
                         });

}  // namespace
}  // namespace graft::test
