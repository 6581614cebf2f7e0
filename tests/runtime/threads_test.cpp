#include <gtest/gtest.h>

#include <thread>

#include "runtime/threads.h"

namespace graft {
namespace {

TEST(Threads, TorchUsesEveryCore) {
  EXPECT_EQ(useAllCoresForTorch(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace graft
