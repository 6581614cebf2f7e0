#pragma once
// Fine-tuning a model on an image folder. No Qt: the GUI runs trainModel() on a worker thread
// and receives progress through TrainObserver (called on that thread; marshal to the UI
// thread there), and stops it through the cancel flag, checked between batches. The CLI does
// the same from main().
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/model.h"
#include "run/augment_options.h"
#include "run/compute_choice.h"
#include "runtime/data/dataset.h"
#include "runtime/training/optimizer_options.h"
#include "runtime/training/trainer_schedule.h"
#include "runtime/training/training_doctor.h"

namespace graft {

class DataParallel;  // runtime/distributed/data_parallel.h

// The images a run trains and validates on, with the class names (index = label).
struct TrainingSet {
  std::vector<std::string> classes;
  std::vector<ImageSample> train;
  std::vector<ImageSample> validation;  // may be empty: no validation metrics then
  std::vector<std::string> ignored;     // non-image files met while scanning (for the user)
};

// Scans `dataDir`; validation comes from `validationDir` when given (read against the training
// classes), else from a stratified split of `validationFraction` with `seed`. Throws
// graft::Error naming the folder (see scanImageFolder).
TrainingSet prepareTrainingSet(const std::string& dataDir, const std::string& validationDir,
                               double validationFraction, uint64_t seed);

// When `modelClasses` (the class names a trained model carries) are the folder's classes in
// another order, relabels `set` to that order: the head's output i stays the class it was
// trained for (as eval reads a folder). Sorted folder order silently swapped a trained head's
// classes. Other names, or none, leave `set` as it is. True when it relabelled.
bool keepModelClassOrder(TrainingSet& set, const std::vector<std::string>& modelClasses);

// One completed epoch's figures (TrainObserver::onEpoch, TrainResult::history).
struct EpochEvent {
  int epoch = 0;  // 1-based
  int epochs = 0;
  double loss = 0.0;  // mean over the epoch's training images
  double accuracy = 0.0;
  std::optional<double> valLoss;  // absent without validation images
  // The Keras regularizers' part of the monitored loss (valLoss's, else loss's): it covers the
  // layers that train, so a plan's stages compare their epochs without it.
  double penalty = 0.0;
  std::optional<double> valAccuracy;
  std::vector<double> valClassAccuracy;            // recall per class (validation)
  std::vector<std::vector<int64_t>> valConfusion;  // [true][predicted]
  int64_t images = 0;                              // training images this epoch
  double imagesPerSecond = 0.0;                    // training images / training seconds
  double seconds = 0.0;                            // whole epoch, validation included
  double dataWaitFraction = 0.0;  // share of training time spent waiting for the loader
  double learningRate = 0.0;      // of the epoch's last batch
  bool checkpointSaved = false;
};

enum class CheckpointMode {
  Last,  // after every epoch
  Best,  // when the monitored loss (validation loss, or training loss without validation) improves
};

struct TrainOptions {
  int epochs = 10;
  int64_t batchSize = 32;
  OptimizerOptions optimizer;
  ScheduleOptions schedule;            // learning rate over the run; constant by default
  EarlyStoppingOptions earlyStopping;  // off by default
  double labelSmoothing = 0.0;         // Keras's label_smoothing, in [0, 1)
  uint64_t seed = 0;  // shuffling, augmentation and dropout: the same seed gives the same run
  AugmentOptions augment;
  bool classWeights = false;  // balanced class weights from the training split's counts
  // Freeze every layer up to and including this one (topological order), like the recipe
  // operation {"op": "freeze", "upto": ...}; empty keeps the model's own frozen flags.
  std::string freezeUpto;
  // Learning-rate factor per layer name (a layer not listed: 1): its parameters step with the
  // optimizer's (scheduled) rate times the factor. Staged plans give pretrained layers a lower
  // rate than new ones this way.
  std::map<std::string, double> layerRateScales;
  // Layers whose weights came from a weights file (see newLayersOf in
  // runtime/training/training_advisor.h): the training doctor watches the rate they train at and
  // how far their weights move. Empty: none known (that check is off).
  std::vector<std::string> pretrainedLayers;
  // A staged plan whose first stage trains the new layers only (the advisor's): the doctor does
  // not then suggest training them first (set by trainPlan for every stage).
  bool newLayersTrainedFirst = false;
  // Every layer with weights starts from random ones (no weights file was found or given): the
  // doctor's advice is then not to keep pretrained statistics or features there are none of.
  bool fromRandomWeights = false;
  // How the doctor's fixes name options: a pipeline's keys when the run comes from a pipeline
  // file (graft-cli run), the command line's flags otherwise.
  OptionWords optionWords = OptionWords::CommandLine;
  // Compute the frozen prefix once per image and train the rest on its outputs (only without
  // augmentation, and only when one layer separates the frozen prefix from the rest).
  bool cacheFrozen = false;
  // Past this size the cache goes to a file in cacheDirectory (default: the system's temporary
  // folder); without room there, the run goes uncached.
  int64_t cacheMemoryLimitBytes = int64_t{2} << 30;
  std::string cacheDirectory;
  int freeInputSize = 0;  // for models whose input size is None; 0: the size it was trained at
                          // (TrainRun gives predict's size when there is none)
  // Where the run computes (runtime/system/device.h resolves it) and the forward pass's
  // arithmetic (runtime/training/mixed_precision.h).
  DeviceChoice device;
  Precision precision = Precision::Float32;
  ChannelsLast channelsLast = ChannelsLast::Auto;  // the memory order of images and maps
  int workers = 0;                                 // loader threads; 0: one per core
  int prefetch = 0;                                // batches loaded ahead; 0: twice the workers
  // CUDA graph capture of the whole training step (runtime/training/step_graph.h): opt-in and
  // unmeasured (#23), set by tests/bench's bench_train --cuda-graph; not a CLI or pipeline
  // option. Where the steps cannot be captured (not on CUDA, fp16's loss scaling, a
  // data-parallel run, the frozen-feature cache, a capture that fails) the run says why in one
  // note and computes as without it.
  bool cudaGraph = false;

