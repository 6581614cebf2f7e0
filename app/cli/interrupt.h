#pragma once
// Ctrl-C during a long run (train, run) asks it to stop at the next batch boundary, so the
// checkpoint of the last completed epoch stays and a pipeline still writes its report. SIGTERM
// (a CI job cancelled, `timeout`, systemd stopping a service) asks the same. A second signal
// ends the process as usual.
#include <atomic>

namespace graft::cli {

// While an InterruptScope lives, SIGINT and SIGTERM set flag() instead of ending the process.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  // Set by SIGINT or SIGTERM while a scope lives (false before the first one).
  static const std::atomic<bool>* flag();
};

// Installs `handler` for SIGINT and SIGTERM (SIG_DFL gives them back their default action).
void onStopSignals(void (*handler)(int));

}  // namespace graft::cli
