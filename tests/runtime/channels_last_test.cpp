// Channels-last memory order (#23's --channels-last): a module computes the same numbers in
// either order for every zoo family, forward and backward; `auto` is on where it was measured to
// help; a training run in either order ends alike and says which it used.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "io/zoo/zoo.h"
#include "runtime/module/graph_module.h"
#include "runtime/system/device.h"
#include "runtime/training/trainer.h"
#include "runtime_test_util.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

TEST(ChannelsLast, ChoiceNamesRoundTrip) {
  for (const std::string& name : channelsLastNames())
    EXPECT_EQ(channelsLastName(*parseChannelsLast(name)), name);
  EXPECT_FALSE(parseChannelsLast("yes"));
  EXPECT_FALSE(parseChannelsLast("On"));
}

Graph smallZooGraph(const std::string& architecture) {
  zoo::ZooOptions options;
  options.architecture = architecture;
  options.includeTop = false;
  options.pooling = "avg";
  options.inputSize = zoo::minimumInputSize(architecture);
  return zoo::buildGraph(options);
}

// Only the strides change: every layer of the zoo gives the same outputs (to float rounding:
// oneDNN sums in another order), and the weights read back are the very same values. (Training
// mode is checked below on gradients and a whole run: at these small sizes batch statistics
// amplify rounding, a 1e-7 nudge of the input moves a deep network's outputs by 1e-2 there.)
TEST(ChannelsLast, EveryZooFamilyComputesTheSameInEitherOrder) {
  std::set<std::string> families;
  for (const std::string& architecture : zoo::architectures()) {
    if (!families.insert(zoo::familyOf(architecture)).second) continue;  // one per family
    const Graph graph = smallZooGraph(architecture);
    const WeightStore weights = test::randomWeights(graph, 11, -0.05f, 0.05f);
    GraphModule plain(graph, weights);
    GraphModule reordered(graph, weights);
    reordered.useChannelsLast(true);
    EXPECT_TRUE(reordered.channelsLast());
    for (const auto& p : reordered.module().parameters()) {
      if (p.dim() == 4) {
        EXPECT_TRUE(p.is_contiguous(torch::MemoryFormat::ChannelsLast)) << architecture;
      }
    }
    const int64_t size = zoo::minimumInputSize(architecture);
    const auto input = test::randomTensor({2, 3, size, size}, 3);
    const auto want = plain.forward(input);
    const auto got = reordered.forward(input);
    EXPECT_LE((got - want).abs().max().item<double>(),
              1e-4 * (1.0 + want.abs().max().item<double>()))
        << architecture;
    const std::string first = weights.layers().front();
    EXPECT_TRUE(test::allClose(test::kerasWeight(reordered.weights(), first, 0),
                               test::kerasWeight(weights, first, 0), 0))
        << architecture;
  }
}

TEST(ChannelsLast, GradientsAreTheSameAndTheOrderCanBeUndone) {
  const Graph graph = smallZooGraph("mobilenet");
  const WeightStore weights = test::randomWeights(graph, 4, -0.05f, 0.05f);
  const auto input = test::randomTensor({2, 3, 32, 32}, 8);
  std::vector<torch::Tensor> grads;
  for (bool channelsLast : {false, true}) {
    GraphModule module(graph, weights);
    module.useChannelsLast(channelsLast);
    module.train(true);
    module.forward(input).pow(2).sum().backward();
    grads.push_back(module.module().named_parameters()["conv1.kernel"].grad().clone());
  }
  EXPECT_TRUE(grads[1].is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_LE((grads[1] - grads[0]).abs().max().item<double>(),
            1e-4 * (1.0 + grads[0].abs().max().item<double>()));

  GraphModule module(graph, weights);
  module.useChannelsLast(true);
  module.useChannelsLast(false);
  EXPECT_FALSE(module.channelsLast());
  for (const auto& p : module.module().parameters()) EXPECT_TRUE(p.is_contiguous());
}

TEST(ChannelsLast, AutoIsOnWhereItWasMeasuredToHelp) {
  const ComputeDevice cpu = resolveDevice("cpu");
  const Graph withBatchNorm = smallZooGraph("resnet50");
  const Graph withoutBatchNorm = smallZooGraph("vgg16");
  EXPECT_TRUE(computesChannelsLast(ChannelsLast::Auto, cpu, Precision::Float32, withBatchNorm));
  EXPECT_FALSE(computesChannelsLast(ChannelsLast::Auto, cpu, Precision::Float32, withoutBatchNorm));
  EXPECT_TRUE(computesChannelsLast(ChannelsLast::On, cpu, Precision::Float32, withoutBatchNorm));
  EXPECT_FALSE(computesChannelsLast(ChannelsLast::Off, cpu, Precision::Float32, withBatchNorm));
  // On CUDA the tensor cores of the lower precisions take channels-last; float32 stays NCHW.
  // (The rule reads the device's kind only: no GPU is needed to check it.)
  ComputeDevice cuda;
  cuda.device = torch::Device(torch::kCUDA, 0);
  EXPECT_FALSE(computesChannelsLast(ChannelsLast::Auto, cuda, Precision::Float32, withBatchNorm));
  EXPECT_TRUE(
      computesChannelsLast(ChannelsLast::Auto, cuda, Precision::BFloat16, withoutBatchNorm));
}

struct FirstEventRecorder : TrainObserver {
  void onStart(const TrainStartEvent& e) override { start = e; }
  TrainStartEvent start;
};

TEST(ChannelsLast, ATrainingRunInEitherOrderEndsAlikeAndSaysWhichItUsed) {
  test::TempDir dir;
  test::drawColourFolder(dir.path() / "data", {"blue_ish", "green_ish", "red_ish"}, {12, 12, 12},
                         16);
  const TrainingSet data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  TrainOptions options = test::quickCpuRun();
  options.epochs = 2;
  std::vector<TrainResult> results;
  std::vector<TrainStartEvent> starts;
  for (ChannelsLast order : {ChannelsLast::Off, ChannelsLast::On, ChannelsLast::Auto}) {
    options.channelsLast = order;
    FirstEventRecorder events;
    results.push_back(trainModel(test::tinyModel(3), data, options, &events));
    ASSERT_EQ(results.back().status, TrainStatus::Completed) << results.back().message;
    starts.push_back(events.start);
  }
  EXPECT_FALSE(starts[0].channelsLast);
  EXPECT_TRUE(starts[1].channelsLast);
  EXPECT_TRUE(starts[2].channelsLast);  // the tiny model has BatchNormalization
  EXPECT_NE(computesOn(starts[1]).find(", channels-last"), std::string::npos)
      << computesOn(starts[1]);
  EXPECT_EQ(computesOn(starts[0]).find("channels-last"), std::string::npos)
      << computesOn(starts[0]);
  EXPECT_NEAR(*results[1].history.back().valLoss, *results[0].history.back().valLoss, 1e-4);
  EXPECT_TRUE(test::allClose(test::kerasWeight(results[1].model.weights, "conv1", 0),
                             test::kerasWeight(results[0].model.weights, "conv1", 0), 1e-4));
}

}  // namespace
}  // namespace graft