  // Images that cannot be read (broken from the start, or deleted, truncated or locked while
  // the run goes on) are skipped and reported through onSkippedFile; once more than this share
  // of the run's images (training and validation) is unreadable, the run stops as Failed,
  // naming files: a folder deleted or unmounted mid-run must not leave it training on the rest.
  double maxUnreadableFraction = 0.1;

  std::string checkpointPath;  // empty: no checkpoint (the caller saves the result itself)
  CheckpointMode checkpointMode = CheckpointMode::Last;
  // Writes a model atomically; default: saveTrainedModel (checkpoint.h).
  std::function<void(const Model&, const std::string&)> saveModel;
  // A staged plan's later stages: what the file at checkpointPath holds from an earlier stage,
  // its loss without the regularizers' penalty (unpenalizedLoss: Best writes only below it, so
  // a worse stage does not replace a better one) and, for messages, which epoch ("epoch 4 of
  // stage 1 (head)").
  std::optional<double> checkpointBestSoFar;
  std::string checkpointHeld;
  // The epochs earlier stages completed: messages count epochs over the whole run, as the
  // result's checkpointEpoch does (a stopped plan said "holds epoch 3" where --json said 36).
  int epochsBeforeThisStage = 0;
  // The trainable flags the saved model keeps, by layer name: the user's. What a run freezes
  // for itself (BatchNormalization kept in inference mode, a plan's stages, --freeze-upto) is
  // for that run; saved, a later run could no longer train those layers (--train-batch-norm
  // on the saved project trained nothing more). Empty: the flags as trained.
  std::map<std::string, bool> savedTrainable;

  // Set: this process is one rank of a data-parallel run (README "Distributed training").
  // batchSize is then per rank (the global batch is batchSize x ranks); each rank trains on its
  // strided share of every epoch's shuffled order; gradients are averaged over the global batch;
  // reported numbers are global; only rank 0 writes the checkpoint, and every rank returns the
  // same result. Unset: a single process, untouched by any of this.
  std::shared_ptr<DataParallel> dataParallel;
  // The recipe the saved model keeps (savedTrainable's reason); unset: the recipe as trained.
  std::optional<Json> savedRecipe;

