#include "runtime/training/trainer_schedule.h"

#include <c10/util/MathConstants.h>

#include <algorithm>
#include <cmath>

#include "graph/diagnostic.h"

namespace graft {

ScheduleKind scheduleFromName(const std::string& name) {
  if (name == "constant") return ScheduleKind::Constant;
  if (name == "step") return ScheduleKind::Step;
  if (name == "cosine") return ScheduleKind::Cosine;
  if (name == "plateau") return ScheduleKind::Plateau;
  throw Error(Diagnostic{"--schedule", "unknown schedule '" + name +
                                           "' (choose from constant, step, cosine, plateau)"});
}

std::string scheduleName(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::Constant:
      return "constant";
    case ScheduleKind::Step:
      return "step";
    case ScheduleKind::Cosine:
      return "cosine";
    case ScheduleKind::Plateau:
      return "plateau";
  }
  return "?";
}

LearningRateSchedule::LearningRateSchedule(double initial, const ScheduleOptions& options,
                                           int64_t totalSteps)
    : initial_(initial), options_(options), totalSteps_(totalSteps), plateauRate_(initial) {
  if (options_.kind == ScheduleKind::Step && options_.stepEpochs < 1)
    throw Error(Diagnostic{"--step-epochs", "must be at least 1"});
  if ((options_.kind == ScheduleKind::Step || options_.kind == ScheduleKind::Plateau) &&
      !(options_.factor > 0.0 && options_.factor < 1.0))
    throw Error(Diagnostic{"--lr-factor", "must be between 0 and 1 (exclusive), got " +
                                              std::to_string(options_.factor)});
}

double LearningRateSchedule::rate(int epoch, int64_t step) const {
  switch (options_.kind) {
    case ScheduleKind::Constant:
      return initial_;
    case ScheduleKind::Step:
      return initial_ * std::pow(options_.factor, (epoch - 1) / options_.stepEpochs);
    case ScheduleKind::Cosine: {
      // Keras CosineDecay: initial * ((1 - alpha) * 0.5 * (1 + cos(pi * t)) + alpha).
      const double alpha = std::min(options_.minLearningRate / initial_, 1.0);
      const double t = std::min(
          static_cast<double>(step) / static_cast<double>(std::max<int64_t>(totalSteps_, 1)), 1.0);
      return initial_ * ((1.0 - alpha) * 0.5 * (1.0 + std::cos(c10::pi<double> * t)) + alpha);
    }
    case ScheduleKind::Plateau:
      return plateauRate_;
  }
  return initial_;
}

bool LearningRateSchedule::endEpoch(double monitored) {
  if (options_.kind != ScheduleKind::Plateau) return false;
  // Keras ReduceLROnPlateau (mode min, cooldown 0).
  if (monitored < best_ - options_.minDelta) {
    best_ = monitored;
    wait_ = 0;
    return false;
  }
  if (++wait_ < options_.patience) return false;
  wait_ = 0;
  const double lowered = std::max(plateauRate_ * options_.factor, options_.minLearningRate);
  const bool changed = lowered < plateauRate_;
  plateauRate_ = lowered;
  return changed;
}

bool EarlyStopping::endEpoch(double monitored) {
  // Keras EarlyStopping (mode min): an improvement is a drop of more than min_delta.
  improvedLast_ = monitored < best_ - options_.minDelta;
  if (improvedLast_) {
    best_ = monitored;
    wait_ = 0;
    return false;
  }
  return options_.patience > 0 && ++wait_ >= options_.patience;
}

}  // namespace graft
