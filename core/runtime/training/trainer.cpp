#include "runtime/training/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <sstream>

#include "graph/nearest_name.h"
#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "runtime/data/data_pipeline.h"
#include "runtime/data/image_signature.h"
#include "runtime/distributed/data_parallel.h"
#include "runtime/module/graph_module.h"
#include "runtime/module/weight_penalties.h"
#include "runtime/prediction/evaluate.h"
#include "runtime/system/clock.h"
#include "runtime/system/device.h"
#include "runtime/system/error_text.h"
#include "runtime/system/host_copy.h"
#include "runtime/system/memory_policy.h"
#include "runtime/system/threads.h"
#include "runtime/training/mixed_precision.h"
#include "runtime/training/step_graph.h"
#include "runtime/training/trainer_batches.h"
#include "runtime/training/trainer_best_epoch.h"
#include "runtime/training/trainer_checkpoint.h"
#include "runtime/training/trainer_checkups.h"
#include "runtime/training/trainer_distributed.h"
#include "runtime/training/trainer_events.h"
#include "runtime/training/trainer_graph.h"
#include "runtime/training/trainer_loss.h"
#include "runtime/training/trainer_optimizer.h"

namespace graft {

namespace {

// Files that do not begin as an image (an empty file, a git-lfs pointer) are skipped by every
// epoch: the counts the run starts with leave them out, as the data check's warning says.
int64_t samplesThatBeginAsImages(const std::vector<ImageSample>& samples) {
  return static_cast<int64_t>(
      std::count_if(samples.begin(), samples.end(), [](const ImageSample& sample) {
        return sample.path.empty() || beginsAsAnImage(sample.path);
      }));
}

using Clock = std::chrono::steady_clock;

// The texts data-parallel ranks compare (startDataParallel's JobFacts).
std::string joinedClassNames(const std::vector<std::string>& classes) {
  std::string text;
  for (const auto& c : classes) text += (text.empty() ? "" : ", ") + c;
  return text;
}

std::string scheduleDescription(const ScheduleOptions& s) {
  std::ostringstream text;
  text << scheduleName(s.kind) << " (every " << s.stepEpochs << ", factor " << s.factor
       << ", patience " << s.patience << ", min delta " << s.minDelta << ", min rate "
       << s.minLearningRate << ")";
  return text.str();
}

std::string augmentDescription(const AugmentOptions& a) {
  std::ostringstream text;
  text << a.describe() << " (crop area " << a.cropMinArea << ", rotation " << a.maxRotationDegrees
       << ", shift " << a.maxShift << ", brightness " << a.brightnessRange << ", contrast "
       << a.contrastRange << ")";
  return text.str();
}

std::string rateScalesDescription(const TrainOptions& options) {
  std::ostringstream text;
  for (const auto& [layer, scale] : options.layerRateScales) text << layer << " " << scale << "; ";
  return text.str();
}

// Frozen flags as asked, the data's classes as labels.
Model prepareModel(const Model& model, const TrainingSet& data, const TrainOptions& options) {
  Model working = model;
  if (!options.freezeUpto.empty()) {
    if (!model.graph.find(options.freezeUpto))
      throw Error(Diagnostic{options.freezeUpto, "--freeze-upto names no layer of the model" +
                                                     didYouMean(model.graph, options.freezeUpto)});
    ops::Selection upto;
    upto.upto = options.freezeUpto;
    auto edited = applyOperation(working, ops::freeze(upto));
    if (!edited) throw Error(edited.diagnostics());
    working = std::move(edited).value().model;
  }
  working.labels = data.classes;
  return working;
}

WeightStore merged(const WeightStore& base, const WeightStore& trained) {
  WeightStore out = base;
  for (const auto& layer : trained.layers()) out.set(layer, *trained.find(layer));
  return out;
}

// One run: trainModel() sets it up and calls run(), which goes through the epochs. Where the
// batches come from (TrainingBatches), what the doctor measures (TrainingCheckups), the
// checkpoint (CheckpointWriter) and the best epoch (BestEpoch) are parts it asks.
class TrainingRun {
 public:
  TrainingRun(const Model& model, const TrainingSet& data, const TrainOptions& options,
              TrainObserver* observer, const std::atomic<bool>* cancel)
      : data_(data),
        options_(options),
        events_(observer),
        cancel_(cancel),
        group_(options.dataParallel.get()),
        scaler_(options.precision == Precision::Float16),
        batches_(data, options, events_),
        checkpoint_(options),
        best_(options.earlyStopping) {
    setUp(model);
  }

  TrainResult run();

