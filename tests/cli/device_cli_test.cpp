// --device and --precision on the command line and in pipelines (#23): the same words for a
// bad value everywhere, CUDA refused where there is none (saying what was found), and the run
// saying where and in what precision it computes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

using nlohmann::json;

class DeviceCli : public TinyModelCli {
 protected:
  void SetUp() override { writeImages(8); }
  // True when this build computes on the CPU only (what CI has): `cuda` must be refused.
  bool cpuOnly() const {
    const auto r = cli({"predict", model, "--preprocessing", "tf", "--device", "cuda",
                        data + "/circle/circle_000.png"});
    return r.exitCode != 0;
  }
};

TEST_F(DeviceCli, ANameThatIsNoDeviceIsAUsageErrorInEveryCommand) {
  const std::string image = data + "/circle/circle_000.png";
  const std::vector<std::vector<std::string>> commands = {
      {"predict", model, image, "--device", "gpu"},
      {"train", model, "--data", data, "--device", "gpu"},
      {"eval", model, "--data", data, "--device", "gpu"},
      {"edit", model, "--recipe", model, "-o", dir.file("x.graft"), "--device", "gpu"},
      {"probe", model, "--data", data, "--device", "gpu"},
  };
  for (const auto& args : commands) {
    const auto r = cli(args);
    EXPECT_EQ(r.exitCode, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("--device"), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("expected auto, cpu, cuda or cuda:N"), std::string::npos)
        << args[0] << ": " << r.err;
  }
  const auto precision = cli({"train", model, "--data", data, "--precision", "fp8"});
  EXPECT_EQ(precision.exitCode, 2) << precision.err;
  EXPECT_NE(precision.err.find("--precision"), std::string::npos) << precision.err;
  const auto order = cli({"train", model, "--data", data, "--channels-last", "yes"});
  EXPECT_EQ(order.exitCode, 2) << order.err;
  EXPECT_NE(order.err.find("--channels-last"), std::string::npos) << order.err;
}

TEST_F(DeviceCli, CudaWhereThereIsNoneExits1SayingWhatWasFound) {
  if (!cpuOnly()) GTEST_SKIP() << "this machine has a CUDA device";
  const std::string image = data + "/circle/circle_000.png";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"predict", model, "--preprocessing", "tf", image, "--device", "cuda"},
           {"train", model, "--preprocessing", "tf", "--data", data, "--epochs", "1", "--device",
            "cuda:0", "-o", dir.file("c.graft")},
           {"eval", model, "--preprocessing", "tf", "--data", data, "--device", "cuda"},
           {"probe", model, "--preprocessing", "tf", "--data", data, "--device", "cuda"}}) {
    const auto r = cli(args);
    EXPECT_EQ(r.exitCode, 1) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("--device"), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("without CUDA"), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("LibTorch"), std::string::npos) << args[0] << ": " << r.err;
  }
}

TEST_F(DeviceCli, TrainingSaysWhereAndInWhatPrecisionItComputes) {
  const std::string log = dir.file("run.jsonl");
  const std::string out = dir.file("t.graft");
  std::vector<std::string> args = {"train", model, "--preprocessing", "tf", "--data",       data,
                                   "-o",    out,   "--epochs",        "1",  "--batch-size", "8",
                                   "--log", log};
  for (const char* how : {"--device", "cpu", "--precision", "bf16", "--channels-last", "on"})
    args.push_back(how);
  const auto r = cli(args);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("computing on CPU"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bf16, channels-last"), std::string::npos) << r.err;
  std::ifstream in(log);
  std::string first;
  std::getline(in, first);
  const json start = json::parse(first);
  EXPECT_EQ(start.at("event"), "start");
  EXPECT_EQ(start.at("precision"), "bf16");
  EXPECT_EQ(start.at("channels_last"), true);
  EXPECT_EQ(start.at("device").get<std::string>().rfind("CPU", 0), 0u) << start.dump();

  // fp16 needs CUDA: on the CPU it is refused before any image is read.
  const auto fp16 = cli({"train", model, "--preprocessing", "tf", "--data", data, "--epochs", "1",
                         "--device", "cpu", "--precision", "fp16", "-o", dir.file("h.graft")});
  EXPECT_EQ(fp16.exitCode, 1) << fp16.err;
  EXPECT_NE(fp16.err.find("--precision"), std::string::npos) << fp16.err;
}

TEST_F(DeviceCli, APipelineNamesABadDeviceByItsJsonPath) {
  const std::string pipeline = dir.file("ci.json");
  std::ofstream(pipeline) << R"({"graft_pipeline": 1, "model": {"source": ")" << model
                          << R"(", "preprocessing": "tf"}, "train": {"data": ")" << data
                          << R"(", "epochs": 1, "device": "gpu0"}})";
  const auto r = cli({"run", pipeline});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("train.device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expected auto, cpu, cuda or cuda:N"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace graft::test
