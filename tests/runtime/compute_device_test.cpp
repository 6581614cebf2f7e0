// Where a run computes and in what precision: the device choice's parser, its resolution (CPU
// here; CUDA where LibTorch has it), the errors for a device this machine lacks, autocast and
// fp16's loss scaling, and a training run in bf16 on the CPU.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <set>

#include "io/zoo/zoo.h"
#include "runtime/module/graph_module.h"
#include "runtime/prediction/evaluate.h"
#include "runtime/prediction/gradcam.h"
#include "runtime/system/device.h"
#include "runtime/system/device_names.h"
#include "runtime/system/host_copy.h"
#include "runtime/training/mixed_precision.h"
#include "runtime/training/trainer.h"
#include "runtime_test_util.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

TEST(DeviceChoice, ParsesWhatLibTorchAndPyTorchCallDevices) {
  EXPECT_EQ(parseDeviceChoice("auto")->kind, DeviceChoice::Kind::Auto);
  EXPECT_EQ(parseDeviceChoice("cpu")->kind, DeviceChoice::Kind::Cpu);
  const auto cuda = parseDeviceChoice("cuda");
  ASSERT_TRUE(cuda);
  EXPECT_EQ(cuda->kind, DeviceChoice::Kind::Cuda);
  EXPECT_FALSE(cuda->index);
  const auto second = parseDeviceChoice("cuda:1");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->index, 1);
  EXPECT_EQ(deviceChoiceText(*second), "cuda:1");
  for (const char* bad : {"", "gpu", "CPU", "cuda:", "cuda:-1", "cuda:x", "cuda:1 ", "cuda:99999"})
    EXPECT_FALSE(parseDeviceChoice(bad)) << bad;
  EXPECT_EQ(deviceChoiceProblem("cuda:0"), "");
  EXPECT_EQ(deviceChoiceProblem("gpu"),
            "expected auto, cpu, cuda or cuda:N (N a device number from 0), found \"gpu\"");
}

TEST(DeviceChoice, PrecisionNamesRoundTrip) {
  for (const std::string& name : precisionNames())
    EXPECT_EQ(precisionName(*parsePrecision(name)), name);
  EXPECT_FALSE(parsePrecision("fp64"));
}

TEST(ComputeDevice, CpuIsAlwaysThereAndAutoTakesCudaOnlyWhereItIs) {
  const ComputeDevice cpu = resolveDevice("cpu");
  EXPECT_TRUE(cpu.device.is_cpu());
  EXPECT_NE(cpu.name.find("CPU"), std::string::npos) << cpu.name;
  EXPECT_FALSE(cpu.chosenByAuto);
  const ComputeDevice chosen = resolveDevice("auto");
  EXPECT_TRUE(chosen.chosenByAuto);
  EXPECT_EQ(chosen.device.is_cuda(), torch::cuda::is_available());
  const auto choices = deviceChoicesHere();
  ASSERT_GE(choices.size(), 2u);
  EXPECT_EQ(choices[0], "auto");
  EXPECT_EQ(choices[1], "cpu");
  EXPECT_EQ(choices.size() - 2, torch::cuda::is_available() ? torch::cuda::device_count() : 0);
}

TEST(ComputeDevice, CudaWithoutCudaIsAnErrorSayingWhatWasFound) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has a CUDA device";
  const std::string message = test::errorOf([] { resolveDevice("cuda"); });
  EXPECT_NE(message.find("--device"), std::string::npos) << message;
  EXPECT_NE(message.find(std::string("LibTorch ") + TORCH_VERSION), std::string::npos) << message;
  EXPECT_NE(message.find("CUDA"), std::string::npos) << message;
  EXPECT_NE(deviceDescription("cuda:0").find("none"), std::string::npos);
  EXPECT_NE(computeBackendSummary().find(TORCH_VERSION), std::string::npos);
}

TEST(ComputeDevice, ACudaDeviceNumberPastTheLastIsAnErrorCountingThem) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device here";
  const std::string message = test::errorOf([] { resolveDevice("cuda:99"); });
  EXPECT_NE(message.find("cuda:99"), std::string::npos) << message;
  EXPECT_NE(message.find("CUDA device"), std::string::npos) << message;
}

