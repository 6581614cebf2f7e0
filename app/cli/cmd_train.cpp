// graft-cli train MODEL --data DIR ... -o OUT: fine-tune on an image folder (runtime/trainer.h).
#include <optional>

#include "cli/cli_context.h"
#include "cli/cmd_train_progress.h"
#include "cli/interrupt.h"
#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "runtime/distributed/data_parallel.h"
#include "runtime/trainer.h"
#include "runtime/trainer_checkpoint.h"
#include "runtime/trainer_stages.h"
#include "runtime/training_advisor.h"
#include "runtime/training_defaults.h"

namespace graft::cli {

namespace {

struct TrainArguments {
  std::string data;
  std::string validationDir;
  int epochs = 10;
  int64_t batchSize = 32;
  double lr = 0.0;
  std::string optimizer = "adam";
  double momentum = 0.0;
  bool nesterov = false;
  double weightDecay = 0.0;
  double labelSmoothing = 0.0;
  std::string schedule = "constant";
  int stepEpochs = 10;
  double lrFactor = 0.1;
  int lrPatience = 10;
  double minLr = 0.0;
  int earlyStopping = 0;
  bool restoreBest = false;
  double valSplit = 0.2;
  std::string augment;
  bool classWeights = false;
  std::string freezeUpto;
  std::string plan;
  bool cacheFrozen = false;
  bool trainBatchNorm = false;
  std::string checkpoint = "last";
  std::string output;
  std::string log;
  int workers = 0;
  double maxUnreadable = 0.1;
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

// The options that choose how to train; with none of them (and no --plan) a model with new
// layers on pretrained ones follows the advisor's plan (runtime/training_defaults.h).
const char* const kChoiceOptions[] = {"--epochs",   "--lr",           "--optimizer",  "--momentum",
                                      "--nesterov", "--weight-decay", "--freeze-upto"};

}  // namespace

void registerTrainCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("train",
                                 "fine-tune the model on a folder of images (no training "
                                 "options: the advisor's plan, BatchNormalization frozen)");
  auto args = std::make_shared<ModelArguments>();
  auto t = std::make_shared<TrainArguments>();
  args->addTo(*cmd);
  cmd->add_option("--data", t->data, "image folder: one subfolder of images per class")->required();
  cmd->add_option("--val-dir", t->validationDir,
                  "validation images in their own folder (same class subfolders) instead of a "
                  "split of --data");
  auto* epochs =
      cmd->add_option("--epochs", t->epochs, "passes over the training images (default 10)");
  cmd->add_option("--batch-size", t->batchSize, "images per step (default 32)");
  auto* lr =
      cmd->add_option("--lr", t->lr, "learning rate (default Keras's: sgd 0.01, others 0.001)");
  auto* optimizer =
      cmd->add_option("--optimizer", t->optimizer, "sgd, rmsprop, adam or adamw (default adam)")
          ->check(CLI::IsMember({"sgd", "rmsprop", "adam", "adamw"}));
  auto* momentum =
      cmd->add_option("--momentum", t->momentum, "momentum (default 0.9 for sgd, 0 for rmsprop)");
  auto* nesterov = cmd->add_flag("--nesterov", t->nesterov, "Nesterov momentum (sgd)");
  auto* weightDecay =
      cmd->add_option("--weight-decay", t->weightDecay,
                      "decoupled weight decay (default 0.004 for adamw, as Keras; 0 otherwise)");
  cmd->add_option("--label-smoothing", t->labelSmoothing, "Keras's label_smoothing (default 0)");
  cmd->add_option("--schedule", t->schedule,
                  "learning rate: constant, step (x --lr-factor every --step-epochs), cosine "
                  "(to --min-lr over the run) or plateau (x --lr-factor after --lr-patience "
                  "epochs without improvement)")
      ->check(CLI::IsMember({"constant", "step", "cosine", "plateau"}));
  cmd->add_option("--step-epochs", t->stepEpochs, "epochs per step of the step schedule (10)");
  cmd->add_option("--lr-factor", t->lrFactor, "step and plateau factor (default 0.1)");
  cmd->add_option("--lr-patience", t->lrPatience, "plateau patience in epochs (default 10)");
  cmd->add_option("--min-lr", t->minLr, "floor of the plateau and cosine schedules (default 0)");
  cmd->add_option("--early-stopping", t->earlyStopping,
                  "stop after this many epochs without improvement of the validation loss");
  cmd->add_flag("--restore-best", t->restoreBest,
                "with --early-stopping: end with (and save) the best epoch's weights");
  cmd->add_option("--val-split", t->valSplit,
                  "share of each class held out for validation (default 0.2; 0: none)");
  cmd->add_option("--augment", t->augment,
                  "comma-separated: crop, flip, rotate, shift, brightness, contrast, all");
  cmd->add_flag("--class-weights", t->classWeights,
                "weight classes by inverse frequency (for imbalanced folders)");
  auto* freezeUpto =
      cmd->add_option("--freeze-upto", t->freezeUpto,
                      "freeze every layer up to and including this one (topological order)");
  auto* planOption =
      cmd->add_option("--plan", t->plan,
                      "train in stages from a JSON plan (README, `graft-cli advise --json`); each "
                      "stage sets its own layers, optimizer, learning rate and epochs")
          ->excludes(epochs)
          ->excludes(lr)
          ->excludes(optimizer)
          ->excludes(momentum)
          ->excludes(nesterov)
          ->excludes(weightDecay)
          ->excludes(freezeUpto);
  cmd->add_flag("--train-batch-norm", t->trainBatchNorm,
                "let BatchNormalization layers with pretrained statistics train (training mode, "
                "batch statistics); by default they stay frozen in inference mode")
      ->excludes(planOption);
  cmd->add_flag("--cache-frozen", t->cacheFrozen,
                "compute the frozen layers once per image and train the rest on their outputs "
                "(without --augment)");
  cmd->add_option("--checkpoint", t->checkpoint,
                  "write OUT after every epoch (last) or when the validation loss improves "
                  "(best); default last")
      ->check(CLI::IsMember({"last", "best"}));
  cmd->add_option("-o,--output", t->output,
                  "the trained model: .graft project (graph, weights, labels, preprocessing) or "
                  ".h5 (Keras-layout weights only)")
      ->required();
  cmd->add_option("--log", t->log, "write one JSON object per event to this file (JSON lines)");
  cmd->add_option("--workers", t->workers, "image loading threads (default: one per core)");
  cmd->add_option("--max-unreadable", t->maxUnreadable,
                  "stop the run once more than this share of the images cannot be read "
                  "(deleted, damaged or locked during the run); fewer are skipped (default 0.1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--dist-timeout", t->distTimeout,
                  "distributed runs (torchrun; README): seconds to wait for the other ranks at "
                  "the rendezvous and in every exchange before giving up (default 300)");
  cmd->add_flag("--json", t->json,
                "print the result as one JSON object: file, epochs_completed, checkpoint_epoch, "
                "stopped_early and the last epoch's loss, accuracy, val_loss, val_accuracy");

