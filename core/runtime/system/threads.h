#pragma once

namespace graft {

// The cores this process may run on: its CPU affinity (taskset, a container's CPU set), else
// every core the machine has.
int usableCores();

// LibTorch starts with one intra-op thread on this platform; use every usable core instead.
// Returns the thread count now in effect.
int useAllCoresForTorch();

// The spin count Graft gives OpenMP (GOMP_SPINCOUNT): threads.cpp says why.
constexpr const char* kGraftOpenMpSpinCount = "1000";

// Call first thing in main(), before any thread starts. When the environment names no OpenMP
// wait policy (OMP_WAIT_POLICY, GOMP_SPINCOUNT), runs the program again in place (execv of
// /proc/self/exe, same arguments) with GOMP_SPINCOUNT=kGraftOpenMpSpinCount, so that LibTorch's
// OpenMP threads spin only briefly at the end of a parallel region before they sleep. Returns
// normally when nothing needed doing, or when the exec failed (the run then goes on with
// OpenMP's defaults). A user's own choice is left as it is.
void useShortOpenMpSpin(char** argv);

// True when GOMP_SPINCOUNT in this process's environment is Graft's choice (from
// useShortOpenMpSpin), not the user's: a program started from here that should run as the
// user runs it (the benchmark's PyTorch side) gets the variable removed.
bool openMpWaitChosenByGraft();

}  // namespace graft
