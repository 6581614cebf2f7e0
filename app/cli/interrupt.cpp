#include "cli/interrupt.h"

#include <csignal>

namespace graft::cli {

namespace {

// A signal handler may only touch lock-free atomics: one flag for the whole process.
std::atomic<bool> interrupted{false};

extern "C" void onInterrupt(int signalNumber) {
  interrupted.store(true);
  std::signal(signalNumber, SIG_DFL);  // the second one ends the process at once
}

// Whether the process was started with the signal ignored (a background job of a
// non-interactive shell ignores SIGINT, nohup-like launchers SIGTERM): it stays ignored.
bool ignored(int signalNumber) {
  struct sigaction now {};
  return sigaction(signalNumber, nullptr, &now) == 0 && now.sa_handler == SIG_IGN;
}

}  // namespace

void onStopSignals(void (*handler)(int)) {
  for (const int signalNumber : {SIGINT, SIGTERM})
    if (!ignored(signalNumber)) std::signal(signalNumber, handler);
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
