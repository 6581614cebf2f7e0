// The pieces of data-parallel training below the CLI: reading torchrun's variables, sharding an
// epoch as DistributedSampler does, and c10d Gloo collectives between two ranks (threads here).
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <future>
#include <map>
#include <numeric>

#include "graph/diagnostic.h"
#include "runtime/distributed/data_parallel.h"
#include "runtime/distributed/launch_environment.h"
#include "runtime/distributed/shard.h"
#include "runtime/prediction/evaluate.h"
#include "support/test_support.h"

namespace graft {
namespace {

EnvironmentReader readerOf(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const char* name) -> const char* {
    const auto it = variables.find(name);
    return it == variables.end() ? nullptr : it->second.c_str();
  };
}

TEST(LaunchEnvironment, NoWorldSizeOrOneProcessIsASingleProcessRun) {
  EXPECT_FALSE(launchEnvironmentFromVariables(readerOf({})));
  EXPECT_FALSE(launchEnvironmentFromVariables(readerOf({{"WORLD_SIZE", "1"}, {"RANK", "0"}})));
  EXPECT_FALSE(launchEnvironmentFromVariables(readerOf({{"RANK", "0"}})));
  // One process with a rank beyond 0 is a mistyped launch, not a run to repeat rank 0's work.
  try {
    launchEnvironmentFromVariables(readerOf({{"WORLD_SIZE", "1"}, {"RANK", "3"}}));
    ADD_FAILURE() << "WORLD_SIZE=1 RANK=3 was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("RANK: is '3' but WORLD_SIZE is 1"), std::string::npos)
        << e.what();
  }
}

TEST(LaunchEnvironment, ReadsWhatTorchrunSets) {
  const auto env =
      launchEnvironmentFromVariables(readerOf({{"WORLD_SIZE", "4"},
                                               {"RANK", "3"},
                                               {"LOCAL_RANK", "1"},
                                               {"LOCAL_WORLD_SIZE", "2"},
                                               {"MASTER_ADDR", "10.0.0.5"},
                                               {"MASTER_PORT", "29500"},
                                               {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                               {"TORCHELASTIC_RESTART_COUNT", "2"}}));
  ASSERT_TRUE(env);
  EXPECT_EQ(env->rank, 3);
  EXPECT_EQ(env->worldSize, 4);
  EXPECT_EQ(env->localRank, 1);
  EXPECT_EQ(env->localWorldSize, 2);
  EXPECT_EQ(env->masterAddress, "10.0.0.5");
  EXPECT_EQ(env->masterPort, 29500);
  EXPECT_TRUE(env->agentStore);
  EXPECT_EQ(env->restartCount, 2);
  EXPECT_EQ(env->describe(), "rank 3 of 4 (rendezvous at 10.0.0.5:29500)");
}

TEST(LaunchEnvironment, AMissingOrBadVariableIsNamed) {
  const std::map<std::string, std::string> good = {
      {"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}};
  auto expectError = [&](const std::string& name, const std::string& value,
                         const std::string& message) {
    auto vars = good;
    if (value.empty())
      vars.erase(name);
    else
      vars[name] = value;
    try {
      launchEnvironmentFromVariables(readerOf(vars));
      ADD_FAILURE() << name << "=" << value << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  expectError("RANK", "", "RANK: is not set");
  expectError("RANK", "2", "RANK: must be an integer from 0 to 1, got '2'");
  expectError("MASTER_PORT", "70000", "MASTER_PORT: must be an integer from 1 to 65535");
  expectError("MASTER_PORT", "", "MASTER_PORT: is not set");
  expectError("MASTER_ADDR", "", "MASTER_ADDR: is not set");
  expectError("WORLD_SIZE", "two", "WORLD_SIZE: must be an integer");
}

TEST(Shard, RanksTakeStridedSharesOfOnePaddedOrderLikeDistributedSampler) {
  const std::vector<size_t> order = {4, 0, 3, 1, 2};
  EXPECT_EQ(shardOfOrder(order, 0, 2, true), (std::vector<size_t>{4, 3, 2}));
  // Padded with the order's start, so both ranks run the same number of steps.
  EXPECT_EQ(shardOfOrder(order, 1, 2, true), (std::vector<size_t>{0, 1, 4}));
  // Unpadded (validation): every sample exactly once over the ranks.
  EXPECT_EQ(shardOfOrder(order, 1, 2, false), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(shardOfOrder(order, 2, 3, false), (std::vector<size_t>{3}));
  EXPECT_TRUE(shardOfOrder({}, 0, 2, true).empty());
}

// Validation over ranks sums each rank's counts: the metrics of the sum are those of all images.
TEST(ClassificationMetricsCounts, SummedCountsGiveTheMetricsOfAllImages) {
  const auto predicted = torch::tensor({0, 1, 1, 2, 0, 2}, torch::kInt64);
  const auto labels = torch::tensor({0, 1, 2, 2, 1, 2}, torch::kInt64);
  const auto losses = torch::tensor({0.5, 1.0, 2.0, 0.25, 3.0, 0.75}, torch::kFloat32);
  ClassificationMetrics all(3), first(3), second(3);
  all.add(predicted, labels, losses);
  first.add(predicted.slice(0, 0, 4), labels.slice(0, 0, 4), losses.slice(0, 0, 4));
  second.add(predicted.slice(0, 4), labels.slice(0, 4), losses.slice(0, 4));
  std::vector<double> sum = first.counts();
  const auto more = second.counts();
  for (size_t i = 0; i < sum.size(); ++i) sum[i] += more[i];
  const auto merged = ClassificationMetrics::fromCounts(3, sum);
  EXPECT_EQ(merged.count(), 6);
  EXPECT_EQ(merged.confusion(), all.confusion());
  EXPECT_DOUBLE_EQ(merged.accuracy(), all.accuracy());
  EXPECT_DOUBLE_EQ(merged.meanLoss(), 7.5 / 6);
  EXPECT_THROW(ClassificationMetrics::fromCounts(2, sum), std::invalid_argument);
}

// Runs `work` as both ranks of a two-process group on loopback (one thread each).
template <typename Work>
void onTwoRanks(Work work) {
  const int port = test::freeLoopbackPort();
  auto rank = [&](int r) {
    LaunchEnvironment env;
    env.rank = r;
    env.worldSize = 2;
    env.masterAddress = "127.0.0.1";
    env.masterPort = port;
    auto group = DataParallel::connect(env, std::chrono::seconds(10));
    work(*group);
  };
  auto other = std::async(std::launch::async, rank, 1);
  rank(0);
  other.get();
}

TEST(DataParallelGroup, AllReduceSumsEveryTensorAcrossBucketsAndDtypes) {
  onTwoRanks([](DataParallel& group) {
    const float r = static_cast<float>(group.rank());
    // Over 25 MB in all, so the floats fill more than one bucket; a double tensor in between
    // starts a bucket of its own.
    auto big = torch::full({4 << 20}, r + 1.0f);  // 16 MB
    auto doubles = torch::full({3}, static_cast<double>(r) * 10.0, torch::kFloat64);
    auto big2 = torch::full({3 << 20}, 2.0f * r);
    auto small = torch::arange(6, torch::kFloat32).reshape({2, 3}) * (r + 1.0f);
    // A kernel's gradient in channels-last order (strides of NHWC) keeps its order and values.
    const auto kernel = torch::arange(24, torch::kFloat32).reshape({2, 3, 2, 2});
    auto reordered = (kernel * (r + 1.0f)).contiguous(torch::MemoryFormat::ChannelsLast);
    group.allReduceSum({big, doubles, big2, small, reordered}, "test");
    EXPECT_TRUE(reordered.equal(kernel * 3.0f));
    EXPECT_TRUE(reordered.is_contiguous(torch::MemoryFormat::ChannelsLast));
    EXPECT_TRUE(big.eq(3.0f).all().item<bool>());
    EXPECT_TRUE(doubles.eq(10.0).all().item<bool>());
    EXPECT_TRUE(big2.eq(2.0f).all().item<bool>());
    EXPECT_TRUE(small.equal(torch::arange(6, torch::kFloat32).reshape({2, 3}) * 3.0f));
    EXPECT_EQ(group.sumOverRanks({1.0, r}, "test"), (std::vector<double>{2.0, 1.0}));
  });
}

// Ranks that compute on a GPU (both on the first here: one GPU is enough to check the exchange)
// sum their CUDA gradients through Gloo with the step's CPU counts in the same call.
TEST(DataParallelGroup, CudaAndCpuTensorsAreSummedInOneCall) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device here";
  onTwoRanks([](DataParallel& group) {
    const float r = static_cast<float>(group.rank());
    auto counts = torch::full({4}, r + 1.0f);
    auto gradient = torch::full({1000}, 2.0f * r, torch::Device(torch::kCUDA, 0));
    group.allReduceSum({counts, gradient}, "test");
    EXPECT_TRUE(counts.eq(3.0f).all().item<bool>());
    EXPECT_TRUE(gradient.is_cuda());
    EXPECT_TRUE(gradient.eq(2.0f).all().item<bool>());
  });
}

TEST(DataParallelGroup, BroadcastGivesEveryRankRankZerosValues) {
  onTwoRanks([](DataParallel& group) {
    auto weights = torch::full({5}, static_cast<float>(group.rank() + 7));
    auto transposed = torch::full({3, 2}, static_cast<float>(group.rank())).t();  // not contiguous
    group.broadcastFromRankZero({weights, transposed}, "test");
    EXPECT_TRUE(weights.eq(7.0f).all().item<bool>());
    EXPECT_TRUE(transposed.eq(0.0f).all().item<bool>());
  });
}

}  // namespace
}  // namespace graft