 private:
  struct Stop {
    TrainStatus status;
    std::string message;
  };
  void setUp(const Model& model);
  void chooseDevice();
  // The forward pass under the run's precision; the outputs in float32 for the loss.
  torch::Tensor forward(const torch::Tensor& images);
  // A training step's forward pass and loss: the loss to call backward on, and the numbers the
  // step reports (loss, correct predictions, the regularizers' penalty when there is one;
  // float64 on the device).
  struct StepTensors {
    torch::Tensor loss;
    torch::Tensor numbers;
  };
  StepTensors stepTensors(const torch::Tensor& images, const torch::Tensor& labels);
  // TrainOptions::cudaGraph: the step graph, or the one note that says why there is none.
  void setUpStepGraph();
  // The step graph took the batch: the whole step (optimizer's too) ran; the numbers on the host.
  std::optional<torch::Tensor> graphStep(const Batch& batch);
  bool cancelled() const { return cancel_ && cancel_->load(); }
  std::optional<Stop> trainEpoch(int epoch, EpochEvent& event);
  std::optional<Stop> validate(EpochEvent& event);
  // keepBetterStart: the starting weights' validation numbers (given, or measured now).
  std::optional<Stop> measureStart();
  void rememberIfBest(const EpochEvent& event);
  // keepBetterStart at the end of a run (completed, stopped or failed after an epoch) that ended
  // worse than it started: the best weights it saw (an epoch's or the start's). Returns why the
  // checkpoint was not written.
  std::optional<std::string> keepBetterStart();
  void report(const Diagnosis& finding);
  TrainResult finish(TrainStatus status, const std::string& message);
  void noteSkippedSteps();

  const TrainingSet& data_;
  const TrainOptions& options_;
  TrainEvents events_;
  const std::atomic<bool>* cancel_;
  DataParallel* group_;  // null: a single process
  ComputeDevice compute_;
  bool channelsLast_ = false;
  LossScaler scaler_;
  int64_t skippedNoted_ = 0;
  TrainingBatches batches_;
  CheckpointWriter checkpoint_;
  BestEpoch best_;

  Model working_;
  TrainHead head_;
  std::unique_ptr<GraphModule> trainable_;
  std::unique_ptr<TrainingCheckups> checkups_;
  std::unique_ptr<WeightPenalties> penalties_;  // Keras regularizers: part of every loss
  std::unique_ptr<KerasOptimizer> optimizer_;
  std::vector<torch::Tensor> parameters_;  // the ones the optimizer updates
  std::unique_ptr<LearningRateSchedule> schedule_;
  torch::Tensor classWeights_;
  std::unique_ptr<StepGraph> stepGraph_;  // TrainOptions::cudaGraph, where steps can be captured
  bool stepGraphNoted_ = false;           // the note on the capture (or its failure) is out

  // keepBetterStart: the lowest unpenalizedLoss among the start (epoch 0) and the epochs.
  struct BestSeen {
    double loss;
    int epoch;
    WeightStore weights;
  };
  std::optional<BestSeen> bestSeen_;

