#pragma once
// Keras names a layer created without a name after its class, counting per class within a
// session. The zoo reproduces those names so that they match Keras's files:
//   Keras 1 and 2 (keras-applications era): conv2d_1, conv2d_2, ... (the first one is _1);
//   TF2 Keras ("today's Keras"):            add, add_1, add_2, ...  (the first one is bare).
// One AutoNames per model being built: a fresh Keras session.
#include <map>
#include <string>

namespace graft::zoo {

class AutoNames {
 public:
  enum class Style { Keras2, TfKeras };
  explicit AutoNames(Style style) : style_(style) {}

  // `base` is Keras's snake_case class name: "conv2d", "batch_normalization", "activation".
  std::string next(const std::string& base) {
    const int n = counts_[base]++;
    if (style_ == Style::Keras2) return base + "_" + std::to_string(n + 1);
    return n == 0 ? base : base + "_" + std::to_string(n);
  }

 private:
  Style style_;
  std::map<std::string, int> counts_;
};

}  // namespace graft::zoo
