#include "pipeline/pipeline_runner.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <sstream>

#include "graph/analysis.h"
#include "io/project_file.h"
#include "io/recipe.h"
#include "runtime/fusion/fuse_with_samples.h"
#include "runtime/prediction/evaluate.h"
#include "runtime/prediction/predict.h"
#include "runtime/training/train_run.h"
#include "runtime/training/trainer_checkpoint.h"
#include "runtime/training/trainer_stages.h"
#include "runtime/training/training_advisor.h"
#include "runtime/training/training_defaults.h"

namespace graft {

namespace {

std::string formatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

bool compare(double measured, CheckOp op, double expected) {
  switch (op) {
    case CheckOp::Less:
      return measured < expected;
    case CheckOp::LessEqual:
      return measured <= expected;
    case CheckOp::Greater:
      return measured > expected;
    case CheckOp::GreaterEqual:
      return measured >= expected;
    case CheckOp::Equal:
      return measured == expected;
    case CheckOp::Is:
      return false;
  }
  return false;
}

// What the steps produced, for the checks.
struct RunState {
  Model model;
  std::vector<std::string> freshLayers;  // from the loader, for a plan's "new layers"
  std::optional<TrainResult> training;
  std::vector<ExportReport> exports;
  std::optional<EvalReport> evaluation;
};

class Runner {
 public:
  Runner(const Pipeline& p, PipelineObserver* observer, const std::atomic<bool>* cancel)
      : p_(p), observer_(observer), cancel_(cancel) {}

  PipelineResult run() {
    step("load model " + p_.model.source, [&] {
      LoadedModel loaded = loadModel(p_.model);
      for (const auto& note : loaded.notes) note_(note);
      state_.model = std::move(loaded.model);
      state_.freshLayers = std::move(loaded.freshLayers);
      return std::to_string(state_.model.graph.size()) + " layers";
    });
    if (p_.recipe) step("recipe", [&] { return applyRecipeStep(); });
    if (p_.train) step("train", [&] { return trainStep(); });
    if (!p_.output.empty())
      step("save " + p_.output, [&] {
        saveTrainedModel(state_.model, p_.output);
        return "wrote " + p_.output;
      });
    for (const auto& e : p_.exports)
      step("export " + exportFormatName(e.format) + " " + e.output, [&] {
        state_.exports.push_back(exportModel(state_.model, e.format, e.output));
        return state_.exports.back().describe();
      });
    if (p_.eval) step("eval " + p_.eval->data, [&] { return evalStep(); });
    for (const auto& c : p_.checks) check(c);
    return std::move(result_);
  }

 private:
  void note_(const std::string& text) {
    if (observer_) observer_->onNote(text);
  }