// torchrun starts one process per GPU: a rank's `cuda` is its LOCAL_RANK's GPU; `auto` only
// where every process of the machine has one (else all of them compute on the CPU alike).
TEST(ComputeDevice, ADataParallelRankTakesTheGpuOfItsLocalRank) {
  EXPECT_EQ(deviceChoiceText(rankDeviceChoice(*parseDeviceChoice("cuda"), 3, 4)), "cuda:3");
  EXPECT_EQ(deviceChoiceText(rankDeviceChoice(*parseDeviceChoice("cpu"), 3, 4)), "cpu");
  EXPECT_EQ(deviceChoiceText(rankDeviceChoice(*parseDeviceChoice("cuda:1"), 0, 1)), "cuda:1");
  // cuda:N for several processes of one machine would share one GPU.
  const std::string shared =
      test::errorOf([] { rankDeviceChoice(*parseDeviceChoice("cuda:1"), 0, 2); });
  EXPECT_NE(shared.find("--device"), std::string::npos) << shared;
  EXPECT_NE(shared.find("LOCAL_RANK"), std::string::npos) << shared;
  const int gpus = static_cast<int>(torch::cuda::device_count());
  EXPECT_EQ(deviceChoiceText(rankDeviceChoice(DeviceChoice{}, 1, 2)), gpus >= 2 ? "cuda:1" : "cpu");
  EXPECT_EQ(deviceChoiceText(rankDeviceChoice(DeviceChoice{}, 0, 1)), gpus >= 1 ? "cuda:0" : "cpu");
}

TEST(ComputeDevice, Fp16IsRefusedOnTheCpu) {
  const std::string message =
      test::errorOf([] { checkPrecisionOn(resolveDevice("cpu"), Precision::Float16); });
  EXPECT_NE(message.find("--precision"), std::string::npos) << message;
  EXPECT_NE(message.find("bf16"), std::string::npos) << message;
  EXPECT_NO_THROW(checkPrecisionOn(resolveDevice("cpu"), Precision::BFloat16));
}

TEST(MixedPrecision, AutocastComputesMatrixWorkInBfloat16OnlyInsideItsScope) {
  const auto a = torch::randn({4, 8});
  const auto b = torch::randn({8, 3});
  {
    AutocastScope autocast(torch::kCPU, Precision::BFloat16);
    EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kBFloat16);
  }
  EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat32);
  {
    AutocastScope fp32(torch::kCPU, Precision::Float32);
    EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat32);
  }
}

TEST(MixedPrecision, LossScalingSkipsOverflowedStepsAndAdaptsItsScale) {
  LossScalerOptions options;
  options.initialScale = 1024;
  options.growthInterval = 2;
  LossScaler scaler(true, options);
  auto w = torch::ones({3}, torch::requires_grad());
  scaler.scaled((w * 2).sum()).backward();
  EXPECT_TRUE(torch::allclose(w.grad(), torch::full({3}, 2048.0)));
  EXPECT_TRUE(scaler.unscale({w}));  // back to the true gradient
  EXPECT_TRUE(torch::allclose(w.grad(), torch::full({3}, 2.0)));
  scaler.update(true);
  EXPECT_EQ(scaler.scale(), 1024);
  scaler.update(true);
  EXPECT_EQ(scaler.scale(), 2048);  // two finite steps in a row

  w.mutable_grad() = torch::tensor({1.0f, std::numeric_limits<float>::infinity(), 0.0f});
  EXPECT_FALSE(scaler.unscale({w}));
  scaler.update(false);
  EXPECT_EQ(scaler.scale(), 1024);
  EXPECT_EQ(scaler.skippedSteps(), 1);

  LossScaler off(false);
  EXPECT_EQ(off.scale(), 1);
  w.mutable_grad() = torch::tensor({std::nanf(""), 1.0f, 1.0f});
  EXPECT_TRUE(off.unscale({w}));  // without fp16 the trainer's own NaN check decides
}

class DeviceTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    test::drawColourFolder(dir.path() / "data", {"blue_ish", "green_ish", "red_ish"}, {12, 12, 12},
                           16);
    data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  }
  TrainOptions options(Precision precision) const {
    TrainOptions o = test::quickCpuRun();
    o.precision = precision;
    return o;
  }
  test::TempDir dir;
  TrainingSet data;
};

struct StartRecorder : TrainObserver {
  void onStart(const TrainStartEvent& e) override { start = e; }
  TrainStartEvent start;
};

