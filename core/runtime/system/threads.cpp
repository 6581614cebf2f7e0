#include "runtime/system/threads.h"

#include <ATen/Parallel.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace graft {

namespace {

// Marks the environment of a program that useShortOpenMpSpin started again, so that it (and
// the programs it starts) can tell Graft's choice from the user's.
constexpr const char* kChosenMarker = "GRAFT_OMP_WAIT_CHOSEN";

}  // namespace

int usableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int useAllCoresForTorch() {
  at::set_num_threads(usableCores());
  return at::get_num_threads();
}

// Why: libgomp (LibTorch's OpenMP) by default makes a thread that reaches the end of a parallel
// region spin for ~300 000 iterations (about 3 ms) before it sleeps. A training step of a small
// network (MobileNet alpha 0.25) runs thousands of short parallel regions, and on a machine whose
// cores are shared (other programs, Graft's own loader threads) the thread a region waits for is
// often not running: the waiting ones spin on the core it needs. perf on the 2-core development
// machine at load 6: 76 % of a MobileNet 96 px training run was libgomp spinning, 11.9 images/s;
// with OMP_WAIT_POLICY=PASSIVE 40.6 images/s (README, Performance). But sleeping at once costs
// a quiet machine: every region then wakes its threads through the kernel (MobileNet 96 px,
// quiet: 480 images/s passive, 569 spinning). A short spin of 1000 iterations keeps both: 545
// quiet, and at load 6 110 images/s (passive 105, libgomp's default 300 000 iterations 35).
// Why by exec: libgomp reads its environment once, in its library initialiser, before main();
// a setenv() from main() is too late, and one from the executable's .preinit_array is lost when
// libc sets up the environment afterwards (tried: libgomp still spun). There is no call to
// change the policy later. Starting the program again costs one more load of the libraries.
void useShortOpenMpSpin(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (std::getenv(kChosenMarker)) return;  // never loop, whatever happened to the variable
  if (setenv("GOMP_SPINCOUNT", kGraftOpenMpSpinCount, 1) != 0 || setenv(kChosenMarker, "1", 1) != 0)
    return;
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): go on with OpenMP's defaults.
  unsetenv("GOMP_SPINCOUNT");
  unsetenv(kChosenMarker);
}

bool openMpWaitChosenByGraft() {
  const char* spin = std::getenv("GOMP_SPINCOUNT");
  return std::getenv(kChosenMarker) && spin && std::strcmp(spin, kGraftOpenMpSpinCount) == 0;
}

}  // namespace graft
