#pragma once
// Which epoch of a run was the best (the lowest monitored loss: validation loss, else training
// loss), its weights when the run is to end with them (EarlyStoppingOptions::restoreBest), and
// early stopping on the same numbers: what a run looks back on after each epoch to decide
// whether to go on and what to return. No LibTorch.
#include <limits>
#include <optional>

#include "graph/weights.h"
#include "runtime/training/trainer_schedule.h"

namespace graft {

class BestEpoch {
 public:
  explicit BestEpoch(const EarlyStoppingOptions& options)
      : restoreBest_(options.restoreBest), earlyStopping_(options) {}

  // After each completed epoch, with its monitored loss and weights. Returns true when early
  // stopping says the run should stop.
  bool endEpoch(int epoch, double monitored, const WeightStore& weights);

  std::optional<int> epoch() const { return epoch_; }
  // The best epoch when the run is to end with its weights and `lastEpoch` is not it.
  std::optional<int> epochToRestore(int lastEpoch) const;
  const WeightStore& weights() const { return weights_; }  // empty unless restoreBest

 private:
  bool restoreBest_;
  EarlyStopping earlyStopping_;
  double loss_ = std::numeric_limits<double>::infinity();
  std::optional<int> epoch_;
  WeightStore weights_;
};

}  // namespace graft