TEST_F(DeviceTraining, Bf16OnTheCpuLearnsLikeFp32AndKeepsFloat32Weights) {
  StartRecorder events;
  const TrainResult fp32 = trainModel(test::tinyModel(3), data, options(Precision::Float32));
  const TrainResult bf16 =
      trainModel(test::tinyModel(3), data, options(Precision::BFloat16), &events);
  ASSERT_EQ(bf16.status, TrainStatus::Completed) << bf16.message;
  ASSERT_EQ(fp32.status, TrainStatus::Completed) << fp32.message;
  EXPECT_EQ(events.start.precision, "bf16");
  EXPECT_NE(events.start.device.find("CPU"), std::string::npos) << events.start.device;
  // bfloat16 keeps 8 bits of mantissa: the same run, not the same numbers.
  ASSERT_EQ(bf16.history.size(), 3u);
  EXPECT_LT(bf16.history.back().loss, bf16.history.front().loss);
  EXPECT_NEAR(*bf16.history.back().valLoss, *fp32.history.back().valLoss,
              0.25 * *fp32.history.back().valLoss + 0.05);
  EXPECT_FALSE(test::sameLayer(bf16.model, test::tinyModel(3), "dense"));  // it trained
}

TEST_F(DeviceTraining, Fp16OnTheCpuAndAMissingCudaDeviceStopTheRunBeforeItStarts) {
  const std::string fp16 =
      test::errorOf([&] { trainModel(test::tinyModel(3), data, options(Precision::Float16)); });
  EXPECT_NE(fp16.find("--precision"), std::string::npos) << fp16;
  if (torch::cuda::is_available()) return;
  TrainOptions cuda = options(Precision::Float32);
  cuda.device = *parseDeviceChoice("cuda:0");
  const std::string missing = test::errorOf([&] { trainModel(test::tinyModel(3), data, cuda); });
  EXPECT_NE(missing.find("--device"), std::string::npos) << missing;
}

// Every layer of the zoo takes autocast's mixed dtypes (bfloat16 activations, float32 weights
// and statistics) in training mode too, forward and backward, and predicts about what it
// predicts in float32.
TEST(MixedPrecision, EveryZooFamilyRunsInBf16OnTheCpu) {
  std::set<std::string> families;
  for (const std::string& architecture : zoo::architectures()) {
    if (!families.insert(zoo::familyOf(architecture)).second) continue;  // one per family
    // Small and without the top: the layers are what is checked, and bfloat16 is slow on a
    // CPU without bfloat16 instructions.
    zoo::ZooOptions options;
    options.architecture = architecture;
    options.includeTop = false;
    options.pooling = "avg";
    options.inputSize = zoo::minimumInputSize(architecture);
    const Graph graph = zoo::buildGraph(options);
    const WeightStore weights = test::randomWeights(graph, 11, -0.05f, 0.05f);
    GraphModule module(graph, weights);
    const auto input = test::randomTensor({2, 3, *options.inputSize, *options.inputSize}, 3);
    const auto want = module.forward(input);
    torch::Tensor got, trained;
    {
      AutocastScope autocast(torch::kCPU, Precision::BFloat16);
      got = module.forward(input).to(torch::kFloat32);
    }
    // A scope of its own, as each of the trainer's passes has: autocast caches the weights'
    // bf16 casts for its scope, and casts made without autograd would carry no gradient.
    module.train(true);
    {
      AutocastScope autocast(torch::kCPU, Precision::BFloat16);
      trained = module.forward(input).to(torch::kFloat32);
    }
    module.train(false);
    EXPECT_TRUE(trained.isfinite().all().item<bool>()) << architecture;
    // Fine-tuning goes back through every layer in bf16 too (a layer whose backward has no
    // bfloat16 kernel fails here, not in a user's run).
    EXPECT_NO_THROW(trained.square().mean().backward()) << architecture;
    int64_t withGradient = 0;
    for (const auto& parameter : module.module().parameters())
      if (parameter.grad().defined()) {
        ++withGradient;
        EXPECT_TRUE(parameter.grad().isfinite().all().item<bool>()) << architecture;
      }
    EXPECT_GT(withGradient, 0) << architecture;
    // bfloat16 keeps about 3 significant digits, through 20 to 300 layers.
    EXPECT_LE((got - want).norm().item<double>(), 0.1 * want.norm().item<double>() + 1e-6)
        << architecture;
  }
}

// A training step's numbers and a validation batch's results reach the host through HostCopy
// and MetricsInFlight: the values they carry are the values computed, on either device.
void expectMetricsInFlightAddLikeMetrics(const torch::Device& device) {
  torch::manual_seed(5);
  ClassificationMetrics direct(3), lagged(3);
  MetricsInFlight inFlight(lagged);
  for (int batch = 0; batch < 4; ++batch) {
    const auto scores = torch::randn({7, 3});
    const auto labels = torch::randint(0, 3, {7}, torch::kInt64);
    const auto losses = torch::rand({7});
    direct.add(scores.argmax(1), labels, losses);
    inFlight.add(scores.to(device).argmax(1), labels.to(device), losses.to(device));
  }
  inFlight.finish();
  EXPECT_EQ(lagged.count(), 28);
  EXPECT_EQ(lagged.confusion(), direct.confusion());
  EXPECT_DOUBLE_EQ(lagged.meanLoss(), direct.meanLoss());
  // Work queued after the copy starts does not reach it.
  auto source = torch::arange(5, torch::TensorOptions(torch::kFloat64).device(device));
  HostCopy copy(source);
  source.mul_(-1);
  EXPECT_TRUE(copy.get().device().is_cpu());
  EXPECT_TRUE(torch::equal(copy.get(), torch::arange(5, torch::kFloat64)));
}