  TrainResult result_;
  Clock::time_point runStart_;
  int64_t batchesDone_ = 0;
};

void TrainingRun::setUp(const Model& model) {
  if (options_.epochs < 1)
    throw Error(
        Diagnostic{"--epochs", "must be at least 1, got " + std::to_string(options_.epochs)});
  if (options_.batchSize < 1)
    throw Error(Diagnostic{"--batch-size",
                           "must be at least 1, got " + std::to_string(options_.batchSize)});
  if (data_.train.empty()) throw Error("no training images");
  if (!options_.checkpointPath.empty() && !options_.saveModel)
    checkCheckpointPath(options_.checkpointPath);
  chooseDevice();

  working_ = prepareModel(model, data_, options_);
  // What it saves has been trained: reopened, its layers are no longer new, as the random start
  // a project records (graph/model.h, startedFromRandomWeights), nor pretrained: the user's own
  // (trainedFromRandomWeights).
  if (startedFromRandomWeights(working_))
    working_.weightsSource = kTrainedByGraftSource + working_.weightsSource;
  head_ = trainHead(working_.graph);
  checkClassCount(head_, data_.classes);
  if (!head_.note.empty()) events_.note(head_.note);
  channelsLast_ =
      computesChannelsLast(options_.channelsLast, compute_, options_.precision, head_.graph);
  batches_.useDevice(compute_.device, channelsLast_);
  const GraphAnalysis analysis = analyzeOrThrow(head_.graph);
  if (!hasTrainableWeights(head_.graph, analysis))
    throw Error("every layer with weights is frozen: nothing to train");
  const InputSpec input = inputSpecFor(working_, options_.freeInputSize);
  // A free input learns at this size: the model keeps it, so that predict, eval and the rest
  // measure it as it learned (they took 224, or refused, without a size). A model that sizes
  // its own images learned them so: nothing to keep.
  if (input.freeInput && !input.ownResize && input.height == input.width)
    working_.trainedInputSize = input.height;

  if (options_.cacheFrozen) batches_.planCache(head_.graph, analysis);

  // Same seed, same run: dropout draws from LibTorch's generator; shuffles and augmentation
  // from streams derived from the seed (dataset_random.h).
  torch::manual_seed(options_.seed);
  const Graph& trainGraph = batches_.trainGraph(head_.graph);
  trainable_ = std::make_unique<GraphModule>(trainGraph, weightsFor(trainGraph, working_.weights));
  trainable_->to(compute_.device);
  trainable_->useChannelsLast(channelsLast_);
  batches_.buildPrefix(working_.weights);
  std::vector<double> rateScales;
  for (const auto& item : trainable_->module().named_parameters()) {
    if (!item.value().requires_grad()) continue;
    parameters_.push_back(item.value());
    rateScales.push_back(layerRateScale(options_.layerRateScales, item.key()));
  }
  penalties_ = std::make_unique<WeightPenalties>(trainGraph, *trainable_);
  if (!penalties_->empty())
    events_.note("the loss includes the L1/L2 penalties of " +
                 std::to_string(penalties_->layerCount()) +
                 (penalties_->layerCount() == 1 ? " layer's" : " layers'") +
                 " weights (their Keras regularizers), as Keras's fit reports it");
  if (!penalties_->notApplied().empty()) events_.note(penalties_->notApplied());
  checkups_ = std::make_unique<TrainingCheckups>(trainGraph, *trainable_, options_);
  optimizer_ = std::make_unique<KerasOptimizer>(parameters_, options_.optimizer, rateScales);
  if (!(options_.labelSmoothing >= 0.0 && options_.labelSmoothing < 1.0))
    throw Error(Diagnostic{"--label-smoothing", "must be at least 0 and below 1, got " +
                                                    std::to_string(options_.labelSmoothing)});

  std::vector<int64_t> labels;
  for (const auto& s : data_.train) labels.push_back(s.label);
  std::vector<double> weights;
  if (options_.classWeights) {
    weights = balancedClassWeights(labels, data_.classes.size());
    classWeights_ = torch::tensor(weights, torch::kFloat32).to(compute_.device);
  }

  batches_.openLoaders(input);
  if (group_)
    startDataParallel(
        *group_, trainable_->module(),
        {{"training images", static_cast<double>(data_.train.size())},
         {"validation images", static_cast<double>(data_.validation.size())},
         {"classes", static_cast<double>(data_.classes.size())},
         {"trainable parameters", static_cast<double>(analysis.trainableParams)},
         {"batch size", static_cast<double>(options_.batchSize)},
         {"epochs", static_cast<double>(options_.epochs)},
         {"seed", static_cast<double>(options_.seed % (uint64_t{1} << 52))},
         {"computing on CUDA", compute_.device.is_cuda() ? 1.0 : 0.0},
         // Same counts with other class folders would sum unrelated gradients;
         // another rate or optimizer would let the ranks' copies drift apart.
         textFact("class names", joinedClassNames(data_.classes)),
         textFact("optimizer", options_.optimizer.describe()),
         textFact("learning rate schedule", scheduleDescription(options_.schedule)),
         {"label smoothing", options_.labelSmoothing},
         textFact("augmentation", augmentDescription(options_.augment)),
         {"class weights", options_.classWeights ? 1.0 : 0.0},
         // A rank stopping early alone would leave the others waiting in the
         // next exchange until the timeout.
         {"early stopping patience", static_cast<double>(options_.earlyStopping.patience)},
         {"early stopping min delta", options_.earlyStopping.minDelta},
         textFact("precision", precisionName(options_.precision)),
         textFact("layer learning rates", rateScalesDescription(options_))});
  if (group_) events_.note(dataParallelNote(*group_, options_.batchSize, batches_.trainShare()));
  schedule_ = std::make_unique<LearningRateSchedule>(options_.optimizer.effectiveLearningRate(),
                                                     options_.schedule,
                                                     batches_.batchesPerEpoch() * options_.epochs);
  if (options_.cudaGraph) setUpStepGraph();
  result_.model = working_;

  TrainStartEvent start;
  start.epochs = options_.epochs;
  start.batchesPerEpoch = batches_.batchesPerEpoch();
  start.trainImages = samplesThatBeginAsImages(data_.train);
  start.validationImages = samplesThatBeginAsImages(data_.validation);
  start.classes = data_.classes;
  start.trainableParams = analysis.trainableParams;
  start.frozenParams = analysis.nonTrainableParams();
  start.optimizer = options_.optimizer.describe();
  start.cachedPrefix = batches_.cachedPrefix();
  start.cacheOnDisk = batches_.cacheOnDisk();
  start.classWeights = weights;
  start.device = compute_.name;
  start.precision = precisionName(options_.precision);
  start.channelsLast = trainable_->channelsLast();  // what the module computes in, as told
  events_.start(start);
}

void TrainingRun::chooseDevice() {
  // A rank of a data-parallel run takes the GPU of its LOCAL_RANK; its CUDA tensors are
  // exchanged through NCCL where this LibTorch has it, else Gloo stages them through the host.
  if (group_) {
    const LaunchEnvironment& launch = group_->environment();
    compute_ =
        resolveDevice(rankDeviceChoice(options_.device, launch.localRank, launch.localWorldSize));
    // This thread computes the run: LibTorch's and NCCL's default device is the rank's GPU.
    makeCurrentDevice(compute_.device);
    group_->computeOn(compute_.device);
  } else {
    compute_ = resolveDevice(options_.device);
  }
  checkPrecisionOn(compute_, options_.precision);
}

torch::Tensor TrainingRun::forward(const torch::Tensor& images) {
  AutocastScope autocast(compute_.device, options_.precision);
  return trainable_->forward(images).to(torch::kFloat32);
}

TrainingRun::StepTensors TrainingRun::stepTensors(const torch::Tensor& images,
                                                  const torch::Tensor& labels) {
  const auto output = forward(images);
  auto losses = crossEntropyPerSample(output, labels, head_.kind, options_.labelSmoothing);
  if (classWeights_.defined()) losses = losses * classWeights_.index_select(0, labels);
  auto loss = losses.mean();
  // The regularizers' penalty rides along only when the model has some.
  std::vector<torch::Tensor> numbers;
  if (!penalties_->empty()) {
    const torch::Tensor penalty = penalties_->total();
    loss = loss + penalty;
    numbers.push_back(penalty.detach().to(torch::kFloat64));
  }
  numbers.insert(numbers.begin(), {loss.detach().to(torch::kFloat64),
                                   output.argmax(1).eq(labels).sum().to(torch::kFloat64)});
  return {loss, torch::stack(numbers)};
}

void TrainingRun::setUpStepGraph() {
  StepGraphConditions conditions;
  conditions.cuda = compute_.device.is_cuda();
  conditions.lossScaling = scaler_.enabled();
  conditions.dataParallel = group_ != nullptr;
  conditions.featureCache = !batches_.cachedPrefix().empty();
  if (auto why = whyStepsNotCaptured(conditions)) {
    events_.note("CUDA graph: not captured, " + *why + "; the steps run eagerly");
    return;
  }
  // The whole step but the optimizer's (the graph records that itself); no loss scaling here.
  stepGraph_ = std::make_unique<StepGraph>(
      *optimizer_,
      [this](const std::vector<torch::Tensor>& inputs) {
        StepTensors step = stepTensors(inputs.at(0), inputs.at(1));
        step.loss.backward();
        return std::vector<torch::Tensor>{step.numbers};
      },
      options_.batchSize);
}

std::optional<torch::Tensor> TrainingRun::graphStep(const Batch& batch) {
  if (!stepGraph_) return std::nullopt;  // the default: nothing more per step
  const std::vector<torch::Tensor> inputs = {batch.images, batch.labels};
  if (!stepGraph_->takes(inputs)) return std::nullopt;
  // The step's numbers are read after it, whole: a non-finite loss still stops the run, whose
  // weights are then the last completed epoch's (the step it took is never kept).
  HostCopy numbers(stepGraph_->run(inputs).front());
  torch::Tensor host = numbers.get();
  if (!stepGraphNoted_ && (stepGraph_->captured() || stepGraph_->failure())) {
    stepGraphNoted_ = true;
    events_.note(stepGraph_->failure() ? "CUDA graph: capturing the training step failed (" +
                                             *stepGraph_->failure() + "); the steps run eagerly"
                                       : "CUDA graph: the training step is captured after " +
                                             std::to_string(kStepGraphWarmupSteps) +
                                             " warm-up steps and replayed for every batch of " +
                                             std::to_string(options_.batchSize) + " images");
  }
  return host;
}

std::optional<TrainingRun::Stop> TrainingRun::trainEpoch(int epoch, EpochEvent& event) {
  const auto start = Clock::now();
  double waited = 0.0;
  const auto filled = batches_.fillCacheIfDue([this] { return cancelled(); });
  if (!filled) return Stop{TrainStatus::Cancelled, "cancelled during epoch 1"};
  waited += *filled;
  checkups_->startEpoch(schedule_->rate(epoch, batchesDone_));
  trainable_->train(true);
  batches_.startTrainingPass(epoch);
  const int64_t batchesPerEpoch = batches_.batchesPerEpoch();
  double lossSum = 0.0;
  double penaltySum = 0.0;
  int64_t correct = 0;
  int64_t images = 0;
  int64_t batchIndex = 0;
  for (;;) {
    // In a data-parallel run a rank asked to stop says so in the step's exchange instead, so
    // that every rank stops at the same step.
    if (!group_ && cancelled())
      return Stop{TrainStatus::Cancelled, "cancelled during epoch " + std::to_string(epoch)};
    auto batch = batches_.nextTraining();
    // Every rank runs the same number of steps; one whose last batches were unreadable takes
    // part in them with no images.
    if (!batch && (!group_ || batchIndex >= batchesPerEpoch)) break;
    ++batchIndex;
    optimizer_->setLearningRate(schedule_->rate(epoch, batchesDone_));
    ++batchesDone_;
    StepNumbers step;
    double localPenalty = 0.0;
    // TrainOptions::cudaGraph: the captured step, optimizer's included, where it takes the batch.
    std::optional<torch::Tensor> graphed = batch ? graphStep(*batch) : std::nullopt;
    if (!graphed) optimizer_->zeroGrad();
    if (batch) {
      torch::Tensor host;
      if (graphed) {
        host = *graphed;
      } else {
        // The numbers in one copy, started behind the forward pass and read once the backward
        // pass is queued (runtime/system/host_copy.h): on a GPU the read then waits for nothing.
        // A non-finite loss still stops the run before the optimizer takes the step.
        const StepTensors tensors = stepTensors(batch->images, batch->labels);
        HostCopy numbers(tensors.numbers);
        scaler_.scaled(tensors.loss).backward();
        host = numbers.get();
      }
      step.loss = host[0].item<double>();
      step.images = batch->labels.numel();
      step.correct = static_cast<int64_t>(host[1].item<double>());
      // The same on every rank of a data-parallel run (their weights are): no exchange.
      if (!penalties_->empty()) localPenalty = host[2].item<double>();
    } else if (!penalties_->empty()) {
      localPenalty = penalties_->total().item<double>();  // a rank left without images
    }
    if (group_) {
      const auto global = exchangeStep(*group_, parameters_, step, cancelled());
      if (!global)
        return Stop{TrainStatus::Cancelled, "cancelled during epoch " + std::to_string(epoch)};
      step = *global;
      if (step.images == 0) continue;  // no rank could read its batch: nothing to learn from
    }
    if (!std::isfinite(step.loss)) {
      const bool notANumber = std::isnan(step.loss);
      checkups_->lossNotFinite(epoch, batchIndex, notANumber, optimizer_->learningRate());
      std::ostringstream why;
      why << "the loss became " << (notANumber ? "NaN" : "infinite") << " at epoch " << epoch
          << ", batch " << batchIndex << " (is the learning rate, "
          << options_.optimizer.effectiveLearningRate() << ", too high for this model?)";
      return Stop{TrainStatus::Failed, why.str()};
    }
    // fp16: gradients that overflowed skip the step (and lower the loss scale). A captured step
    // has taken it already (never with fp16).
    if (!graphed) {
      const bool finite = scaler_.unscale(parameters_);
      scaler_.update(finite);
      if (finite) optimizer_->step();
    }

    lossSum += step.loss * static_cast<double>(step.images);
    penaltySum += localPenalty * static_cast<double>(step.images);
    correct += step.correct;
    images += step.images;
    if (auto why = batches_.reportUnreadable()) return Stop{TrainStatus::Failed, *why};

    BatchEvent be;
    be.epoch = epoch;
    be.batch = batchIndex;
    be.batches = batchesPerEpoch;
    be.size = step.images;
    be.loss = step.loss;
    be.accuracy = static_cast<double>(step.correct) / static_cast<double>(step.images);
    be.learningRate = optimizer_->learningRate();
    const int64_t total = batchesPerEpoch * options_.epochs;
    be.etaSeconds = secondsSince(runStart_) / static_cast<double>(batchesDone_) *
                    static_cast<double>(std::max<int64_t>(total - batchesDone_, 0));
    events_.batch(be);
  }
  waited += batches_.trainingPassWaitedSeconds();
  noteSkippedSteps();
  if (auto why = batches_.reportUnreadable()) return Stop{TrainStatus::Failed, *why};
  // Each rank's BatchNormalization layers (those that train) saw only its own batches.
  if (group_) averageBuffers(*group_, trainable_->module());
  if (images == 0)
    return Stop{TrainStatus::Failed, "none of the " + std::to_string(data_.train.size()) +
                                         " training images could be read"};
  const double seconds = secondsSince(start);
  event.loss = lossSum / static_cast<double>(images);
  event.penalty = penaltySum / static_cast<double>(images);
  event.accuracy = static_cast<double>(correct) / static_cast<double>(images);
  event.images = images;
  event.imagesPerSecond = static_cast<double>(images) / std::max(seconds, 1e-9);
  event.dataWaitFraction = waited / std::max(seconds, 1e-9);
  event.learningRate = optimizer_->learningRate();
  return std::nullopt;
}

std::optional<TrainingRun::Stop> TrainingRun::validate(EpochEvent& event) {
  if (data_.validation.empty()) return std::nullopt;
  trainable_->train(false);
  checkups_->startValidation();
  batches_.startValidationPass();
  ClassificationMetrics metrics(data_.classes.size());
  MetricsInFlight inFlight(metrics);
  torch::NoGradGuard noGrad;
  for (;;) {
    if (cancelled())
      return Stop{TrainStatus::Cancelled,
                  "cancelled while validating epoch " + std::to_string(event.epoch)};
    auto batch = batches_.nextValidation();
    if (!batch) break;
    checkups_->sawValidationBatch(batch->images);
    const auto output = forward(batch->images);
    inFlight.add(output.argmax(1), batch->labels,
                 crossEntropyPerSample(output, batch->labels, head_.kind, options_.labelSmoothing));
  }
  inFlight.finish();
  if (auto why = batches_.reportUnreadable()) return Stop{TrainStatus::Failed, *why};
  if (group_) metrics = sumOverRanks(*group_, metrics, data_.classes.size());
  if (metrics.count() == 0) return std::nullopt;  // every validation file was unreadable
  event.penalty = penalties_->empty() ? 0.0 : penalties_->total().item<double>();
  event.valLoss = metrics.meanLoss() + event.penalty;
  event.valAccuracy = metrics.accuracy();
  event.valClassAccuracy = metrics.recall();
  event.valConfusion = metrics.confusion();
  if (!std::isfinite(*event.valLoss)) {
    checkups_->lossNotFinite(event.epoch, 0, std::isnan(*event.valLoss),
                             optimizer_->learningRate());
    return Stop{TrainStatus::Failed,
                "the validation loss became NaN at epoch " + std::to_string(event.epoch)};
  }
  return std::nullopt;
}

std::optional<TrainingRun::Stop> TrainingRun::measureStart() {
  if (!options_.keepBetterStart || data_.validation.empty()) return std::nullopt;
  EpochEvent start;
  if (options_.startNumbers) {
    start = *options_.startNumbers;
  } else {
    start.epochs = options_.epochs;
    events_.note("measuring the model on the " + std::to_string(data_.validation.size()) +
                 " validation images before training: the run keeps it if training only makes it "
                 "worse");
    try {
      // A cached run computes the frozen layers' outputs first; validation reads them too.
      if (!batches_.fillCacheIfDue([this] { return cancelled(); }))
        return Stop{TrainStatus::Cancelled, "cancelled before epoch 1"};
      // A starting loss that is not finite: any epoch does better (nothing to keep).
      if (auto stop = validate(start)) {
        if (!(start.valLoss && !std::isfinite(*start.valLoss))) return stop;
        checkups_->forgetNonFinite();
      }
    } catch (const std::exception& e) {
      return Stop{TrainStatus::Failed, "measuring the starting weights failed: " + errorText(e)};
    }
  }
  if (!start.valLoss || !std::isfinite(*start.valLoss)) return std::nullopt;
  start.epoch = 0;
  result_.start = start;
  bestSeen_ = BestSeen{unpenalizedLoss(start), 0, working_.weights};
  return std::nullopt;
}

void TrainingRun::rememberIfBest(const EpochEvent& event) {
  if (bestSeen_ && event.valLoss && unpenalizedLoss(event) < bestSeen_->loss)
    *bestSeen_ = BestSeen{unpenalizedLoss(event), event.epoch, result_.model.weights};
}

std::optional<std::string> TrainingRun::keepBetterStart() {
  if (!bestSeen_ || result_.history.empty()) return std::nullopt;
  const EpochEvent& ended = modelEpoch(result_);
  const double startLoss = unpenalizedLoss(*result_.start);
  if (!ended.valLoss || !(unpenalizedLoss(ended) > startLoss)) return std::nullopt;
  const EpochEvent& kept = bestSeen_->epoch == 0
                               ? *result_.start
                               : result_.history.at(static_cast<size_t>(bestSeen_->epoch - 1));
  std::ostringstream note;
  note << "validation loss " << unpenalizedLoss(ended) << " at the end, above the " << startLoss
       << " of the weights this training started from: keeping "
       << (bestSeen_->epoch == 0 ? std::string("those")
                                 : "epoch " + std::to_string(bestSeen_->epoch) + ", the best");
  if (kept.valAccuracy) note << " (val_accuracy " << *kept.valAccuracy << ")";
  result_.model.weights = bestSeen_->weights;
  result_.restoredEpoch = bestSeen_->epoch;
  events_.note(note.str());
  return checkpoint_.holdEpoch(result_.model, kept);
}

TrainResult TrainingRun::run() {
  runStart_ = Clock::now();
  if (auto stop = measureStart()) return finish(stop->status, stop->message);
  for (int epoch = 1; epoch <= options_.epochs; ++epoch) {
    const auto start = Clock::now();
    EpochEvent event;
    event.epoch = epoch;
    event.epochs = options_.epochs;
    std::optional<Stop> stop;
    try {
      stop = trainEpoch(epoch, event);
      if (!stop) stop = validate(event);
      // Every image has been read once by the end of the first epoch. (A rank of a
      // data-parallel run reads only its share: there the check is left out.)
      if (!stop && epoch == 1 && !group_)
        if (auto why = batches_.classWithoutReadableImages())
          stop = Stop{TrainStatus::Failed, *why};
      if (!stop) checkups_->measureBatchNorm(head_.kind);
    } catch (const std::exception& e) {
      // Anything LibTorch or the loader throws mid-run (out of memory, a layer refusing a
      // batch) ends the run like a NaN does: with a message and the last good checkpoint.
      stop = Stop{TrainStatus::Failed,
                  "training failed in epoch " + std::to_string(epoch) + ": " + errorText(e)};
    }
    if (stop) {
      if (checkups_->nonFinite()) report(*checkups_->nonFinite());
      // Stopped or failed part-way, a run Graft chose still ends no worse than it started.
      if (auto notSaved = keepBetterStart()) return finish(TrainStatus::Failed, *notSaved);
      return finish(stop->status, stop->message);
    }
    event.seconds = secondsSince(start);

    result_.model.weights = merged(working_.weights, trainable_->weights());
    result_.epochsCompleted = epoch;
    const auto notSaved = checkpoint_.afterEpoch(result_.model, event);
    result_.history.push_back(event);
    try {
      events_.epoch(event);
      if (notSaved) return finish(TrainStatus::Failed, *notSaved);
      for (const Diagnosis& finding : checkups_->examine(event, data_.classes)) report(finding);
    } catch (const std::exception& e) {
      // The observer could not take the epoch (a --log on a full disk): the run ends saying
      // what the checkpoint holds, as a cancelled one does.
      return finish(TrainStatus::Failed, errorText(e));
    }

    rememberIfBest(event);
    const double monitored = monitoredLoss(event);
    const bool stopEarly = best_.endEpoch(epoch, monitored, result_.model.weights);
    if (schedule_->endEpoch(monitored))
      events_.note("no improvement for " + std::to_string(options_.schedule.patience) +
                   " epochs: learning rate lowered to " +
                   std::to_string(schedule_->rate(epoch + 1, batchesDone_)));
    if (stopEarly && epoch < options_.epochs) {
      result_.stoppedEarly = true;
      events_.note("stopped early after epoch " + std::to_string(epoch) + ": " +
                   (event.valLoss ? "validation" : "training") + " loss did not improve for " +
                   std::to_string(options_.earlyStopping.patience) + " epochs");
      break;
    }
  }
  if (const auto best = best_.epochToRestore(result_.epochsCompleted)) {
    result_.model.weights = best_.weights();
    result_.restoredEpoch = *best;
    events_.note("ending with the weights of epoch " + std::to_string(*best) + ", the best one");
    // The file then holds what the run returns, whatever the checkpoint mode.
    const EpochEvent& bestEvent = result_.history.at(static_cast<size_t>(*best - 1));
    if (auto notSaved = checkpoint_.holdEpoch(result_.model, bestEvent))
      return finish(TrainStatus::Failed, *notSaved);
  }
  if (auto notSaved = keepBetterStart()) return finish(TrainStatus::Failed, *notSaved);
  return finish(TrainStatus::Completed, "");
}

void TrainingRun::noteSkippedSteps() {
  if (scaler_.skippedSteps() == skippedNoted_) return;
  events_.note("fp16: " + std::to_string(scaler_.skippedSteps() - skippedNoted_) +
               " step(s) skipped because gradients overflowed; loss scale now " +
               std::to_string(static_cast<int64_t>(scaler_.scale())));
  skippedNoted_ = scaler_.skippedSteps();
}

void TrainingRun::report(const Diagnosis& finding) {
  result_.diagnoses.push_back(finding);
  events_.diagnosis(finding);
}

TrainResult TrainingRun::finish(TrainStatus status, const std::string& message) {
  result_.status = status;
  result_.message = message;
  if (status != TrainStatus::Completed)
    result_.message += checkpoint_.whatTheFileHolds(result_.epochsCompleted);
  result_.bestEpoch = best_.epoch();
  result_.checkpointEpoch = checkpoint_.savedEpoch();
  result_.skippedFiles = batches_.skippedFiles();
  return std::move(result_);
}

}  // namespace

TrainingSet prepareTrainingSet(const std::string& dataDir, const std::string& validationDir,
                               double validationFraction, uint64_t seed) {
  TrainingSet set;
  const ImageFolder folder = scanImageFolder(dataDir);
  checkClassesToTellApart(folder);
  set.classes = folder.classes;
  set.ignored = folder.ignored;
  if (!validationDir.empty()) {
    ImageFolderOptions options;
    options.classes = folder.classes;
    const ImageFolder validation = scanImageFolder(validationDir, options);
    set.train = folder.samples;
    set.validation = validation.samples;
    set.ignored.insert(set.ignored.end(), validation.ignored.begin(), validation.ignored.end());
    return set;
  }
  const DataSplit split = stratifiedSplit(folder, validationFraction, seed);
  for (size_t i : split.train) set.train.push_back(folder.samples[i]);
  for (size_t i : split.validation) set.validation.push_back(folder.samples[i]);
  return set;
}

const EpochEvent& modelEpoch(const TrainResult& result) {
  if (result.history.empty()) throw Error("training completed no epoch");
  if (result.restoredEpoch == 0 && result.start) return *result.start;
  if (result.restoredEpoch && *result.restoredEpoch >= 1 &&
      static_cast<size_t>(*result.restoredEpoch) <= result.history.size())
    return result.history[static_cast<size_t>(*result.restoredEpoch - 1)];
  return result.history.back();
}

bool keepModelClassOrder(TrainingSet& set, const std::vector<std::string>& modelClasses) {
  if (modelClasses == set.classes || modelClasses.size() != set.classes.size()) return false;
  std::vector<int64_t> newLabel(set.classes.size());
  for (size_t i = 0; i < set.classes.size(); ++i) {
    const auto at = std::find(modelClasses.begin(), modelClasses.end(), set.classes[i]);
    if (at == modelClasses.end()) return false;
    newLabel[i] = at - modelClasses.begin();
  }
  for (auto* samples : {&set.train, &set.validation})
    for (ImageSample& sample : *samples) sample.label = newLabel[static_cast<size_t>(sample.label)];
  set.classes = modelClasses;
  return true;
}

TrainResult trainModel(const Model& model, const TrainingSet& data, const TrainOptions& options,
                       TrainObserver* observer, const std::atomic<bool>* cancel) {
  // OpenMP's thread count is per calling thread: set it on the thread that trains.
  const int threads = useAllCoresForTorch();
  // Processes on one machine share its cores (torchrun sets LOCAL_WORLD_SIZE): the intra-op
  // threads, and the loader threads unless the user chose their number.
  TrainOptions shared = options;
  if (options.dataParallel && options.dataParallel->environment().localWorldSize > 1) {
    const int share = std::max(1, threads / options.dataParallel->environment().localWorldSize);
    at::set_num_threads(share);
    if (shared.workers == 0) shared.workers = share;
  }
  keepFreedMemoryForReuse();  // every step allocates and frees the same tensors
  // The program may go on after the run (the GUI): hand back what the run kept, also on throw.
  struct ReleaseAtEnd {
    ~ReleaseAtEnd() { releaseKeptMemory(); }
  } releaseAtEnd;
  TrainingRun run(model, data, shared, observer, cancel);
  return run.run();
}

std::string computesOn(const TrainStartEvent& start) {
  return start.device + ", " + start.precision + (start.channelsLast ? ", channels-last" : "");
}

}  // namespace graft
