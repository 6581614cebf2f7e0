// graft-cli train MODEL --data DIR ... -o OUT: fine-tune on an image folder. The run's options
// come from the training spec's table (cli/train_spec_options.h) and the run is the pipeline
// runner's train step (cli/command_pipeline.h), as for a pipeline; what is here is the
// process's part: distributed ranks, notes and progress on the terminal and the result line.
#include <optional>

#include "cli/cmd_train_progress.h"
#include "cli/command_pipeline.h"
#include "cli/interrupt.h"
#include "cli/spec_options.h"
#include "cli/train_spec_options.h"
#include "io/json_file.h"
#include "io/zoo_option_error.h"
#include "runtime/data/skipped_files_json.h"
#include "runtime/distributed/data_parallel.h"
#include "runtime/system/error_text.h"
#include "runtime/training/train_run.h"
#include "runtime/training/training_findings_json.h"

namespace graft::cli {

namespace {

// Options of the process, not of the run.
struct ProcessArguments {
  bool json = false;
  double distTimeout = 300.0;
};

// A data-parallel run when torchrun (or the user) set WORLD_SIZE > 1; nullptr otherwise.
std::shared_ptr<DataParallel> joinDistributedRun(double timeoutSeconds) {
  const auto environment = launchEnvironmentFromVariables();
  if (!environment) return nullptr;
  if (!(timeoutSeconds > 0)) throw Error(Diagnostic{"--dist-timeout", "must be above 0 seconds"});
  // Gloo and the store count in milliseconds (and the rendezvous deadline in nanoseconds): a
  // day is past any exchange's wait, and "for ever" (1e10) must not overflow into "at once".
  constexpr double kLongestSeconds = 24.0 * 3600.0;
  if (timeoutSeconds > kLongestSeconds)
    throw Error(Diagnostic{"--dist-timeout", "must be at most " +
                                                 std::to_string(static_cast<int>(kLongestSeconds)) +
                                                 " seconds (a day)"});
  return DataParallel::connect(
      *environment, std::chrono::milliseconds(static_cast<int64_t>(timeoutSeconds * 1000)));
}

// The figures of the epoch the saved file holds. With --checkpoint best that is an earlier epoch
// than the model's after the run: the last epoch's figures were printed beside the best's file.
// A plan's history keeps each stage's own epoch numbers: the file's epoch is found by its place
// over the run, as checkpointEpoch counts.
const EpochEvent& savedEpoch(const TrainResult& result) {
  const EpochEvent& model = modelEpoch(result);
  if (!result.checkpointEpoch) return model;
  const int epoch = *result.checkpointEpoch;
  if (epoch == 0 && result.start) return *result.start;
  if (epoch >= 1 && static_cast<size_t>(epoch) <= result.history.size())
    return result.history[static_cast<size_t>(epoch - 1)];
  return model;
}

// What train --json says of any run, completed or not: the file, the status, how far the run
// got and what the file holds (`ended`: null when it failed before training) with its epoch's
// figures, the files it skipped and what was said of it.
Json trainSummary(const std::string& output, const std::string& status, const TrainResult* ended,
                  const std::vector<PlanWarning>& warnings) {
  // The keys are there however the command ended (an error before training: 0 epochs, no file).
  Json summary = {{"file", output}, {"status", status}};
  summary["epochs_completed"] = ended ? ended->epochsCompleted : 0;
  summary["checkpoint_epoch"] =
      ended && ended->checkpointEpoch ? Json(*ended->checkpointEpoch) : Json();
  // Null when there is no such figure (no validation images; no training figures for the
  // weights a run started from, epoch 0; no file when a run that did not complete saved no
  // epoch), as checkpoint_epoch: the keys are always there.
  const auto figure = [](const std::optional<double>& value) {
    return value ? Json(*value) : Json();
  };
  summary["loss"] = summary["accuracy"] = summary["val_loss"] = summary["val_accuracy"] = Json();
  const bool holdsEpoch =
      ended && !ended->history.empty() &&
      (ended->status == TrainStatus::Completed || ended->checkpointEpoch.has_value());
  if (holdsEpoch) {
    const EpochEvent& held = savedEpoch(*ended);  // the file's: best, restored, last or saved
    if (held.epoch > 0) {
      summary["loss"] = held.loss;
      summary["accuracy"] = held.accuracy;
    }
    summary["val_loss"] = figure(held.valLoss);
    summary["val_accuracy"] = figure(held.valAccuracy);
  }
  if (ended) addSkippedFiles(summary, ended->skippedFiles);
  addTrainingFindings(summary, warnings, ended ? ended->diagnoses : std::vector<Diagnosis>{});
  return summary;
}

// What the command says while the runner trains, in graft-cli train's words. Only rank 0 speaks
// (progress, notes, log, result); the others report errors only.
class TrainPrinter : public CliObserver {
 public:
  TrainPrinter(const std::string& logPath, bool quiet, double distTimeout)
      : CliObserver(quiet), logPath_(logPath), distTimeout_(distTimeout) {}

