// graft-cli train over several processes (README "Distributed training"): real graft-cli
// processes on loopback, started by hand the way torchrun would start them (and by torchrun
// itself when python3-torch is installed).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

class DistributedTrain : public ::testing::Test {
 protected:
  void SetUp() override {
    model = dir.file("tiny.json");
    std::ofstream(model) << kTinyModel;
    data = dir.file("shapes");
    // 30 per class, 0.2 held out: 72 training images, 36 per rank; 18 validation images.
    ASSERT_EQ(runCli({"sample-data", data, "--images-per-class", "30"}).exitCode, 0);
  }

  // The environment torchrun gives rank `rank` of `world`.
  std::vector<std::string> rankEnvironment(int rank, int world) const {
    return {"MASTER_ADDR=127.0.0.1",
            "MASTER_PORT=" + std::to_string(port),
            "RANK=" + std::to_string(rank),
            "WORLD_SIZE=" + std::to_string(world),
            "LOCAL_RANK=" + std::to_string(rank),
            "LOCAL_WORLD_SIZE=" + std::to_string(world),
            "KERAS_HOME=" + dir.path().string()};
  }

  std::vector<std::string> trainArgs(const std::string& output, int batchSize, int epochs,
                                     const std::string& dataDir,
                                     const std::string& timeout = "60") const {
    return {"train",
            model,
            "--preprocessing",
            "tf",
            "--data",
            dataDir,
            "--epochs",
            std::to_string(epochs),
            "--batch-size",
            std::to_string(batchSize),
            "--lr",
            "0.02",
            "--seed",
            "7",
            "--augment",
            "flip",
            "--workers",
            "1",
            "--dist-timeout",
            timeout,
            "-o",
            output,
            "--json"};
  }

  // The class probabilities the model at `path` gives the first image of each class.
  std::vector<double> predictions(const std::string& path) const {
    std::vector<std::string> args{"predict", path, "--json"};
    for (const char* cls : {"circle", "square", "triangle"})
      for (const auto& entry : fs::directory_iterator(fs::path(data) / cls)) {
        args.push_back(entry.path().string());
        break;
      }
    const CommandResult r = runCli(args);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::vector<double> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      const json image = json::parse(line);
      for (double p : image.at("output")) out.push_back(p);
    }
    return out;
  }

  // The two models predict the same, within float rounding.
  void expectSamePredictions(const std::string& a, const std::string& b) const {
    const auto p1 = predictions(a), p2 = predictions(b);
    ASSERT_EQ(p1.size(), 9u);
    ASSERT_EQ(p1.size(), p2.size());
    for (size_t i = 0; i < p1.size(); ++i) EXPECT_NEAR(p1[i], p2[i], 1e-4) << "output " << i;
  }

  struct TwoRanks {
    CommandResult rank0;
    std::optional<CommandResult> rank1;  // absent when it had not finished 30 s after rank 0
  };
  // Both ranks of one run with `args`: rank 1 in the background, rank 0 here.
  TwoRanks runTwoRanks(const std::vector<std::string>& args) const {
    BackgroundProgram rank1(cliPath(), args, rankEnvironment(1, 2));
    CommandResult rank0 = runCli(args, rankEnvironment(0, 2));
    return {std::move(rank0), rank1.finish(seconds(30))};
  }

  TempDir dir;
  std::string model;
  std::string data;
  int port = freeLoopbackPort();
};

TEST_F(DistributedTrain, TwoProcessesGiveWhatOneGivesWithTheSameGlobalBatchAndSeed) {
  const std::string single = dir.file("single.graft");
  const CommandResult one = runCli(trainArgs(single, 12, 2, data));
  ASSERT_EQ(one.exitCode, 0) << one.err;

  const std::string parallel = dir.file("parallel.graft");
  const auto [rank0, other] = runTwoRanks(trainArgs(parallel, 6, 2, data));
  ASSERT_TRUE(other.has_value()) << "rank 1 did not finish";
  ASSERT_EQ(rank0.exitCode, 0) << rank0.err;
  ASSERT_EQ(other->exitCode, 0) << other->err;
  EXPECT_NE(rank0.err.find("data-parallel over 2 processes"), std::string::npos) << rank0.err;
  // Rank 1 stays quiet: no result line, no progress.
  EXPECT_TRUE(other->out.empty()) << other->out;
  EXPECT_EQ(other->err.find("epoch 1/2"), std::string::npos) << other->err;

  // Global numbers on rank 0: the same as one process's, within float rounding.
  const json a = json::parse(one.out), b = json::parse(rank0.out);
  for (const char* key : {"loss", "accuracy", "val_loss", "val_accuracy"})
    EXPECT_NEAR(a.at(key).get<double>(), b.at(key).get<double>(), 1e-4) << key;
  // The same weights: the saved models predict the same.
  expectSamePredictions(single, parallel);
}

