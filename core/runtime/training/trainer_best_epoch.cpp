#include "runtime/training/trainer_best_epoch.h"

namespace graft {

bool BestEpoch::endEpoch(int epoch, double monitored, const WeightStore& weights) {
  if (monitored < loss_) {
    loss_ = monitored;
    epoch_ = epoch;
    if (restoreBest_) weights_ = weights;
  }
  return earlyStopping_.endEpoch(monitored);
}

std::optional<int> BestEpoch::epochToRestore(int lastEpoch) const {
  if (!restoreBest_ || weights_.empty() || epoch_ == lastEpoch) return std::nullopt;
  return epoch_;
}

}  // namespace graft
