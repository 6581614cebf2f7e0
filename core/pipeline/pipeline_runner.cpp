#include "pipeline/pipeline_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <sstream>

#include "graph/analysis.h"
#include "graph/surgery/fuse_samples_hint.h"
#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "graph/untrained_layers.h"
#include "io/project_file.h"
#include "io/recipe.h"
#include "io/zoo/zoo.h"
#include "pipeline/pipeline_outputs.h"
#include "pipeline/recipe_with_labels.h"
#include "runtime/data/data_pipeline.h"
#include "runtime/fusion/fuse_with_samples.h"
#include "runtime/prediction/evaluate.h"
#include "runtime/prediction/predict.h"
#include "runtime/prediction/predict_output.h"
#include "runtime/system/error_text.h"
#include "runtime/training/train_run.h"
#include "runtime/training/trainer_checkpoint.h"
#include "runtime/training/trainer_stages.h"
#include "runtime/training/training_advisor.h"
#include "runtime/training/training_defaults.h"
#include "runtime/training/training_findings_json.h"

namespace graft {

namespace {

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

// The name of the train step's plan in its errors: the pipeline file's key, or for a pipeline
// built in memory (graft-cli train --plan FILE) the plan's file.
std::string planSourceOf(const Pipeline& p) {
  if (p.path.empty() && p.train->plan.is_string()) return p.train->plan.get<std::string>();
  return p.path + ": train.plan";
}

class Runner {
 public:
  Runner(const Pipeline& p, PipelineObserver* observer, const std::atomic<bool>* cancel,
         const PipelineRunOptions& options)
      : p_(p), observer_(observer), cancel_(cancel), options_(options) {}

  // A path in a step's name as the pipeline file gives it, relative to the file's folder: the
  // same name wherever the job's workspace is (a CI system keys a test's history on its name,
  // and the resolved path named every workspace anew). Zoo names and paths of a pipeline built
  // in memory (graft-cli train, eval, export) as they are.
  std::string shown(const std::string& path) const {
    if (p_.path.empty() || path.empty() || zoo::isArchitecture(path)) return path;
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path file = fs::absolute(path, ec).lexically_normal();
    // A pipeline named without a folder ("ci.json") is in the working folder.
    const fs::path parent = fs::path(p_.path).parent_path();
    const fs::path folder = fs::absolute(parent.empty() ? "." : parent, ec).lexically_normal();
    if (ec) return path;
    const fs::path relative = file.lexically_relative(folder);
    // Outside the pipeline's folder, the path as written: "../../../work/shared/m.h5" for an
    // absolute /work/shared/m.h5 named nothing a reader recognises.
    if (relative.empty() || *relative.begin() == "..") return path;
    return relative.string();
  }

