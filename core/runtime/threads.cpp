#include "runtime/threads.h"

#include <ATen/Parallel.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace graft {

namespace {

// Marks the environment of a program that usePassiveOpenMpWait started again, so that it (and
// the programs it starts) can tell Graft's choice from the user's.
constexpr const char* kChosenMarker = "GRAFT_OMP_WAIT_POLICY_CHOSEN";

}  // namespace

int useAllCoresForTorch() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  at::set_num_threads(static_cast<int>(cores));
  return at::get_num_threads();
}

// Why: libgomp (LibTorch's OpenMP) makes a thread that reaches the end of a parallel region spin
// for ~300 000 iterations (about 3 ms) before it sleeps. A training step of a small network
// (MobileNet alpha 0.25) runs thousands of short parallel regions, and on a machine whose cores
// are shared (other programs, Graft's own loader threads) the thread a region waits for is often
// not running: the waiting ones spin on the core it needs. perf on the 2-core development
// machine at load 6: 76 % of a MobileNet 96 px training run was libgomp spinning, 11.9 images/s;
// with OMP_WAIT_POLICY=PASSIVE 40.6 images/s (README, Performance).
// Why by exec: libgomp reads its environment once, in its library initialiser, before main();
// a setenv() from main() is too late, and one from the executable's .preinit_array is lost when
// libc sets up the environment afterwards (tried: libgomp still spun). There is no call to
// change the policy later. Starting the program again costs one more load of the libraries.
void usePassiveOpenMpWait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (std::getenv(kChosenMarker)) return;  // never loop, whatever happened to the variable
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0 || setenv(kChosenMarker, "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): go on with OpenMP's defaults.
  unsetenv("OMP_WAIT_POLICY");
  unsetenv(kChosenMarker);
}

bool openMpWaitPolicyChosenByGraft() {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  return std::getenv(kChosenMarker) && policy && std::strcmp(policy, "PASSIVE") == 0;
}

}  // namespace graft