  bool speaks() const { return speaks_; }

  void prepareTraining(TrainRun& run) override {
    run.options().dataParallel = joinDistributedRun(distTimeout_);
    speaks_ = !run.options().dataParallel || run.options().dataParallel->isRankZero();
    if (!speaks_) quiet_ = true;
  }
  void onTrainImages(const TrainingSet& data) override {
    progress_.emplace(speaks_ ? logPath_ : std::string(), quiet_);
    if (!quiet_ && !data.ignored.empty())
      std::cerr << "graft-cli: ignored " << data.ignored.size()
                << " file(s) that are hidden or not images (e.g. " << data.ignored.front() << ")\n";
  }
  void onTrainSetUp(const TrainRun& run, const TrainingSetup& setup) override {
    if (!quiet_) {
      if (!run.inputNote().empty()) std::cerr << "graft-cli: " << run.inputNote() << "\n";
      if (setup.advisorPlan)
        std::cerr << "graft-cli: " << setup.summary
                  << "; give --epochs, --lr, --optimizer or --plan to choose yourself\n";
      else if (!setup.frozenBatchNorm.empty())
        std::cerr << "graft-cli: " << setup.summary << "; --train-batch-norm trains them\n";
      for (const auto& w : run.warnings()) std::cerr << "graft-cli: warning: " << w.message << "\n";
    }
    warnings_ = run.warnings();
    interrupt_.emplace();  // Ctrl-C stops the training at a batch boundary (not the load before)
  }
  TrainObserver* trainObserver() override { return progress_ ? &*progress_ : nullptr; }
  void onTrainEnd(const TrainResult& result, const std::string& checkpoint) override {
    interrupt_.reset();
    if (progress_) progress_->finish(result, checkpoint);
    ended_ = result;
  }

  // --json when the command fails: one object still, with what a script needs to go on (which
  // epoch the file holds after a cancel), not an empty stdout.
  void printFailure(const std::string& output, const std::string& error) const {
    const std::string status = !ended_                                    ? "error"
                               : ended_->status == TrainStatus::Cancelled ? "cancelled"
                                                                          : "failed";
    Json failed = trainSummary(output, status, ended_ ? &*ended_ : nullptr,
                               warnings_.value_or(std::vector<PlanWarning>{}));
    failed["error"] = error;
    std::cout << jsonText(failed) << "\n";
  }