  cmd->callback([cmd, args, t] {
    TrainOptions options;
    options.epochs = t->epochs;
    options.batchSize = t->batchSize;
    options.optimizer.kind = optimizerFromName(t->optimizer);
    if (cmd->count("--lr")) options.optimizer.learningRate = t->lr;
    if (cmd->count("--momentum")) options.optimizer.momentum = t->momentum;
    options.optimizer.nesterov = t->nesterov;
    if (cmd->count("--weight-decay")) options.optimizer.weightDecay = t->weightDecay;
    options.labelSmoothing = t->labelSmoothing;
    options.schedule.kind = scheduleFromName(t->schedule);
    options.schedule.stepEpochs = t->stepEpochs;
    options.schedule.factor = t->lrFactor;
    options.schedule.patience = t->lrPatience;
    options.schedule.minLearningRate = t->minLr;
    options.earlyStopping.patience = t->earlyStopping;
    options.earlyStopping.restoreBest = t->restoreBest;
    options.seed = args->seed;
    options.augment = parseAugmentList(t->augment);
    options.classWeights = t->classWeights;
    options.freezeUpto = t->freezeUpto;
    options.cacheFrozen = t->cacheFrozen;
    options.freeInputSize = static_cast<int>(args->inputSize);
    options.workers = t->workers;
    options.maxUnreadableFraction = t->maxUnreadable;
    options.checkpointPath = t->output;
    options.checkpointMode = t->checkpoint == "best" ? CheckpointMode::Best : CheckpointMode::Last;
    // Before the model and the images are read: a bad output name should not wait for them.
    checkCheckpointPath(t->output);
    std::optional<TrainingPlan> plan;
    if (!t->plan.empty()) plan = readPlanFile(t->plan);
    // Only rank 0 speaks (progress, notes, log, result); the others report errors only.
    options.dataParallel = joinDistributedRun(t->distTimeout);
    const bool speaks = !options.dataParallel || options.dataParallel->isRankZero();
    if (!speaks) {
      args->quiet = true;
      t->log.clear();
    }

    const TrainingSet data = prepareTrainingSet(t->data, t->validationDir, t->valSplit, args->seed);
    LoadedModel loaded = loadModelReporting(args->spec(*cmd), args->quiet);
    TrainProgress progress(t->log, args->quiet);
    if (!args->quiet && !data.ignored.empty())
      std::cerr << "graft-cli: ignored " << data.ignored.size()
                << " file(s) that are not images (e.g. " << data.ignored.front() << ")\n";

    TrainingChoice choice;
    for (const char* option : kChoiceOptions) choice.chosen = choice.chosen || cmd->count(option);
    choice.trainBatchNorm = t->trainBatchNorm;
    choice.plan = plan;
    choice.planSource = t->plan;
    const DataFacts dataFacts = describeData(scanImageFolder(t->data));
    const TrainingSetup setup = setUpTraining(loaded.model, loaded.freshLayers, dataFacts, choice);
    if (!args->quiet) {
      if (setup.advisorPlan)
        std::cerr << "graft-cli: " << setup.summary
                  << "; give --epochs, --lr, --optimizer or --plan to choose yourself\n";
      else if (!setup.frozenBatchNorm.empty())
        std::cerr << "graft-cli: " << setup.summary << "; --train-batch-norm trains them\n";
      for (const auto& w : checkSetup(setup, dataFacts, options))
        std::cerr << "graft-cli: warning: " << w.message << "\n";
    }
    TrainResult result;
    {
      const InterruptScope interrupt;
      result = runTraining(setup, data, options, &progress, interrupt.flag());
    }
    progress.finish(result, t->output);

    if (result.status != TrainStatus::Completed) throw Error(result.message);
    if (!speaks) return;
    if (t->json) {
      Json summary = {{"file", t->output},
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
    std::cout << "saved " << t->output << " (epoch " << result.checkpointEpoch.value_or(0)
              << (result.stoppedEarly ? ", stopped early" : "");
    if (!result.history.empty()) {
      const EpochEvent& last = result.history.back();
      std::cout << "; last epoch: accuracy " << last.accuracy;
      if (last.valAccuracy) std::cout << ", val_accuracy " << *last.valAccuracy;
    }
    std::cout << ")\n";
  });
}

}  // namespace graft::cli