// BatchNormalization frozen (Keras's trainable=False: inference mode with its moving statistics,
// what fine-tuning does by default) computes the same per image whatever the batch: two ranks
// then train exactly what one process does.
TEST_F(DistributedTrain, WithFrozenBatchNormalizationTwoProcessesStillGiveWhatOneGives) {
  std::ofstream(model) << R"({"class_name": "Sequential", "config": {"name": "bn", "layers": [
  {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 32, 32, 3]}},
  {"class_name": "Conv2D", "config": {"name": "conv1", "filters": 8, "kernel_size": [3, 3],
                                      "strides": [2, 2]}},
  {"class_name": "BatchNormalization", "config": {"name": "bn1", "trainable": false}},
  {"class_name": "Activation", "config": {"name": "relu1", "activation": "relu"}},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}},
  {"class_name": "Dense", "config": {"name": "predictions", "units": 3, "activation": "softmax"}}
]}})";
  const std::string single = dir.file("single.graft");
  const CommandResult one = runCli(trainArgs(single, 12, 1, data));
  ASSERT_EQ(one.exitCode, 0) << one.err;
  const std::string parallel = dir.file("parallel.graft");
  const auto [rank0, other] = runTwoRanks(trainArgs(parallel, 6, 1, data));
  ASSERT_TRUE(other.has_value()) << "rank 1 did not finish";
  ASSERT_EQ(rank0.exitCode, 0) << rank0.err;
  ASSERT_EQ(other->exitCode, 0) << other->err;
  const json a = json::parse(one.out), b = json::parse(rank0.out);
  EXPECT_NEAR(a.at("loss").get<double>(), b.at("loss").get<double>(), 1e-4);
  expectSamePredictions(single, parallel);
}

TEST_F(DistributedTrain, ADeadOrHungRankStopsTheOtherSoonWithAClearMessageAndAWholeCheckpoint) {
  const std::string bigger = dir.file("bigger");
  ASSERT_EQ(runCli({"sample-data", bigger, "--images-per-class", "150", "--size", "32"}).exitCode,
            0);
  // SIGKILL: the peer's connection closes at once. SIGSTOP: it hangs, and only the
  // --dist-timeout (5 s) ends the wait.
  for (const auto& [victim, signalNumber] : {std::pair{1, SIGKILL}, {0, SIGKILL}, {1, SIGSTOP}}) {
    SCOPED_TRACE("rank " + std::to_string(victim) +
                 (signalNumber == SIGKILL ? " killed" : " stopped"));
    port = freeLoopbackPort();
    const std::string out =
        dir.file("killed" + std::to_string(victim) + "-" + std::to_string(signalNumber) + ".graft");
    BackgroundProgram rank0(cliPath(), trainArgs(out, 4, 1000, bigger, "5"), rankEnvironment(0, 2));
    BackgroundProgram rank1(cliPath(), trainArgs(out, 4, 1000, bigger, "5"), rankEnvironment(1, 2));
    // Kill once rank 0 has written an epoch, so there is a checkpoint to keep whole.
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (!fs::exists(out) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds(20));
    ASSERT_TRUE(fs::exists(out)) << "no epoch was written within 60 s";
    (victim == 0 ? rank0 : rank1).signal(signalNumber);
    const auto killedAt = std::chrono::steady_clock::now();
    const auto survivor = (victim == 0 ? rank1 : rank0).finish(seconds(20));
    ASSERT_TRUE(survivor.has_value()) << "the surviving rank still runs 20 s after the kill";
    EXPECT_LT(std::chrono::steady_clock::now() - killedAt, seconds(15));
    EXPECT_EQ(survivor->exitCode, 1) << survivor->err;
    const std::string me = "rank " + std::to_string(1 - victim) +
                           " of 2 (rendezvous at 127.0.0.1:" + std::to_string(port) + ")";
    EXPECT_NE(survivor->err.find(me), std::string::npos) << survivor->err;
    EXPECT_NE(survivor->err.find("another rank died"), std::string::npos) << survivor->err;
    // Whatever epoch it holds, the checkpoint is a whole model.
    const CommandResult check = runCli({"summary", out, "--json"});
    EXPECT_EQ(check.exitCode, 0) << check.err;
  }
}

