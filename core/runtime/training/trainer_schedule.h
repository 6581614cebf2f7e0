#pragma once
// Learning-rate schedules and early stopping with the rules of Keras's own (CosineDecay,
// ReduceLROnPlateau, EarlyStopping; the step schedule is ExponentialDecay with staircase=True
// and one decay per `stepEpochs` epochs), so settings carried over from Keras behave the same.
#include <cstdint>
#include <limits>
#include <string>

namespace graft {

enum class ScheduleKind { Constant, Step, Cosine, Plateau };

// "constant", "step", "cosine", "plateau"; throws graft::Error naming the value and the choices.
ScheduleKind scheduleFromName(const std::string& name);
std::string scheduleName(ScheduleKind kind);

struct ScheduleOptions {
  ScheduleKind kind = ScheduleKind::Constant;
  int stepEpochs = 10;           // step: multiply by `factor` every this many epochs
  double factor = 0.1;           // step and plateau
  int patience = 10;             // plateau: epochs without improvement before reducing (Keras: 10)
  double minDelta = 1e-4;        // plateau: smaller improvements do not count (Keras: 1e-4)
  double minLearningRate = 0.0;  // plateau floor; cosine's final rate (Keras's alpha * initial)
};

class LearningRateSchedule {
 public:
  // totalSteps: batches in the whole run (cosine decays over them).
  LearningRateSchedule(double initial, const ScheduleOptions& options, int64_t totalSteps);

  // The rate for the batch about to run: `epoch` 1-based, `step` 0-based over the run.
  double rate(int epoch, int64_t step) const;
  // After each epoch, with the monitored loss (validation loss, else training loss). Returns
  // true when the plateau rule lowered the rate.
  bool endEpoch(double monitored);

 private:
  double initial_;
  ScheduleOptions options_;
  int64_t totalSteps_;
  double plateauRate_;
  double best_ = std::numeric_limits<double>::infinity();
  int wait_ = 0;
};

struct EarlyStoppingOptions {
  int patience = 0;  // epochs without improvement before stopping; 0: never stop early
  double minDelta = 0.0;
  bool restoreBest = false;  // end with the best epoch's weights rather than the last's
};

class EarlyStopping {
 public:
  explicit EarlyStopping(const EarlyStoppingOptions& options) : options_(options) {}
  // After each epoch. Returns true when the run should stop.
  bool endEpoch(double monitored);
  bool improvedLast() const { return improvedLast_; }

 private:
  EarlyStoppingOptions options_;
  double best_ = std::numeric_limits<double>::infinity();
  int wait_ = 0;
  bool improvedLast_ = false;
};

}  // namespace graft
