#include "cli/interrupt.h"

#include <csignal>

namespace graft::cli {

namespace {

// A signal handler may only touch lock-free atomics: one flag for the whole process.
std::atomic<bool> interrupted{false};

extern "C" void onInterrupt(int) {
  interrupted.store(true);
  onStopSignals(SIG_DFL);  // the second one ends the process at once
}

}  // namespace

void onStopSignals(void (*handler)(int)) {
  std::signal(SIGINT, handler);
  std::signal(SIGTERM, handler);
}

InterruptScope::InterruptScope() {
  interrupted.store(false);
  onStopSignals(onInterrupt);
}

InterruptScope::~InterruptScope() {
  onStopSignals(SIG_DFL);
}

const std::atomic<bool>* InterruptScope::flag() {
  return &interrupted;
}

}  // namespace graft::cli
