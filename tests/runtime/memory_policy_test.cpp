#include <gtest/gtest.h>
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>

#include "runtime/system/memory_policy.h"

namespace graft {
namespace {

long minorPageFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// A training step whose activations and gradients are 64 MiB tensors (a 32-channel convolution
// of a batch of 32 at 128 px, as in VGG16's first block): glibc maps a block that large afresh
// and unmaps it when freed unless told otherwise. Returns the page faults the step took.
long faultsOfOneTrainingStep(torch::nn::Sequential& net, const torch::Tensor& batch) {
  const long before = minorPageFaults();
  net->zero_grad();
  net->forward(batch).mean().backward();
  return minorPageFaults() - before;
}

constexpr long kPagesOf64MiB = (64 << 20) / 4096;

struct MemoryPolicy : ::testing::Test {
  MemoryPolicy() {
    torch::manual_seed(1);
    keepFreedMemoryForReuse();
  }
  torch::nn::Sequential net{torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 32, 3).padding(1)),
                            torch::nn::ReLU(), torch::nn::Conv2d(32, 1, 1)};
  torch::Tensor batch = torch::rand({32, 3, 128, 128});
};

// The next step reuses the memory the last one freed: without the policy every step takes a
// page fault per 4 KiB of its large tensors (4 of them here: 65 536 faults).
TEST_F(MemoryPolicy, ATrainingStepReusesTheMemoryOfTheStepBefore) {
  // The heap grows to hold a step; how many steps that takes depends on where earlier
  // allocations left free blocks (an aligned block asks for a little more than the one freed
  // before it), so a few steps warm up, as a run's first batches do.
  for (int step = 0; step < 4; ++step) faultsOfOneTrainingStep(net, batch);
  // Then the steady state: a step of the next few that faults hardly at all (where the heap
  // settles depends on the process: under ctest the fifth step still faulted 32 MiB in).
  long fewest = faultsOfOneTrainingStep(net, batch);
  for (int step = 0; step < 4; ++step)
    fewest = std::min(fewest, faultsOfOneTrainingStep(net, batch));
  EXPECT_LT(fewest, kPagesOf64MiB / 10);
}

// When a run ends the kept memory goes back to the system: the next step faults anew.
TEST_F(MemoryPolicy, ReleasingKeptMemoryHandsItBack) {
  faultsOfOneTrainingStep(net, batch);
  faultsOfOneTrainingStep(net, batch);
  releaseKeptMemory();
  EXPECT_GT(faultsOfOneTrainingStep(net, batch), kPagesOf64MiB);
}

}  // namespace
}  // namespace graft
