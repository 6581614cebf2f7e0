// graft-cli train MODEL --data DIR ... -o OUT: fine-tune on an image folder. The run's options
// come from the training spec's table (cli/train_spec_options.h) and the run from
// runtime/training/train_run.h, as for a pipeline's train step and the GUI; what is here is the
// process's part: distributed ranks, progress on the terminal and the result line.
#include "cli/cli_context.h"
#include "cli/cmd_train_progress.h"
#include "cli/interrupt.h"
#include "cli/train_spec_options.h"
#include "runtime/distributed/data_parallel.h"
#include "runtime/training/train_run.h"

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
  return DataParallel::connect(
      *environment, std::chrono::milliseconds(static_cast<int64_t>(timeoutSeconds * 1000)));
}

void printResult(const TrainResult& result, const std::string& output, bool json) {
  if (json) {
    Json summary = {{"file", output},
                    {"epochs_completed", result.epochsCompleted},
                    {"checkpoint_epoch", result.checkpointEpoch.value_or(0)},
                    {"stopped_early", result.stoppedEarly}};
    if (!result.history.empty()) {
      const EpochEvent& last = result.history.back();
      summary["loss"] = last.loss;
      summary["accuracy"] = last.accuracy;
      if (last.valLoss) summary["val_loss"] = *last.valLoss;
      if (last.valAccuracy) summary["val_accuracy"] = *last.valAccuracy;
    }
    std::cout << summary.dump() << "\n";
    return;
  }
  std::cout << "saved " << output << " (epoch " << result.checkpointEpoch.value_or(0)
            << (result.stoppedEarly ? ", stopped early" : "");
  if (!result.history.empty()) {
    const EpochEvent& last = result.history.back();
    std::cout << "; last epoch: accuracy " << last.accuracy;
    if (last.valAccuracy) std::cout << ", val_accuracy " << *last.valAccuracy;
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
                  "the rendezvous and in every exchange before giving up (default 300)");
  cmd->add_flag("--json", process->json,
                "print the result as one JSON object: file, epochs_completed, checkpoint_epoch, "
                "stopped_early and the last epoch's loss, accuracy, val_loss, val_accuracy");

  cmd->callback([cmd, args, spec, process] {
    spec->chosen = choosesHowToTrain(*cmd);
    spec->seed = args->seed;
    spec->freeInputSize = static_cast<int>(args->inputSize);
    TrainRun run(*spec, spec->plan.is_string() ? spec->plan.get<std::string>() : "");
    // Only rank 0 speaks (progress, notes, log, result); the others report errors only.
    run.options().dataParallel = joinDistributedRun(process->distTimeout);
    const bool speaks = !run.options().dataParallel || run.options().dataParallel->isRankZero();
    if (!speaks) args->quiet = true;

    const TrainingSet& data = run.readImages();
    LoadedModel loaded = loadModelReporting(args->spec(*cmd), args->quiet);
    TrainProgress progress(speaks ? spec->log : std::string(), args->quiet);
    if (!args->quiet && !data.ignored.empty())
      std::cerr << "graft-cli: ignored " << data.ignored.size()
                << " file(s) that are not images (e.g. " << data.ignored.front() << ")\n";

    const TrainingSetup& setup = run.setUp(loaded.model, loaded.freshLayers);
    if (!args->quiet) {
      if (setup.advisorPlan)
        std::cerr << "graft-cli: " << setup.summary
                  << "; give --epochs, --lr, --optimizer or --plan to choose yourself\n";
      else if (!setup.frozenBatchNorm.empty())
        std::cerr << "graft-cli: " << setup.summary << "; --train-batch-norm trains them\n";
      for (const auto& w : run.warnings()) std::cerr << "graft-cli: warning: " << w.message << "\n";
    }
    TrainResult result;
    {
      const InterruptScope interrupt;
      result = run.run(&progress, interrupt.flag());
    }
    progress.finish(result, spec->output);

    if (result.status != TrainStatus::Completed) throw Error(result.message);
    if (speaks) printResult(result, spec->output, process->json);
  });
}

}  // namespace graft::cli
