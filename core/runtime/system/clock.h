#pragma once
// Timing of runs, epochs and passes on the steady clock (never the wall clock: a clock change
// during a run must not show as a negative or huge duration).
#include <chrono>

namespace graft {

inline double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace graft
