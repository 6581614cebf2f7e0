#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "runtime/system/threads.h"
#include "support/test_support.h"

namespace graft {
namespace {

TEST(Threads, TorchUsesEveryCore) {
  EXPECT_EQ(useAllCoresForTorch(),
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

// taskset or a container's CPU set limits the threads: one core, one thread.
TEST(Threads, TorchUsesOnlyTheCoresTheProcessMayRunOn) {
  cpu_set_t all;
  ASSERT_EQ(sched_getaffinity(0, sizeof(all), &all), 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &all)) {
      CPU_SET(cpu, &one);
      break;
    }
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  const int cores = usableCores();
  const int threads = useAllCoresForTorch();
  sched_setaffinity(0, sizeof(all), &all);
  useAllCoresForTorch();
  EXPECT_EQ(cores, 1);
  EXPECT_EQ(threads, 1);
}

std::string thisProgram() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string();
}

const char* const kChildFilter = "--gtest_filter=Threads.OpenMpSpinChild";

// Runs only inside the programs the next tests start: what a main() calling
// useShortOpenMpSpin sees.
TEST(Threads, OpenMpSpinChild) {
  if (!std::getenv("GRAFT_THREADS_TEST_CHILD")) GTEST_SKIP() << "started by the tests below";
  const std::string self = thisProgram();
  std::vector<char*> argv{const_cast<char*>(self.c_str()), const_cast<char*>(kChildFilter),
                          nullptr};
  useShortOpenMpSpin(argv.data());
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  const char* spin = std::getenv("GOMP_SPINCOUNT");
  std::printf("policy=%s spin=%s chosen=%d\n", policy ? policy : "unset", spin ? spin : "unset",
              openMpWaitChosenByGraft() ? 1 : 0);
}

// The last spin count libgomp reported (OMP_DISPLAY_ENV, once per program start).
std::string lastSpinCount(const std::string& err) {
  const std::string key = "GOMP_SPINCOUNT = '";
  const auto at = err.rfind(key);
  if (at == std::string::npos) return "";
  return err.substr(at + key.size(), err.find('\'', at + key.size()) - at - key.size());
}

// Without a user's choice the program starts again with GOMP_SPINCOUNT=1000, and libgomp then
// spins 1000 times, not its default 300 000 (threads.cpp: long spinning made a loaded machine's
// MobileNet training 3x slower; no spinning cost a quiet one 16 %).
TEST(Threads, ShortOpenMpSpinStartsTheProgramAgainWithAShortSpin) {
  const auto r = test::runProgram(thisProgram(), {kChildFilter},
                                  {"GRAFT_THREADS_TEST_CHILD=1", "OMP_DISPLAY_ENV=verbose",
                                   "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "GRAFT_OMP_WAIT_CHOSEN"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("policy=unset spin=1000 chosen=1"), std::string::npos) << r.out;
  EXPECT_EQ(lastSpinCount(r.err), "1000") << r.err;
}

// A user's own policy stays, and the program is not started again.
TEST(Threads, ShortOpenMpSpinKeepsTheUsersPolicy) {
  const auto r =
      test::runProgram(thisProgram(), {kChildFilter},
                       {"GRAFT_THREADS_TEST_CHILD=1", "OMP_DISPLAY_ENV=verbose",
                        "OMP_WAIT_POLICY=PASSIVE", "GOMP_SPINCOUNT", "GRAFT_OMP_WAIT_CHOSEN"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("policy=PASSIVE spin=unset chosen=0"), std::string::npos) << r.out;
  EXPECT_EQ(lastSpinCount(r.err), "0") << r.err;
}

}  // namespace
}  // namespace graft