  // Runs one step unless an earlier one failed; its graft::Error (or any exception) becomes the
  // step's error message.
  void step(const std::string& name, const std::function<std::string()>& body) {
    StepResult r;
    r.name = name;
    if (stopped_) {
      r.status = StepStatus::Skipped;
      r.message = "not run: an earlier step failed";
      finish(r);
      return;
    }
    if (observer_) observer_->onStepStart(name, false);
    const auto start = std::chrono::steady_clock::now();
    try {
      r.message = body();
    } catch (const std::exception& e) {
      r.status = StepStatus::Error;
      r.message = e.what();
      stopped_ = true;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    finish(r);
  }

  void check(const PipelineCheck& c) {
    StepResult r;
    r.isCheck = true;
    r.name = c.text;
    if (stopped_) {
      r.status = StepStatus::Skipped;
      r.message = "not checked: an earlier step failed";
      finish(r);
      return;
    }
    if (observer_) observer_->onStepStart(c.text, true);
    const auto start = std::chrono::steady_clock::now();
    try {
      if (c.op == CheckOp::Is) {
        checkPrediction(c, r);
      } else {
        const double measured = metric(c);
        const bool ok = compare(measured, c.op, c.value);
        r.status = ok ? StepStatus::Passed : StepStatus::Failed;
        r.message = c.metric + " is " + formatNumber(measured) +
                    (ok ? "" : ", expected " + checkOpSymbol(c.op) + " " + formatNumber(c.value));
      }
    } catch (const std::exception& e) {
      // A check that cannot be measured (no validation images, unreadable image) fails.
      r.status = StepStatus::Failed;
      r.message = e.what();
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    finish(r);
  }

  void finish(const StepResult& r) {
    result_.steps.push_back(r);
    if (observer_) observer_->onStepEnd(r);
  }

  std::string applyRecipeStep() {
    // A least-squares fusion fits to the pipeline's sample images, else to the training images.
    RecipeStepRunner steps;
    const std::string folder = p_.samples ? p_.samples->folder : p_.train ? p_.train->data : "";
    if (!folder.empty())
      steps =
          stepsWithFolderSamples(folder, p_.samples ? p_.samples->count : PipelineSamples{}.count,
                                 p_.model.inputSize.value_or(224));
    Expected<RecipeResult> edited = applyRecipe(state_.model, *p_.recipe, EditOptions{}, steps);
    if (!edited) throw Error("recipe failed:\n" + joinDiagnostics(edited.diagnostics()));
    for (const auto& note : edited->notes) note_(note);
    state_.model = edited->model;
    return std::to_string(p_.recipe->size()) + " operation(s) applied";
  }

  std::string trainStep() {
    TrainSpec spec = *p_.train;
    if (!spec.seed) spec.seed = p_.model.seed;
    if (!spec.freeInputSize && p_.model.inputSize)
      spec.freeInputSize = static_cast<int>(*p_.model.inputSize);
    TrainRun run(spec, p_.path + ": train.plan");
    run.readImages();
    const TrainingSetup& setup = run.setUp(state_.model, state_.freshLayers);
    if (setup.advisorPlan)
      note_(setup.summary + "; name epochs, lr, optimizer or a plan in \"train\" to choose");
    else if (!setup.frozenBatchNorm.empty())
      note_(setup.summary + "; \"train_batch_norm\": true trains them");
    TrainResult trained = run.run(observer_ ? observer_->trainObserver() : nullptr, cancel_);
    if (observer_) observer_->onTrainEnd(trained, spec.output);
    if (trained.status != TrainStatus::Completed) throw Error(trained.message);
    state_.model = trained.model;
    std::string message = std::to_string(trained.epochsCompleted) + " epoch(s)";
    if (!trained.history.empty() && trained.history.back().valAccuracy)
      message += ", val_accuracy " + formatNumber(*trained.history.back().valAccuracy);
    state_.training = std::move(trained);
    return message;
  }

  std::string evalStep() {
    state_.evaluation = evaluateSpec(state_.model, *p_.eval,
                                     static_cast<int>(p_.model.inputSize.value_or(0)), cancel_);
    return "accuracy " + formatNumber(state_.evaluation->accuracy) + " on " +
           std::to_string(state_.evaluation->count) + " image(s)";
  }

  const EpochEvent& lastEpoch() const {
    if (!state_.training || state_.training->history.empty())
      throw Error("training completed no epoch");
    return state_.training->history.back();
  }

  double metric(const PipelineCheck& c) const {
    const std::string& m = c.metric;
    if (m == "total_params" || m == "trainable_params" || m == "non_trainable_params") {
      const GraphAnalysis a = analyze(state_.model.graph);
      if (!a.ok()) throw Error(joinDiagnostics(a.diagnostics));
      return static_cast<double>(m == "total_params"       ? a.totalParams
                                 : m == "trainable_params" ? a.trainableParams
                                                           : a.nonTrainableParams());
    }
    if (m == "epochs") return state_.training ? state_.training->epochsCompleted : 0;
    if (m == "accuracy") return lastEpoch().accuracy;
    if (m == "loss") return lastEpoch().loss;
    if (m == "val_accuracy" || m == "val_loss") {
      const EpochEvent& e = lastEpoch();
      if (!e.valAccuracy) throw Error(m + ": the training had no validation images");
      return m == "val_accuracy" ? *e.valAccuracy : *e.valLoss;
    }
    if (m == "eval_accuracy") return state_.evaluation->accuracy;
    if (m == "eval_loss") return state_.evaluation->loss;
    if (m == "export_max_difference") {
      if (c.exportIndex) return state_.exports.at(*c.exportIndex).maxDifference;
      double largest = 0.0;
      for (const auto& e : state_.exports) largest = std::max(largest, e.maxDifference);
      return largest;
    }
    throw Error("unknown metric '" + m + "'");
  }

  void checkPrediction(const PipelineCheck& c, StepResult& r) const {
    Predictor predictor(state_.model);
    const ImagePrediction p = predictor.run({c.file}).at(0);
    if (!p.ok()) throw Error(p.error);
    if (p.top.empty()) throw Error(c.file + ": the model's output is not a class vector");
    const TopEntry& best = p.top.front();
    const std::string predicted = best.label.empty() ? std::to_string(best.index) : best.label;
    const bool ok = predicted == c.label;
    r.status = ok ? StepStatus::Passed : StepStatus::Failed;
    r.message = "predicted " + predicted + " (probability " + formatNumber(best.probability) + ")" +
                (ok ? "" : ", expected " + c.label);
  }

  const Pipeline& p_;
  PipelineObserver* observer_;
  const std::atomic<bool>* cancel_;
  RunState state_;
  PipelineResult result_;
  bool stopped_ = false;
};

}  // namespace

std::string stepStatusName(StepStatus status) {
  switch (status) {
    case StepStatus::Passed:
      return "passed";
    case StepStatus::Failed:
      return "failed";
    case StepStatus::Error:
      return "error";
    case StepStatus::Skipped:
      return "skipped";
  }
  return "?";
}

bool PipelineResult::passed() const {
  return count(StepStatus::Passed) == steps.size();
}

size_t PipelineResult::count(StepStatus status) const {
  size_t n = 0;
  for (const auto& s : steps) n += s.status == status ? 1 : 0;
  return n;
}

Json PipelineResult::toJson() const {
  Json list = Json::array();
  for (const auto& s : steps)
    list.push_back({{"name", s.name},
                    {"check", s.isCheck},
                    {"status", stepStatusName(s.status)},
                    {"message", s.message},
                    {"seconds", s.seconds}});
  return {{"passed", passed()}, {"steps", list}};
}

PipelineResult runPipeline(const Pipeline& pipeline, PipelineObserver* observer,
                           const std::atomic<bool>* cancel) {
  return Runner(pipeline, observer, cancel).run();
}

}  // namespace graft
