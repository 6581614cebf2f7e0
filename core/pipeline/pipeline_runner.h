#pragma once
// Running a pipeline: its steps in order (load, recipe, train, save, exports, eval), then its
// checks, through the same core functions the graft-cli subcommands use. A step that fails
// stops the steps after it (they and the checks are reported as skipped); a failed check does
// not stop the other checks.
#include <atomic>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"
#include "runtime/training/trainer.h"

namespace graft {

enum class StepStatus { Passed, Failed, Error, Skipped };
std::string stepStatusName(StepStatus status);  // "passed", "failed", "error", "skipped"

struct StepResult {
  bool isCheck = false;  // a check (pass/fail) rather than a step (ok/error)
  std::string name;      // "train", "export onnx model.onnx", "val_accuracy >= 0.9"
  StepStatus status = StepStatus::Passed;
  std::string message;  // what happened: the measured value, or why it failed
  double seconds = 0.0;
};

struct PipelineResult {
  std::vector<StepResult> steps;  // steps first, then checks, in the pipeline's order
  bool passed() const;            // every step ran and every check passed
  size_t count(StepStatus status) const;
  Json toJson()
      const;  // {"passed": bool, "steps": [{"name", "check", "status", "message", "seconds"}]}
};

class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void onStepStart(const std::string& /*name*/, bool /*isCheck*/) {}
  virtual void onStepEnd(const StepResult&) {}
  virtual void onNote(const std::string&) {}  // loader and recipe notes
  // Receives the training step's progress; may be null.
  virtual TrainObserver* trainObserver() { return nullptr; }
  // The training step's outcome (also when it failed or was cancelled).
  virtual void onTrainEnd(const TrainResult& /*result*/, const std::string& /*checkpoint*/) {}
};

// Never throws for a failing step or check: they are in the result. `cancel` stops training
// (and the steps after it) like Ctrl-C in graft-cli train.
PipelineResult runPipeline(const Pipeline& pipeline, PipelineObserver* observer = nullptr,
                           const std::atomic<bool>* cancel = nullptr);

}  // namespace graft