  PipelineResult run() {
    if (p_.train && options_.checkTrainingFirst)
      step("read images " + shown(p_.train->data), [&] {
        prepareTraining();
        return std::to_string(training_->readImages().train.size()) + " image(s)";
      });
    if (options_.startModel) {
      model_ = *options_.startModel;
      freshLayers_ = options_.freshLayers;
    } else {
      step("load model " + shown(p_.model.source), [&] {
        LoadedModel loaded = loadModel(p_.model);
        for (const auto& note : loaded.notes) note_(note);
        model_ = std::move(loaded.model);
        freshLayers_ = std::move(loaded.freshLayers);
        if (!p_.recipe) checkGivenLabels();
        // Said in the step's own line, which --quiet and --json keep: the loader's note was
        // the only word that a CI runner without the Keras cache went on with random weights.
        return std::to_string(model_.graph.size()) + " layers" +
               (startedFromRandomWeights(model_) ? ", no weights file: " + model_.weightsSource
                                                 : std::string());
      });
    }
    if (p_.recipe) step("recipe", [&] { return applyRecipeStep(); });
    if (p_.train) step("train", [&] { return trainStep(); });
    if (!p_.output.empty())
      step("save " + shown(p_.output), [&] {
        if (const auto kept = keepBestCheckpoint()) return *kept;
        saveTrainedModel(model_, p_.output);
        if (const std::string left = whatAnH5CheckpointLeavesOut(model_, p_.output); !left.empty())
          note_(left);
        return "wrote " + p_.output;
      });
    for (const auto& e : p_.exports)
      step("export " + exportFormatName(e.format) + " " + shown(e.output), [&] {
        result_.exports.push_back(exportModel(exportedModel(), e.format, e.output));
        const ExportReport& report = result_.exports.back();
        if (!report.warning.empty() && observer_)
          observer_->onWarning(shown(e.output) + ": " + report.warning);
        return report.describe();
      });
    if (p_.eval) step("eval " + shown(p_.eval->data), [&] { return evalStep(); });
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
    if (cancelled()) {
      // Ctrl-C during a step that cannot stop midway (loading, exporting): the run ends after
      // it, reported like any other stop.
      r.status = StepStatus::Error;
      r.message = "not run: the run was interrupted";
      stopped_ = true;
      finish(r);
      return;
    }
    if (observer_) observer_->onStepStart(name, false);
    const auto start = std::chrono::steady_clock::now();
    try {
      r.message = body();
    } catch (const std::exception& e) {
      r.status = StepStatus::Error;
      r.message = errorText(e);
      r.error = std::current_exception();
      stopped_ = true;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    finish(r);
  }

  void check(const PipelineCheck& c) {
    StepResult r;
    r.isCheck = true;
    r.name = c.text;
    if (stopped_ || cancelled()) {
      r.status = StepStatus::Skipped;
      r.message =
          stopped_ ? "not checked: an earlier step failed" : "not checked: the run was interrupted";
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
        r.message =
            c.metric + " is " + checkNumberText(measured) +
            (ok ? "" : ", expected " + checkOpSymbol(c.op) + " " + checkNumberText(c.value));
      }
    } catch (const std::exception& e) {
      // A check that cannot be measured (no validation images, unreadable image) fails.
      r.status = StepStatus::Failed;
      r.message = errorText(e);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    finish(r);
  }

  bool cancelled() const { return cancel_ && cancel_->load(); }

  void finish(const StepResult& r) {
    result_.steps.push_back(r);
    if (observer_) observer_->onStepEnd(r);
  }

  // The model an export writes: with --input-size (the pipeline's model.input_size) a free input
  // (None x None) gets that size, as ONNX needs one and the export's check runs at it; the
  // pipeline's own model keeps its free input.
  Model exportedModel() {
    if (!p_.model.inputSize || model_.graph.inputs().size() != 1) return model_;
    const GraphAnalysis analysis = analyze(model_.graph);
    const NodeInfo* input = analysis.find(model_.graph.inputs().front());
    if (!input || input->outputShape.size() != 4) return model_;
    const Shape& free = input->outputShape;
    if (free[1] != kUnknown && free[2] != kUnknown) return model_;
    const int64_t size = *p_.model.inputSize;
    const Shape fixed{free[1] == kUnknown ? size : free[1], free[2] == kUnknown ? size : free[2],
                      free[3]};
    Expected<EditResult> edited = applyOperation(model_, ops::setInputShape(fixed));
    if (!edited)
      throw Error("--input-size " + std::to_string(size) + ": cannot give the model's input " +
                  shapeToString(free) + " that size:\n" + joinDiagnostics(edited.diagnostics()));
    note_("export: the model's free input " + shapeToString(free) + " exported as " +
          shapeToString(Shape{free[0], fixed[0], fixed[1], fixed[2]}) + " (--input-size)");
    return std::move(edited->model);
  }

  std::string applyRecipeStep() {
    // A least-squares fusion fits to the pipeline's sample images, else to the training images.
    RecipeStepRunner steps;
    const std::string folder = p_.samples ? p_.samples->folder : p_.train ? p_.train->data : "";
    // The samples' own device, else the training's: the fits compute where the run does.
    const std::string device = p_.samples ? p_.samples->device
                               : p_.train ? p_.train->device
                                          : PipelineSamples{}.device;
    if (!folder.empty())
      steps = stepsWithFolderSamples(
          folder, p_.samples ? p_.samples->count : PipelineSamples{}.count,
          p_.model.inputSize.value_or(224), parseDeviceChoice(device).value_or(DeviceChoice{}));
    Expected<RecipeResult> edited =
        applyRecipeNamingItsClasses(model_, *p_.recipe, p_.model.labelsFile, EditOptions{}, steps);
    // The step is named "recipe" where this is reported: an inline recipe adds nothing to it (it
    // read "recipe: recipe: recipe failed:"), a recipe file its name.
    if (!edited) {
      // A fusion that needs samples says how to give them in the pipeline's words.
      Diagnostics problems = edited.diagnostics();
      for (Diagnostic& d : problems) d.message = samplesHintInPipeline(d.message);
      throw Error((p_.recipeFile.empty() ? std::string() : p_.recipeFile + ": ") +
                  (problems.size() > 1 ? "\n" : "") + joinDiagnostics(problems));
    }
    for (const auto& note : edited->notes) note_(note);
    model_ = edited->model;
    return std::to_string(p_.recipe->size()) + " operation(s) applied";
  }

  // Without a recipe the model's labels file must name the loaded model's classes: a project
  // saved with names that do not fit could not be predicted with or exported.
  void checkGivenLabels() const {
    if (p_.model.labelsFile.empty()) return;
    try {
      checkModelLabels(model_);
    } catch (const Error& e) {
      throw Error(Diagnostic{p_.model.labelsFile, e.diagnostics().front().message});
    }
  }

  // The train step's part that needs no model: its spec checked, the front end's part added.
  void prepareTraining() {
    TrainSpec spec = *p_.train;
    if (!spec.seed) spec.seed = p_.model.seed;
    if (!spec.freeInputSize && p_.model.inputSize)
      spec.freeInputSize = static_cast<int>(*p_.model.inputSize);
    training_.emplace(spec, options_.planSource.empty() ? planSourceOf(p_) : options_.planSource);
    if (observer_) observer_->prepareTraining(*training_);
  }

  std::string trainStep() {
    if (!training_) {
      prepareTraining();
      training_->readImages();
    }
    TrainRun& run = *training_;
    // As `graft-cli train --labels` says it: a later prediction check naming a class of the
    // file failed with "not one of the model's class names" and nothing had said why.
    if (!p_.model.labelsFile.empty())
      note_("model.labels: the trained model names its classes after the folders of " +
            run.spec().data + "; " + p_.model.labelsFile + " is not used after training");
    if (observer_) observer_->onTrainImages(run.images());
    noteWhatWatchesTheTrainingLoss(run);
    noteWhatThePlanReplaces(run.spec());
    const TrainingSetup& setup = run.setUp(model_, freshLayers_);
    if (!run.inputNote().empty()) note_(run.inputNote());
    result_.trainingWarnings = run.warnings();
    if (observer_) observer_->onTrainSetUp(run, setup);
    TrainResult trained = run.run(observer_ ? observer_->trainObserver() : nullptr, cancel_);
    if (observer_) observer_->onTrainEnd(trained, run.spec().output);
    // Kept when the run fails too: a NaN loss's finding and its fix are what a script needs.
    result_.trainingDiagnoses = trained.diagnoses;
    if (trained.status != TrainStatus::Completed) throw Error(trained.message);
    model_ = trained.model;
    if (const std::string left = whatAnH5CheckpointLeavesOut(model_, run.spec().output);
        !left.empty())
      note_(left);
    std::string message = std::to_string(trained.epochsCompleted) + " epoch(s)";
    if (!trained.history.empty() && modelEpoch(trained).valAccuracy) {
      message += ", val_accuracy " + checkNumberText(*modelEpoch(trained).valAccuracy);
      if (trained.restoredEpoch)
        message += *trained.restoredEpoch == 0
                       ? std::string(" (the weights it started from, kept)")
                       : " (epoch " + std::to_string(*trained.restoredEpoch) + ", restored)";
    }
    result_.training = std::move(trained);
    return message;
  }

  // `output` may be the run's own checkpoint: with `checkpoint: best` the file holds the best
  // epoch, which saving the last epoch over it replaced while the log still named the best
  // (Keras's save_best_only never writes a worse epoch). The last epoch goes on to the exports
  // and eval, as Keras's model after fit does; restore_best makes it the best one.
  std::optional<std::string> keepBestCheckpoint() {
    if (!p_.train || !result_.training || p_.train->checkpoint != "best" || p_.train->restoreBest ||
        !namesTheSameFile(p_.output, p_.train->output))
      return std::nullopt;
    const TrainResult& trained = *result_.training;
    // The epoch the model after training holds: the last, or the one a run Graft chose kept.
    const int used = trained.restoredEpoch.value_or(trained.epochsCompleted);
    if (!trained.checkpointEpoch || *trained.checkpointEpoch == used) return std::nullopt;
    const auto named = [](int epoch) {
      return epoch == 0 ? std::string("the weights the run started from")
                        : "epoch " + std::to_string(epoch);
    };
    const std::string best = named(*trained.checkpointEpoch);
    note_(p_.output + " keeps " + best + ", the best (checkpoint: best); the steps after it use " +
          (trained.restoredEpoch ? named(used) : "the last epoch, " + std::to_string(used)) +
          " (train.restore_best makes them use the best)");
    return "kept " + p_.output + " (" + best + ")";
  }

  // Without validation images, what would watch the validation loss watches the training loss:
  // said before the run (a user asking for early stopping with --val-split 0 saw it do nothing
  // they could tell).
  // `graft-cli train --plan` refuses --epochs and the like; a pipeline's train section keeps
  // them (a file may carry both), but says that the plan's stages decide.
  void noteWhatThePlanReplaces(const TrainSpec& spec) {
    if (spec.plan.is_null()) return;
    std::string replaced;
    for (const SpecField& field : trainSpecFields())
      if (field.choosesHowToTrain && field.kind != SpecKind::Plan && !isDefaultValue(field, spec))
        replaced += (replaced.empty() ? "train." : ", train.") + std::string(field.key);
    if (!replaced.empty())
      note_(replaced +
            " not used: train.plan gives each stage's epochs, optimizer, learning "
            "rate and frozen layers");
  }

  void noteWhatWatchesTheTrainingLoss(TrainRun& run) {
    if (!run.readImages().validation.empty()) return;
    const TrainSpec& spec = run.spec();
    std::vector<std::string> options;
    if (spec.earlyStopping > 0) options.push_back("early stopping");
    if (spec.restoreBest) options.push_back("restore_best");
    if (spec.checkpoint == "best") options.push_back("the best checkpoint");
    if (spec.schedule == "plateau") options.push_back("the plateau schedule");
    if (options.empty()) return;
    std::string list;
    for (size_t i = 0; i < options.size(); ++i)
      list += (i == 0 ? "" : i + 1 == options.size() ? " and " : ", ") + options[i];
    note_("no validation images (val_split 0, or too few images to split): " + list +
          (options.size() == 1 ? " watches" : " watch") + " the training loss instead");
  }

  std::string evalStep() {
    // Layers the weights file lacked or an edit added, unless a training step trained them (it
    // takes them off the model's untrained layers; the loader's list stays as loaded).
    static const std::vector<std::string> none;
    if (auto random = randomLayersWarning(model_, p_.train ? none : freshLayers_, "its accuracy"))
      if (observer_) observer_->onWarning(p_.model.source + ": " + *random);
    // A free input size: the side predict takes too, said as predict says it.
    int64_t side = p_.model.inputSize.value_or(0);
    if (side == 0 && hasFreeInputSize(model_)) {
      side = defaultFreeInputSide(model_);
      note_(freeInputSizeNote(model_));
    }
    result_.evaluation = evaluateSpec(model_, *p_.eval, static_cast<int>(side), cancel_);
    return "accuracy " + checkNumberText(result_.evaluation->accuracy) + " on " +
           std::to_string(result_.evaluation->count) + " image(s)";
  }

  double metric(const PipelineCheck& c) const {
    const std::string& m = c.metric;
    if (m == "total_params" || m == "trainable_params" || m == "non_trainable_params") {
      const GraphAnalysis a = analyze(model_.graph);
      if (!a.ok()) throw Error(joinDiagnostics(a.diagnostics));
      return static_cast<double>(m == "total_params"       ? a.totalParams
                                 : m == "trainable_params" ? a.trainableParams
                                                           : a.nonTrainableParams());
    }
    if (m == "epochs") return result_.training ? result_.training->epochsCompleted : 0;
    if (m == "accuracy" || m == "loss" || m == "val_accuracy" || m == "val_loss") {
      if (!result_.training) throw Error("training completed no epoch");
      return trainedFigure(*result_.training, m);
    }
    if (m == "eval_accuracy") return result_.evaluation->accuracy;
    if (m == "eval_loss") return result_.evaluation->loss;
    if (m == "export_max_difference") {
      if (c.exportIndex) return result_.exports.at(*c.exportIndex).maxDifference;
      double largest = 0.0;
      for (const auto& e : result_.exports) largest = std::max(largest, e.maxDifference);
      return largest;
    }
    throw Error("unknown metric '" + m + "'");
  }

  void checkPrediction(const PipelineCheck& c, StepResult& r) const {
    // A label the model does not have can never pass: said as such, not as a wrong prediction
    // (a typo read as a regression of the model in CI).
    const auto& labels = model_.labels;
    if (!labels.empty() && std::find(labels.begin(), labels.end(), c.label) == labels.end()) {
      std::string names;
      for (const auto& label : labels) names += (names.empty() ? "" : ", ") + label;
      throw Error("'" + c.label + "' is not one of the model's class names (" + names + ")");
    }
    Predictor predictor(model_);
    const ImagePrediction p = predictor.run({c.file}).at(0);
    if (!p.ok()) throw Error(p.error);
    if (p.top.empty()) throw Error(c.file + ": the model's output is not a class vector");
    const TopEntry& best = p.top.front();
    const std::string predicted = best.label.empty() ? std::to_string(best.index) : best.label;
    const bool ok = predicted == c.label;
    r.status = ok ? StepStatus::Passed : StepStatus::Failed;
    r.message = "predicted " + predicted + " (probability " + checkNumberText(best.probability) +
                ")" + (ok ? "" : ", expected " + c.label);
  }

  const Pipeline& p_;
  PipelineObserver* observer_;
  const std::atomic<bool>* cancel_;
  PipelineRunOptions options_;
  // What the steps made: the model as it is now; the loader's new layers, for a plan's "new
  // layers"; the train step's run; the training, exports and evaluation are in result_.
  Model model_;
  std::vector<std::string> freshLayers_;
  std::optional<TrainRun> training_;
  PipelineResult result_;
  bool stopped_ = false;
};

}  // namespace

void PipelineObserver::onTrainSetUp(const TrainRun& run, const TrainingSetup& setup) {
  if (setup.advisorPlan)
    onNote(setup.summary + "; name epochs, lr, optimizer or a plan in \"train\" to choose");
  else if (!setup.frozenBatchNorm.empty())
    onNote(setup.summary + "; \"train_batch_norm\": true trains them");
  // The advisor's guard rails, as graft-cli train says them (a pipeline trained pretrained
  // layers at Adam 1e-3 without a word where the same train command warned).
  for (const auto& w : run.warnings()) onNote("warning: " + w.message);
}

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

double trainedFigure(const TrainResult& trained, const std::string& metric) {
  const EpochEvent& e = modelEpoch(trained);
  if (metric == "val_accuracy" || metric == "val_loss") {
    if (!e.valAccuracy || !e.valLoss)
      throw Error(metric + ": the training had no validation images");
    return metric == "val_accuracy" ? *e.valAccuracy : *e.valLoss;
  }
  // The weights the run started from (kept: it only made them worse) have no training figures;
  // their 0 passed a loss check.
  if (e.epoch == 0)
    throw Error(metric +
                ": the run ended with the weights it started from (training only made them "
                "worse), which have no training figures; check val_" +
                metric + " instead");
  if (metric == "accuracy") return e.accuracy;
  if (metric == "loss") return e.loss;
  throw Error("'" + metric + "' is not a training figure");
}

Json PipelineResult::toJson() const {
  Json list = Json::array();
  for (const auto& s : steps)
    list.push_back({{"name", s.name},
                    {"check", s.isCheck},
                    {"status", stepStatusName(s.status)},
                    {"message", s.message},
                    {"seconds", s.seconds}});
  Json out = {{"passed", passed()}, {"steps", list}};
  if (trainingWarnings) addTrainingFindings(out, *trainingWarnings, trainingDiagnoses);
  return out;
}

PipelineResult runPipeline(const Pipeline& pipeline, PipelineObserver* observer,
                           const std::atomic<bool>* cancel, const PipelineRunOptions& options) {
  return Runner(pipeline, observer, cancel, options).run();
}

}  // namespace graft