 private:
  std::optional<std::vector<PlanWarning>> warnings_;
  std::optional<TrainResult> ended_;
  std::string logPath_;
  double distTimeout_;
  bool speaks_ = true;
  std::optional<TrainProgress> progress_;
  std::optional<InterruptScope> interrupt_;
};

// How the printed figures' epoch is named: the last, the restored one, or the checkpoint's.
std::string savedEpochLabel(const TrainResult& result, const EpochEvent& saved) {
  if (&saved != &modelEpoch(result))
    return "; best epoch " + std::to_string(*result.checkpointEpoch) + " (--checkpoint best): ";
  if (!result.restoredEpoch) return "; last epoch: ";
  return *result.restoredEpoch == 0
             ? std::string("; the weights it started from: ")
             : "; restored epoch " + std::to_string(*result.restoredEpoch) + ": ";
}

void printResult(const PipelineResult& run, const std::string& output, bool json) {
  const TrainResult& result = *run.training;
  if (json) {
    Json summary = trainSummary(output, "completed", &result,
                                run.trainingWarnings.value_or(std::vector<PlanWarning>{}));
    // the epoch loss, accuracy and val_* describe (the model's)
    summary["restored_epoch"] = result.restoredEpoch ? Json(*result.restoredEpoch) : Json();
    summary["stopped_early"] = result.stoppedEarly;
    std::cout << jsonText(summary) << "\n";
    return;
  }
  std::cout << "saved " << output << " (epoch " << result.checkpointEpoch.value_or(0)
            << (result.stoppedEarly ? ", stopped early" : "");
  if (!result.history.empty()) {
    const EpochEvent& kept = savedEpoch(result);
    std::cout << savedEpochLabel(result, kept);
    if (kept.epoch > 0) std::cout << "accuracy " << kept.accuracy << (kept.valAccuracy ? ", " : "");
    if (kept.valAccuracy) std::cout << "val_accuracy " << *kept.valAccuracy;
  }
  std::cout << ")\n";
}

}  // namespace

void registerTrainCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("train",
                                 "fine-tune the model on a folder of images (no training "
                                 "options: the advisor's plan, BatchNormalization frozen)");
  auto args = std::make_shared<ModelArguments>();
  auto spec = std::make_shared<TrainSpec>();
  auto process = std::make_shared<ProcessArguments>();
  args->addTo(*cmd);
  addTrainSpecOptions(*cmd, spec);
  // A pipeline may save the model itself; here OUT is the only result.
  cmd->get_option("--output")->required();
  cmd->add_option("--dist-timeout", process->distTimeout,
                  "distributed runs (torchrun; README): seconds to wait for the other ranks at "
                  "the rendezvous and in every exchange before giving up (default 300)")
      ->check(specRangeValidator(SpecRange{0.0, std::nullopt, true, false}));
  cmd->add_flag("--json", process->json,
                "print the result as one JSON object (also when the run fails or is stopped: "
                "status, error and what the file holds): file, status, epochs_completed and "
                "checkpoint_epoch "
                "(both counted over all of a plan's stages), restored_epoch, stopped_early, the "
                "figures of the epoch the model holds (loss, accuracy, val_loss, val_accuracy), "
                "skipped files, the warnings before the run and the training doctor's diagnoses");

  cmd->callback([cmd, args, spec, process] {
    spec->chosen = choosesHowToTrain(*cmd);
    Pipeline pipeline = commandPipeline(*args, *cmd);
    // The trained model's classes are the folders of --data: a labels file would go unused
    // (it was silently), and one that fits the model as loaded is no matter either.
    if (!pipeline.model.labelsFile.empty()) {
      if (!args->quiet)
        std::cerr << "graft-cli: --labels: train names the classes after the folders of --data; "
                  << pipeline.model.labelsFile << " is not used\n";
      pipeline.model.labelsFile.clear();
    }
    pipeline.train = *spec;
    TrainPrinter printer(spec->log, args->quiet, process->distTimeout);
    // The spec is checked and the images are read before the model is loaded.
    PipelineRunOptions options;
    options.checkTrainingFirst = true;
    PipelineResult result;
    try {
      result = runCommandPipeline(pipeline, printer, InterruptScope::flag(), options);
    } catch (const ZooOptionRefused&) {
      throw;  // a usage error: CLI's message on stderr, nothing on stdout (main.cpp)
    } catch (const std::exception& e) {
      if (process->json && printer.speaks()) printer.printFailure(spec->output, errorText(e));
      throw;
    }
    if (printer.speaks()) printResult(result, spec->output, process->json);
  });
}

}  // namespace graft::cli
