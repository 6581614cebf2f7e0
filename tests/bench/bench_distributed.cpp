// Benchmark (prints numbers; not a timed test) for data-parallel training (README
// "Distributed training"), with real graft-cli processes:
//  1. scaling on this machine: one process against two on loopback (c10d Gloo), the same job
//     and global batch: MobileNet alpha 0.25 at 96 x 96, 3-class top, global batch 32, Adam;
//  2. the inputs of the README's many-machine estimate: for each zoo model at its default input
//     size, the trainable parameters (all layers train), the bytes a ring all-reduce sends per
//     rank and step, this machine's training time per image, and the network bandwidth at which
//     sending the gradients takes as long as computing them.
// Every process runs with the OpenMP spin count graft-cli chooses (runtime/system/threads.h). Part
// 1 also runs one process on one core (taskset) with a rank's batch: a rank's throughput should be
// that of one process with one core. Each figure is the best of two runs.
// Usage: bench_distributed [images-per-class (default 64)] [zoo models for part 2, default all;
//        "none": part 1 only]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace {

using namespace graft;
using nlohmann::json;

constexpr int kGlobalBatch = 32;
constexpr int kEpochs = 3;  // the first is warm-up; later ones are timed
graft::test::CommandResult cli(const std::vector<std::string>& args) {
  return graft::test::runCli(args);
}

// graft-cli on the first core only (it then uses one thread: runtime/system/threads.h,
// usableCores).
graft::test::CommandResult cliOnOneCore(const std::vector<std::string>& args) {
  std::vector<std::string> pinned{"-c", "0", test::cliPath()};
  pinned.insert(pinned.end(), args.begin(), args.end());
  return graft::test::runProgram("/usr/bin/taskset", pinned);
}

// Mean images per second over the logged epochs after the first.
double imagesPerSecond(const std::string& log) {
  std::ifstream in(log);
  double sum = 0.0;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    const json e = json::parse(line);
    if (e.at("event") == "epoch" && e.at("epoch").get<int>() > 1) {
      sum += e.at("images_per_second").get<double>();
      ++n;
    }
  }
  return n ? sum / n : 0.0;
}

std::vector<std::string> zooArgs(const std::string& name, int size) {
  std::vector<std::string> args{
      name, "--input-size", std::to_string(size), "--include-top", "--classes", "3"};
  if (name == "mobilenet") args.insert(args.end(), {"--alpha", "1.0"});
  return args;
}

std::vector<std::string> trainArgs(const std::vector<std::string>& model, const std::string& data,
                                   int batch, int epochs, const std::string& out,
                                   const std::string& log) {
  std::vector<std::string> args{"train"};
  args.insert(args.end(), model.begin(), model.end());
  args.insert(args.end(), {"--data", data, "--val-split", "0", "--epochs", std::to_string(epochs),
                           "--batch-size", std::to_string(batch), "--seed", "1", "-o", out, "--log",
                           log, "--quiet"});
  return args;
}

std::vector<std::string> rankEnvironment(int rank, int port) {
  return {"MASTER_ADDR=127.0.0.1",
          "MASTER_PORT=" + std::to_string(port),
          "RANK=" + std::to_string(rank),
          "WORLD_SIZE=2",
          "LOCAL_RANK=" + std::to_string(rank),
          "LOCAL_WORLD_SIZE=2"};
}

struct Scaling {
  double oneProcess = 0.0, twoProcesses = 0.0, oneCore = 0.0;  // images per second
};

// The one-process and the two-process run of the same job, and one process on one core with a
// rank's batch.
Scaling scalingOnce(const test::TempDir& dir, const std::string& data) {
  const std::vector<std::string> model{"mobilenet", "--alpha",       "0.25",      "--input-size",
                                       "96",        "--include-top", "--classes", "3"};
  const std::string oneLog = dir.file("one.jsonl"), twoLog = dir.file("two.jsonl");
  const auto one =
      cli(trainArgs(model, data, kGlobalBatch, kEpochs, dir.file("one.graft"), oneLog));
  if (one.exitCode != 0) std::cerr << one.err;
  const int port = test::freeLoopbackPort();
  const auto args =
      trainArgs(model, data, kGlobalBatch / 2, kEpochs, dir.file("two.graft"), twoLog);
  test::BackgroundProgram rank1(test::cliPath(), args, rankEnvironment(1, port));
  const auto rank0 = test::runCli(args, rankEnvironment(0, port));
  const auto other = rank1.finish(std::chrono::minutes(10));
  if (rank0.exitCode != 0 || !other || other->exitCode != 0)
    std::cerr << rank0.err << (other ? other->err : std::string("rank 1 still running"));
  const std::string coreLog = dir.file("core.jsonl");
  const auto core = cliOnOneCore(
      trainArgs(model, data, kGlobalBatch / 2, kEpochs, dir.file("core.graft"), coreLog));
  if (core.exitCode != 0) std::cerr << core.err;
  return {imagesPerSecond(oneLog), imagesPerSecond(twoLog), imagesPerSecond(coreLog)};
}

