#include "cli/interrupt.h"

#include <csignal>

namespace graft::cli {

namespace {

// A signal handler may only touch lock-free atomics: one flag for the whole process.
std::atomic<bool> interrupted{false};

extern "C" void onInterrupt(int) {
  interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);
}

}  // namespace

InterruptScope::InterruptScope() {
  interrupted.store(false);
  std::signal(SIGINT, onInterrupt);
}

InterruptScope::~InterruptScope() {
  std::signal(SIGINT, SIG_DFL);
}

const std::atomic<bool>* InterruptScope::flag() {
  return &interrupted;
}

}  // namespace graft::cli