TEST(HostCopy, MetricsInFlightGiveTheMetricsOfEachBatchAddedAtOnce) {
  expectMetricsInFlightAddLikeMetrics(torch::kCPU);
}

TEST(HostCopy, OnCudaTheCopiedNumbersAreTheComputedOnes) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device here";
  expectMetricsInFlightAddLikeMetrics(torch::Device(torch::kCUDA, 0));
}

// The fidelity checks of the GPU issue (#23, point 7): they run where CUDA is (tests/device/
// cuda_check.sh) and skip elsewhere.
TEST(CudaFidelity, EveryZooFamilyPredictsOnCudaWhatItPredictsOnTheCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device here";
  torch::NoGradGuard noGrad;
  for (const std::string& architecture : zoo::architectures()) {
    const Graph graph = test::zooGraph(architecture);
    const WeightStore weights = test::randomWeights(graph, 11, -0.05f, 0.05f);
    GraphModule cpu(graph, weights);
    GraphModule cuda(graph, weights);
    cuda.to(torch::Device(torch::kCUDA, 0));
    const int64_t size = zoo::defaultInputSize(architecture);
    const auto input = test::randomTensor({2, 3, size, size}, 3);
    const auto want = cpu.forward(input);
    const auto got = cuda.forward(input).to(torch::kCPU);
    EXPECT_LE((got - want).abs().max().item<double>(), 1e-4) << architecture;
    // Weights read back from the device are the CPU's.
    const std::string first = weights.layers().front();
    EXPECT_TRUE(test::allClose(test::kerasWeight(cuda.weights(), first, 0),
                               test::kerasWeight(weights, first, 0), 0))
        << architecture;
  }
}

TEST(CudaFidelity, GradCamOnCudaIsTheCpusMap) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device here";
  const Graph graph = test::zooGraph("mobilenet");
  const WeightStore weights = test::randomWeights(graph, 5, -0.05f, 0.05f);
  const std::string layer = defaultGradCamLayer(graph);
  const auto input = test::randomTensor({1, 3, 224, 224}, 9);
  const GradCamResult cpu = GradCamModule(graph, weights).run(input, layer);
  const GradCamResult cuda =
      GradCamModule(graph, weights, torch::Device(torch::kCUDA, 0)).run(input, layer);
  EXPECT_TRUE(cuda.map.is_cpu());
  EXPECT_EQ(cuda.classIndex, cpu.classIndex);
  EXPECT_LE((cuda.map - cpu.map).abs().max().item<double>(), 1e-4);
}

TEST_F(DeviceTraining, TwoEpochsOnCudaEndWhereTheCpuRunEnds) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device here";
  TrainOptions cpu = options(Precision::Float32);
  cpu.epochs = 2;
  TrainOptions cuda = cpu;
  cuda.device = *parseDeviceChoice("cuda");
  StartRecorder events;
  const TrainResult onCpu = trainModel(test::tinyModel(3), data, cpu);
  const TrainResult onCuda = trainModel(test::tinyModel(3), data, cuda, &events);
  ASSERT_EQ(onCuda.status, TrainStatus::Completed) << onCuda.message;
  EXPECT_NE(events.start.device.find("cuda:0"), std::string::npos) << events.start.device;
  EXPECT_NEAR(*onCuda.history.back().valLoss, *onCpu.history.back().valLoss, 1e-3);

  // With the frozen layers' outputs cached (on the device, where they are computed).
  cpu.cacheFrozen = cuda.cacheFrozen = true;
  const TrainResult cachedCpu = trainModel(test::tinyFrozenModel(3), data, cpu);
  const TrainResult cachedCuda = trainModel(test::tinyFrozenModel(3), data, cuda);
  ASSERT_EQ(cachedCuda.status, TrainStatus::Completed) << cachedCuda.message;
  EXPECT_NEAR(*cachedCuda.history.back().valLoss, *cachedCpu.history.back().valLoss, 1e-3);
}

}  // namespace
}  // namespace graft