  // A run must not end worse than it started (the runs Graft chooses: training_defaults.h).
  // With validation images, when the epoch the run ends with (the last, or the restored best)
  // has a higher validation loss than the weights it started from, without the regularizers'
  // penalty, the run ends with those weights instead (TrainResult::restoredEpoch 0) and says
  // so; the checkpoint file then holds them too. The same when the run is stopped or fails
  // after an epoch (the weights it ends with are the last completed epoch's). A run on a
  // pretrained network that only wrecked it (a learning rate too high for it, a fitted head's large
  // gradients) returned the wreck.
  bool keepBetterStart = false;
  // The starting weights' validation numbers when the caller knows them (a plan's later stage:
  // the previous stage's end); unset, keepBetterStart measures them with a validation pass
  // before the first epoch.
  std::optional<EpochEvent> startNumbers;
};

struct TrainStartEvent {
  int epochs = 0;
  int64_t batchesPerEpoch = 0;
  int64_t trainImages = 0;
  int64_t validationImages = 0;
  std::vector<std::string> classes;
  int64_t trainableParams = 0;
  int64_t frozenParams = 0;
  std::string optimizer;     // OptimizerOptions::describe()
  std::string cachedPrefix;  // the layer whose outputs are cached; empty when not caching
  bool cacheOnDisk = false;
  std::vector<double> classWeights;  // empty when not used
  std::string device;                // what the run computes on ("CPU (2 cores)")
  std::string precision;             // "fp32", "bf16", "fp16"
  bool channelsLast = false;         // rank-4 tensors in channels-last order
};

// "CPU (2 cores), fp32" and ", channels-last" when so: how the run computes, as the CLI and the
// GUI say it.
std::string computesOn(const TrainStartEvent& start);

struct BatchEvent {
  int epoch = 0;      // 1-based
  int64_t batch = 0;  // 1-based within the epoch
  int64_t batches = 0;
  int64_t size = 0;       // images in this batch
  double loss = 0.0;      // this batch's mean loss (class-weighted when weights are on)
  double accuracy = 0.0;  // this batch's accuracy
  double learningRate = 0.0;
  double etaSeconds = 0.0;  // estimated time to the end of the run
};

// A staged plan (runtime/training/trainer_stages.h) starting one of its stages; the stage's own
// onStart/onBatch/onEpoch events follow, with epochs counted from 1 within the stage.
struct StageEvent {
  int stage = 0;  // 1-based
  int stages = 0;
  std::string name;
  std::string scope;  // which layers train, for the user ("from block5_conv1 on")
  std::string optimizer;
  int epochs = 0;
  double pretrainedRateScale = 1.0;
  bool freezeBatchNorm = true;
  std::vector<std::string> trainableLayers;  // layers with weights that train in this stage
};

// Callbacks arrive on the thread running trainModel(). Keep them short.
class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  virtual void onStage(const StageEvent&) {}
  virtual void onStart(const TrainStartEvent&) {}
  virtual void onBatch(const BatchEvent&) {}
  virtual void onEpoch(const EpochEvent&) {}
  virtual void onNote(const std::string&) {}  // something the user should know
  // A finding of the training doctor (runtime/training/training_doctor.h), after the epoch's
  // onEpoch; the same code may come again in later epochs while the problem lasts.
  virtual void onDiagnosis(const Diagnosis&) {}
  virtual void onSkippedFile(const std::string& /*path*/, const std::string& /*reason*/) {}
};

enum class TrainStatus { Completed, Cancelled, Failed };

struct TrainResult {
  TrainStatus status = TrainStatus::Completed;
  std::string message;  // why it stopped, for Cancelled and Failed
  // The model after the last completed epoch (the input model when none completed; the best
  // epoch's with earlyStopping.restoreBest), with the data's class names as labels and the
  // freeze applied.
  Model model;
  int epochsCompleted = 0;
  bool stoppedEarly = false;           // early stopping ended a completed run before its last epoch
  std::optional<int> bestEpoch;        // lowest monitored loss (validation, else training)
  std::optional<int> checkpointEpoch;  // the epoch whose weights are at checkpointPath
  // The earlier epoch whose weights `model` holds when restoreBest took them (counted over a
  // plan's stages, as checkpointEpoch); unset when the model is the last epoch's. 0: the
  // weights the run started from (keepBetterStart), whose numbers are in `start`.
  std::optional<int> restoredEpoch;
  // With keepBetterStart and validation images: the starting weights' validation numbers
  // (epoch 0; no training figures).
  std::optional<EpochEvent> start;
  std::vector<EpochEvent> history;
  std::vector<std::pair<std::string, std::string>> skippedFiles;  // (path, reason)
  std::vector<Diagnosis> diagnoses;  // every finding of the training doctor, in order
};

// The epoch whose weights `result.model` holds: the restored one (`start` for epoch 0), else
// the last. What a metric of "the trained model" (a pipeline's val_accuracy check, train
// --json) describes. Throws graft::Error when no epoch completed.
const EpochEvent& modelEpoch(const TrainResult& result);

// Bad setup (unknown layer, class count that does not match the model's output, an
// impossible option) throws graft::Error before any training. Once training runs, a
// cancelled run, a NaN/Inf loss or a failed checkpoint write end it with a status and a
// message instead; the checkpoint file then holds the last good epoch (or nothing was
// written when no epoch completed).
TrainResult trainModel(const Model& model, const TrainingSet& data, const TrainOptions& options,
                       TrainObserver* observer = nullptr,
                       const std::atomic<bool>* cancel = nullptr);

}  // namespace graft
