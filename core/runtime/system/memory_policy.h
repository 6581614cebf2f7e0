#pragma once

namespace graft {

// Keeps memory a program frees for its next allocation of the same size instead of handing it
// back to the kernel at once (memory_policy.cpp says why). Process-wide and idempotent: call it
// in main() and where a run starts; trainModel does. GRAFT_GLIBC_MALLOC_DEFAULTS=1 in the
// environment leaves glibc's defaults (to measure the difference, or to hold less memory).
void keepFreedMemoryForReuse();

// Free memory a heap may keep at its top before glibc returns it (M_TRIM_THRESHOLD): above a
// large training step's working set (VGG16's first blocks at 128 px, batch 32: about 1 GiB of
// activations and gradients), so steps reuse it.
constexpr int kKeptFreeTopBytes = 1 << 30;

// Hands the free memory kept at the top of the heaps back to the kernel: where a long run ends
// and the program goes on (the GUI after training).
void releaseKeptMemory();

}  // namespace graft
