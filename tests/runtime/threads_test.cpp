#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "runtime/threads.h"
#include "support/test_support.h"

namespace graft {
namespace {

TEST(Threads, TorchUsesEveryCore) {
  EXPECT_EQ(useAllCoresForTorch(),
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

std::string thisProgram() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string();
}

const char* const kChildFilter = "--gtest_filter=Threads.PassiveOpenMpWaitChild";

// Runs only inside the programs the next tests start: what a main() calling
// usePassiveOpenMpWait sees.
TEST(Threads, PassiveOpenMpWaitChild) {
  if (!std::getenv("GRAFT_THREADS_TEST_CHILD")) GTEST_SKIP() << "started by the tests below";
  const std::string self = thisProgram();
  std::vector<char*> argv{const_cast<char*>(self.c_str()), const_cast<char*>(kChildFilter),
                          nullptr};
  usePassiveOpenMpWait(argv.data());
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  std::printf("policy=%s chosen=%d\n", policy ? policy : "unset",
              openMpWaitPolicyChosenByGraft() ? 1 : 0);
}

// The last spin count libgomp reported (OMP_DISPLAY_ENV, once per program start).
std::string lastSpinCount(const std::string& err) {
  const std::string key = "GOMP_SPINCOUNT = '";
  const auto at = err.rfind(key);
  if (at == std::string::npos) return "";
  return err.substr(at + key.size(), err.find('\'', at + key.size()) - at - key.size());
}

// Without a user's choice the program starts again with OMP_WAIT_POLICY=PASSIVE, and libgomp
// then spins 0 times (threads.cpp: spinning made a loaded machine's MobileNet training 3x
// slower).
TEST(Threads, PassiveOpenMpWaitStartsTheProgramAgainWithoutSpinning) {
  const auto r =
      test::runProgram(thisProgram(), {kChildFilter},
                       {"GRAFT_THREADS_TEST_CHILD=1", "OMP_DISPLAY_ENV=verbose", "OMP_WAIT_POLICY",
                        "GOMP_SPINCOUNT", "GRAFT_OMP_WAIT_POLICY_CHOSEN"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("policy=PASSIVE chosen=1"), std::string::npos) << r.out;
  EXPECT_EQ(lastSpinCount(r.err), "0") << r.err;
}

// A user's own policy stays, and the program is not started again.
TEST(Threads, PassiveOpenMpWaitKeepsTheUsersPolicy) {
  const auto r = test::runProgram(
      thisProgram(), {kChildFilter},
      {"GRAFT_THREADS_TEST_CHILD=1", "OMP_DISPLAY_ENV=verbose", "OMP_WAIT_POLICY=ACTIVE",
       "GOMP_SPINCOUNT", "GRAFT_OMP_WAIT_POLICY_CHOSEN"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("policy=ACTIVE chosen=0"), std::string::npos) << r.out;
  EXPECT_NE(lastSpinCount(r.err), "0") << r.err;
}

}  // namespace
}  // namespace graft
