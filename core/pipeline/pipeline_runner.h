#pragma once
// Running a pipeline: its steps in order (load, recipe, train, save, exports, eval), then its
// checks. It is the one chain from a model to its results: `graft-cli run` runs a pipeline
// file, `graft-cli train`, `eval` and `export` a pipeline of the model and their one step. A
// step that fails stops the steps after it (they and the checks are reported as skipped); a
// failed check does not stop the other checks.
#include <atomic>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"
#include "runtime/prediction/eval_report.h"
#include "runtime/training/trainer.h"
#include "runtime/training/training_advisor.h"

namespace graft {

enum class StepStatus { Passed, Failed, Error, Skipped };
std::string stepStatusName(StepStatus status);  // "passed", "failed", "error", "skipped"

struct StepResult {
  bool isCheck = false;  // a check (pass/fail) rather than a step (ok/error)
  std::string name;      // "train", "export onnx model.onnx", "val_accuracy >= 0.9"
  StepStatus status = StepStatus::Passed;
  std::string message;  // what happened: the measured value, or why it failed
  double seconds = 0.0;
  std::exception_ptr error;  // a step in error: what it threw (a front end may rethrow it)
};

struct PipelineResult {
  std::vector<StepResult> steps;  // steps first, then checks, in the pipeline's order
  // What the steps made, for a front end to show.
  std::optional<TrainResult> training;  // a completed training
  // The advisor's warnings before the training step's run (TrainRun::warnings), once it was set
  // up, also when it then failed.
  std::optional<std::vector<PlanWarning>> trainingWarnings;
  // The training doctor's findings of the training step, also when it failed.
  std::vector<Diagnosis> trainingDiagnoses;
  std::vector<ExportReport> exports;  // the exports' checks, in the pipeline's order
  std::optional<EvalReport> evaluation;
  bool passed() const;  // every step ran and every check passed
  size_t count(StepStatus status) const;
  // {"passed": bool, "steps": [{"name", "check", "status", "message", "seconds"}]}, and once
  // the training step was set up its "warnings" and "diagnoses"
  // (runtime/training/training_findings_json.h).
  Json toJson() const;
};

// A training metric of a pipeline's checks ("accuracy", "loss", "val_accuracy", "val_loss") of
// the epoch the trained model holds (modelEpoch). Throws graft::Error, saying why, when there
// is no such figure: no validation images, or training figures of the weights the run started
// from (a run that kept them: they were never trained on).
double trainedFigure(const TrainResult& trained, const std::string& metric);

class TrainRun;
struct TrainingSetup;

class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void onStepStart(const std::string& /*name*/, bool /*isCheck*/) {}
  virtual void onStepEnd(const StepResult&) {}
  virtual void onNote(const std::string&) {}  // loader and recipe notes
  // What makes a result mean nothing though the step succeeded (an evaluation of layers that
  // hold random weights, graph/untrained_layers.h): by default a note "warning: ...". A front
  // end that silences notes should still show it.
  virtual void onWarning(const std::string& text) { onNote("warning: " + text); }
  // The training step, in the order the runner calls them. First its run, its spec checked,
  // before its images are read: a front end adds what is its own (TrainRun::options(): a
  // data-parallel group).
  virtual void prepareTraining(TrainRun& /*run*/) {}
  // The images read, just before the defaults are applied to the model.
  virtual void onTrainImages(const TrainingSet& /*images*/) {}
  // The defaults applied (runtime/training/training_defaults.h), before training. By default the
  // setup's summary, when it chose for the user, is a note in a pipeline's words, and each of
  // the advisor's warnings (TrainRun::warnings) a note "warning: ...".
  virtual void onTrainSetUp(const TrainRun& run, const TrainingSetup& setup);
  // Receives the training step's progress; may be null.
  virtual TrainObserver* trainObserver() { return nullptr; }
  // The training step's outcome (also when it failed or was cancelled).
  virtual void onTrainEnd(const TrainResult& /*result*/, const std::string& /*checkpoint*/) {}
};

struct PipelineRunOptions {
  // The train step's spec is checked and its images are read before the model is loaded, as a
  // step of its own ("read images DIR"), so that a mistake in them is reported before a long
  // load (graft-cli train). Off: they are part of the train step (a pipeline's list of steps).
  bool checkTrainingFirst = false;
  // The model to start from instead of loading `pipeline.model`, with the layers added since it
  // was loaded (the GUI's open document); null: the first step loads the model.
  const Model* startModel = nullptr;
  std::vector<std::string> freshLayers;
  // How errors name the train step's plan ("the plan"); empty: its file, or "FILE: train.plan".
  std::string planSource;
};

// Never throws for a failing step or check: they are in the result. `cancel` stops training
// (and the steps after it) like Ctrl-C in graft-cli train.
PipelineResult runPipeline(const Pipeline& pipeline, PipelineObserver* observer = nullptr,
                           const std::atomic<bool>* cancel = nullptr,
                           const PipelineRunOptions& options = {});

}  // namespace graft
