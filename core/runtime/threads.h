#pragma once

namespace graft {

// LibTorch starts with one intra-op thread on this platform; use every core instead.
// Returns the thread count now in effect.
int useAllCoresForTorch();

// Call first thing in main(), before any thread starts. When the environment names no OpenMP
// wait policy (OMP_WAIT_POLICY, GOMP_SPINCOUNT), runs the program again in place (execv of
// /proc/self/exe, same arguments) with OMP_WAIT_POLICY=PASSIVE, so that LibTorch's OpenMP
// threads sleep at once at the end of a parallel region instead of spinning (threads.cpp says
// why). Returns normally when nothing needed doing, or when the exec failed (the run then goes
// on with OpenMP's defaults). A user's own choice is left as it is.
void usePassiveOpenMpWait(char** argv);

// True when OMP_WAIT_POLICY in this process's environment is Graft's choice (from
// usePassiveOpenMpWait), not the user's: a program started from here that should run as the
// user runs it (the benchmark's PyTorch side) gets the variable removed.
bool openMpWaitPolicyChosenByGraft();

}  // namespace graft