TEST_F(DistributedTrain, ARankThatNeverComesEndsTheRendezvousWithAClearMessage) {
  const std::string out = dir.file("never.graft");
  const std::vector<std::string> args = trainArgs(out, 6, 1, data, "2");
  for (int alone : {0, 1}) {
    SCOPED_TRACE("only rank " + std::to_string(alone) + " started");
    port = freeLoopbackPort();
    const auto start = std::chrono::steady_clock::now();
    const CommandResult r = runCli(args, rankEnvironment(alone, 2));
    EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(20));
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find("rank " + std::to_string(alone) +
                         " of 2 (rendezvous at 127.0.0.1:" + std::to_string(port) + ")"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(alone == 0 ? "not every rank joined" : "rank 0 is not listening"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
}

// Ranks must train the same job: another learning rate would let their copies of the weights
// drift apart, other class folders (same counts, other names) would sum unrelated gradients.
// Both are refused on every rank, the odd one saying what differs.
TEST_F(DistributedTrain, RanksWithAnotherLearningRateOrOtherClassesAreRefused) {
  const std::string out = dir.file("mixed.graft");
  const std::vector<std::string> args = trainArgs(out, 6, 1, data);
  const std::string renamed = dir.file("renamed");
  fs::copy(data, renamed, fs::copy_options::recursive);
  fs::rename(fs::path(renamed) / "circle", fs::path(renamed) / "zz_circle");
  struct Case {
    std::vector<std::string> rank1Args;
    std::string difference;
  };
  std::vector<std::string> otherRate = args;
  *(std::find(otherRate.begin(), otherRate.end(), "--lr") + 1) = "0.01";
  const std::vector<Case> cases = {
      {otherRate, "optimizer 'adam (lr 0.01"},
      {trainArgs(out, 6, 1, renamed), "class names 'square, triangle, zz_circle' here"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.difference);
    port = freeLoopbackPort();
    BackgroundProgram rank1(cliPath(), c.rank1Args, rankEnvironment(1, 2));
    const CommandResult rank0 = runCli(args, rankEnvironment(0, 2));
    const std::optional<CommandResult> r1 = rank1.finish(seconds(30));
    ASSERT_TRUE(r1.has_value()) << "rank 1 did not stop";
    EXPECT_EQ(rank0.exitCode, 1) << rank0.err;
    EXPECT_EQ(r1->exitCode, 1) << r1->err;
    EXPECT_NE(r1->err.find(c.difference), std::string::npos) << r1->err;
    EXPECT_NE(r1->err.find("here, not rank 0's"), std::string::npos) << r1->err;
    EXPECT_NE(rank0.err.find("1 other rank(s) got a different model, data or options"),
              std::string::npos)
        << rank0.err;
    EXPECT_FALSE(fs::exists(out));
  }
}

// A port that takes connections but never answers (another program on MASTER_PORT, a stopped
// rank 0): LibTorch's store client waits for its reply without a timeout, so the rank used to
// hang for ever. It gives up at its deadline with a message saying what it found.
TEST_F(DistributedTrain, ARendezvousThatNeverAnswersEndsAtTheDeadline) {
  port = freeLoopbackPort();
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 16), 0);  // the kernel completes connections; nobody answers
  const std::string out = dir.file("silent.graft");
  const auto start = std::chrono::steady_clock::now();
  const CommandResult r = runCli(trainArgs(out, 6, 1, data, "1"), rankEnvironment(1, 2));
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(listener);
  EXPECT_LT(took, seconds(30));
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find("rank 1 of 2 (rendezvous at 127.0.0.1:" + std::to_string(port) +
                       "): the rendezvous did not answer within 7 s"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(DistributedTrain, ABadLaunchVariableIsNamed) {
  auto env = rankEnvironment(2, 2);  // RANK must be below WORLD_SIZE
  const CommandResult r = runCli(trainArgs(dir.file("x.graft"), 6, 1, data), env);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("RANK: must be an integer from 0 to 1, got '2'"), std::string::npos)
      << r.err;
}

TEST_F(DistributedTrain, TorchrunLaunchesGraftCli) {
  const std::string torchrun = "/usr/bin/torchrun";
  if (!fs::exists(torchrun)) GTEST_SKIP() << torchrun << " not installed (python3-torch)";
  const std::string single = dir.file("single.graft");
  ASSERT_EQ(runCli(trainArgs(single, 12, 1, data)).exitCode, 0);
  const std::string launched = dir.file("torchrun.graft");
  // Debian's torchrun (1.13) under Python 3.11 cannot parse its default "--redirects 0"
  // (Std.from_str returns None for 0 there); any non-zero value works around it.
  std::vector<std::string> args{"--no_python",
                                "--redirects",
                                "1",
                                "--tee",
                                "1",
                                "--nproc_per_node=2",
                                "--master_addr",
                                "127.0.0.1",
                                "--master_port",
                                std::to_string(port),
                                cliPath()};
  for (const auto& a : trainArgs(launched, 6, 1, data)) args.push_back(a);
  const CommandResult r = runProgram(torchrun, args, {"KERAS_HOME=" + dir.path().string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto p1 = predictions(single), p2 = predictions(launched);
  ASSERT_EQ(p1.size(), p2.size());
  for (size_t i = 0; i < p1.size(); ++i) EXPECT_NEAR(p1[i], p2[i], 1e-4) << "output " << i;
}

}  // namespace
}  // namespace graft::test
