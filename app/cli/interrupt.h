#pragma once
// Ctrl-C during a long run (train, run) asks it to stop at the next batch boundary, so the
// checkpoint of the last completed epoch stays and a pipeline still writes its report. SIGTERM
// (a CI job cancelled, `timeout`, systemd stopping a service) asks the same. A second signal
// ends the process as usual, unless the same process sent both within a second (GNU timeout
// signals the process and then its process group: one request).
#include <atomic>
#include <string>
#include <vector>

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

// While a TemporaryFileSweep lives, a signal that ends the process (SIGINT or SIGTERM outside
// an InterruptScope, the second one inside; SIGHUP and SIGQUIT always) first removes this process's
// temporary files (io/atomic_file.h's mark) in the folders of `files`: an export or save cut short
// left a hidden file as large as the model. Scopes do not nest; at most 8 folders.
class TemporaryFileSweep {
 public:
  explicit TemporaryFileSweep(const std::vector<std::string>& files);
  ~TemporaryFileSweep();
  TemporaryFileSweep(const TemporaryFileSweep&) = delete;
  TemporaryFileSweep& operator=(const TemporaryFileSweep&) = delete;
};

}  // namespace graft::cli
