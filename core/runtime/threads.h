#pragma once

namespace graft {

// LibTorch starts with one intra-op thread on this platform; use every core instead.
// Returns the thread count now in effect.
int useAllCoresForTorch();

}  // namespace graft
