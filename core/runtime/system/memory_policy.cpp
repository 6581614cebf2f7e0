#include "runtime/system/memory_policy.h"

#include <malloc.h>

#include <cstddef>
#include <cstdlib>
#include <string>

namespace graft {

// Why: glibc serves a block of 128 KiB or more (up to 32 MiB as it adapts; always above that)
// with its own mmap and unmaps it when freed, and trims the heap top past 128 KiB. A training
// step allocates and frees every activation and gradient — tensors of 0.1 to 130 MiB — so each
// step mapped fresh pages and took a page fault for every 4 KiB it touched: perf on the 2-core
// machine, MobileNet alpha 0.25 at 96 px, 30 % of the run in the kernel's page-fault handler;
// 4.9 images/s on the cut VGG16 at 128 px. With the heap serving every size and keeping what
// is freed: MobileNet 96 px 200 -> 500 images/s, VGG16 4.9 -> 31 (README, Performance).
// PyTorch keeps freed memory for reuse the same way on the GPU (its caching allocator).
void keepFreedMemoryForReuse() {
  const char* optOut = std::getenv("GRAFT_GLIBC_MALLOC_DEFAULTS");
  if (optOut && std::string(optOut) == "1") return;
  mallopt(M_MMAP_MAX, 0);  // every size from the heaps, so freed blocks are reused
  mallopt(M_TRIM_THRESHOLD, kKeptFreeTopBytes);
}

void releaseKeptMemory() {
  malloc_trim(0);
}

}  // namespace graft
