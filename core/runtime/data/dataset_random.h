#pragma once
// Seeded randomness for data handling (splits, shuffles, augmentation). The standard library's
// distributions are implementation-defined, so the same seed could give another split after a
// compiler upgrade; these helpers fix the arithmetic. Every stream is derived from the run's
// seed and what it is for (epoch, sample), never from thread timing, so a run with N worker
// threads sees exactly what a run with one sees.
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace graft {

// SplitMix64's finaliser: a good 64-bit mix for deriving independent seeds.
inline uint64_t mixSeed(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A seed for one purpose, e.g. deriveSeed(runSeed, epoch, sampleIndex).
inline uint64_t deriveSeed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  return mixSeed(mixSeed(mixSeed(seed) ^ a) ^ b);
}

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n); n > 0. Modulo bias is below 2^-40 for any n used here.
  uint64_t below(uint64_t n) { return engine_() % n; }
  // Uniform in [0, 1) with 53 bits.
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  bool coin() { return (engine_() >> 63) != 0; }

  // Fisher-Yates.
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace graft
