#pragma once
// Ctrl-C during a long run (train, run) asks it to stop at the next batch boundary, so the
// checkpoint of the last completed epoch stays. A second Ctrl-C kills the process as usual.
#include <atomic>

namespace graft::cli {

// While an InterruptScope lives, SIGINT sets flag() instead of ending the process.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  // Set by SIGINT while a scope lives (false before the first one).
  static const std::atomic<bool>* flag();
};

}  // namespace graft::cli