void scaling(const test::TempDir& dir, int imagesPerClass) {
  const std::string data = dir.file("scaling-data");
  cli({"sample-data", data, "--images-per-class", std::to_string(imagesPerClass), "--size", "128"});
  Scaling best;
  for (int run = 0; run < 2; ++run) {
    const Scaling s = scalingOnce(dir, data);
    best.oneProcess = std::max(best.oneProcess, s.oneProcess);
    best.twoProcesses = std::max(best.twoProcesses, s.twoProcesses);
    best.oneCore = std::max(best.oneCore, s.oneCore);
  }
  const double perRank = best.twoProcesses / 2;
  std::printf(
      "1. scaling, MobileNet a=0.25 96x96, %d images, global batch %d, %u cores:\n"
      "   1 process  : %8.1f images/s (one thread per core)\n"
      "   2 processes: %8.1f images/s (16 per rank and step, cores shared out)\n"
      "   ratio 2/1  : %8.2f\n"
      "   per rank   : %8.1f images/s; 1 process on 1 core, batch 16: %.1f images/s; ratio "
      "%.2f\n\n",
      imagesPerClass * 3, kGlobalBatch, std::thread::hardware_concurrency(), best.oneProcess,
      best.twoProcesses, best.twoProcesses / best.oneProcess, perRank, best.oneCore,
      perRank / best.oneCore);
  std::fflush(stdout);
}

void estimate(const test::TempDir& dir, const std::vector<std::string>& models) {
  const std::string data = dir.file("estimate-data");
  cli({"sample-data", data, "--images-per-class", "4", "--size", "64"});  // 12 images
  std::printf(
      "2. estimate inputs (all layers train, 3-class top, float32 gradients, ring all-reduce: "
      "each rank sends 2(N-1)/N x 4 x params bytes per step)\n"
      "   %-12s %5s %12s %9s %9s %9s %10s %12s %12s\n",
      "model", "size", "params", "MB N=2", "MB N=8", "MB N=64", "s/image", "Gbit/s N=8",
      "Gbit/s N=64");
  for (const auto& name : models) {
    const int size = (name == "inception_v3" || name == "xception") ? 299 : 224;
    const auto model = zooArgs(name, size);
    std::vector<std::string> summaryArgs{"summary"};
    summaryArgs.insert(summaryArgs.end(), model.begin(), model.end());
    summaryArgs.insert(summaryArgs.end(), {"--json", "--quiet"});
    const auto summary = cli(summaryArgs);
    if (summary.exitCode != 0) {
      std::cerr << summary.err;
      continue;
    }
    const double params = json::parse(summary.out).at("trainable_params").get<double>();
    const std::string log = dir.file(name + ".jsonl");
    double best = 0.0;
    for (int run = 0; run < 2; ++run) {
      const auto trained = cli(trainArgs(model, data, 4, 2, dir.file(name + ".graft"), log));
      if (trained.exitCode != 0) std::cerr << trained.err;
      best = std::max(best, imagesPerSecond(log));
    }
    const double secondsPerImage = 1.0 / best;
    auto megabytes = [&](int n) { return 2.0 * (n - 1) / n * 4.0 * params / 1e6; };
    // Break-even: the bytes of one step sent in the compute time of one step (per-rank batch
    // 32 at this machine's speed).
    auto gigabits = [&](int n) { return megabytes(n) * 8e-3 / (kGlobalBatch * secondsPerImage); };
    std::printf("   %-12s %5d %12.0f %9.1f %9.1f %9.1f %10.3f %12.3f %12.3f\n", name.c_str(), size,
                params, megabytes(2), megabytes(8), megabytes(64), secondsPerImage, gigabits(8),
                gigabits(64));
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int imagesPerClass = argc > 1 ? std::atoi(argv[1]) : 64;
  std::vector<std::string> models;
  for (int i = 2; i < argc; ++i) models.push_back(argv[i]);
  if (models.empty())
    models = {"mobilenet", "resnet50", "inception_v3", "xception", "vgg16", "vgg19"};
  test::TempDir dir;
  scaling(dir, imagesPerClass);
  if (models.size() == 1 && models[0] == "none") return 0;
  estimate(dir, models);
  return 0;
}
