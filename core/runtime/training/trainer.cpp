#include "runtime/training/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>

#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "runtime/data/data_pipeline.h"
#include "runtime/distributed/data_parallel.h"
#include "runtime/distributed/shard.h"
#include "runtime/module/graph_module.h"
#include "runtime/prediction/evaluate.h"
#include "runtime/system/clock.h"
#include "runtime/system/memory_policy.h"
#include "runtime/system/threads.h"
#include "runtime/training/trainer_checkpoint.h"
#include "runtime/training/trainer_distributed.h"
#include "runtime/training/trainer_feature_cache.h"
#include "runtime/training/trainer_graph.h"
#include "runtime/training/trainer_loss.h"
#include "runtime/training/trainer_optimizer.h"
#include "runtime/training/trainer_probe.h"

namespace graft {

namespace {

using Clock = std::chrono::steady_clock;

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Null-safe observer calls, and each unreadable file reported once.
class Events {
 public:
  explicit Events(TrainObserver* observer) : observer_(observer) {}
  void start(const TrainStartEvent& e) {
    if (observer_) observer_->onStart(e);
  }
  void batch(const BatchEvent& e) {
    if (observer_) observer_->onBatch(e);
  }
  void epoch(const EpochEvent& e) {
    if (observer_) observer_->onEpoch(e);
  }
  void note(const std::string& text) {
    if (observer_) observer_->onNote(text);
  }
  void diagnosis(const Diagnosis& d) {
    if (observer_) observer_->onDiagnosis(d);
  }
  void skipped(const SkippedFiles& files) {
    if (files.count() == reported_.size()) return;
    for (const auto& [path, reason] : files.list())
      if (reported_.insert(path).second && observer_) observer_->onSkippedFile(path, reason);
  }

 private:
  TrainObserver* observer_;
  std::set<std::string> reported_;
};

// Frozen flags as asked, the data's classes as labels.
Model prepareModel(const Model& model, const TrainingSet& data, const TrainOptions& options) {
  Model working = model;
  if (!options.freezeUpto.empty()) {
    if (!model.graph.find(options.freezeUpto))
      throw Error(Diagnostic{options.freezeUpto, "--freeze-upto names no layer of the model"});
    ops::Selection upto;
    upto.upto = options.freezeUpto;
    auto edited = applyOperation(working, ops::freeze(upto));
    if (!edited) throw Error(edited.diagnostics());
    working = std::move(edited).value().model;
  }
  working.labels = data.classes;
  return working;
}

// Shuffled training order for one epoch: a function of the seed and the epoch only.
std::vector<size_t> epochOrder(size_t count, uint64_t seed, int epoch) {
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  Random random(deriveSeed(seed, 0xE90C4, static_cast<uint64_t>(epoch)));
  random.shuffle(order);
  return order;
}

WeightStore merged(const WeightStore& base, const WeightStore& trained) {
  WeightStore out = base;
  for (const auto& layer : trained.layers()) out.set(layer, *trained.find(layer));
  return out;
}

// Everything one run holds; trainModel() sets it up and calls run().
class TrainingRun {
 public:
  TrainingRun(const Model& model, const TrainingSet& data, const TrainOptions& options,
              TrainObserver* observer, const std::atomic<bool>* cancel)
      : data_(data), options_(options), events_(observer), cancel_(cancel) {
    setUp(model);
  }

  TrainResult run();

 private:
  struct Stop {
    TrainStatus status;
    std::string message;
  };
  void setUp(const Model& model);
  // The factor for a parameter named "layer.weight" (GraphModule's naming).
  double layerRateScale(const std::string& parameterName) const {
    const auto it = options_.layerRateScales.find(parameterName.substr(0, parameterName.find('.')));
    return it == options_.layerRateScales.end() ? 1.0 : it->second;
  }
  bool cancelled() const { return cancel_ && cancel_->load(); }
  // This rank's share of `samples` (all of them in a single process).
  std::vector<size_t> myShare(std::vector<size_t> order, bool pad) const {
    if (!group_) return order;
    return shardOfOrder(order, group_->rank(), group_->worldSize(), pad);
  }
  // Next training or validation batch: from the loader, or from the feature cache.
  std::optional<Batch> nextBatch(bool validation);
  void planCache(const GraphAnalysis& analysis);
  void startTrainingPass(int epoch);
  void startValidationPass();
  bool fillCache();  // false when cancelled
  std::optional<Stop> trainEpoch(int epoch, EpochEvent& event);
  std::optional<Stop> validate(EpochEvent& event);
  std::optional<Stop> saveCheckpoint(EpochEvent& event);
  std::optional<Stop> tooManyUnreadable() const;
  void planDoctor(const Graph& trainGraph);
  void measureBatchNorm();
  void examine(const EpochEvent& event);
  void report(const Diagnosis& finding);
  TrainResult finish(TrainStatus status, const std::string& message);

  const TrainingSet& data_;
  const TrainOptions& options_;
  Events events_;
  const std::atomic<bool>* cancel_;
  DataParallel* group_ = nullptr;  // null: a single process

  Model working_;
  TrainHead head_;
  std::optional<FrozenSplit> split_;
  InputSpec input_;
  std::unique_ptr<GraphModule> trainable_;
  std::unique_ptr<GraphModule> prefix_;
  std::unique_ptr<KerasOptimizer> optimizer_;
  std::vector<torch::Tensor> parameters_;  // the ones the optimizer updates
  std::unique_ptr<LearningRateSchedule> schedule_;
  std::unique_ptr<EarlyStopping> earlyStopping_;
  WeightStore bestWeights_;
  double bestLoss_ = std::numeric_limits<double>::infinity();
  torch::Tensor classWeights_;
  std::shared_ptr<SkippedFiles> skipped_ = std::make_shared<SkippedFiles>();
  std::unique_ptr<BatchLoader> trainLoader_;
  std::unique_ptr<BatchLoader> validationLoader_;
  std::unique_ptr<FeatureCache> trainCache_;
  std::unique_ptr<FeatureCache> validationCache_;
  bool cacheReady_ = false;
  std::string cacheDirectory_;  // empty: the cache is in memory

  TrainResult result_;
  double bestMonitored_ = std::numeric_limits<double>::infinity();
  Clock::time_point runStart_;
  int64_t batchesPerEpoch_ = 0;
  int64_t batchesDone_ = 0;

  // The training doctor's measurements (runtime/training/training_doctor.h).
  bool batchNormTrains_ = false;           // a BatchNormalization layer of trainable_ trains
  torch::Tensor probeImages_;              // the epoch's first validation batch (when it does)
  std::optional<BatchNormProbe> probe_;    // this epoch's
  std::vector<torch::Tensor> pretrained_;  // parameters of pretrained layers that train
  double pretrainedScale_ = 1.0;           // their highest learning-rate factor
  WeightMovement pretrainedMovement_;      // from the first epoch their rate is too high
  std::vector<EpochCheckup> checkups_;
  std::optional<Diagnosis> nonFinite_;  // why a NaN / infinite loss stopped the run
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

  working_ = prepareModel(model, data_, options_);
  head_ = trainHead(working_.graph);
  if (head_.classes != static_cast<int64_t>(data_.classes.size()))
    throw Error(Diagnostic{head_.graph.outputs()[0],
                           "the model predicts " + std::to_string(head_.classes) +
                               " classes but the data has " + std::to_string(data_.classes.size()) +
                               " (" + joinNames(data_.classes) + "); give the model a top with " +
                               std::to_string(data_.classes.size()) +
                               " classes (e.g. a zoo model with --include-top --classes " +
                               std::to_string(data_.classes.size()) + ")"});
  if (!head_.note.empty()) events_.note(head_.note);
  const GraphAnalysis analysis = analyzeOrThrow(head_.graph);
  if (!hasTrainableWeights(head_.graph, analysis))
    throw Error("every layer with weights is frozen: nothing to train");
  input_ = inputSpecFor(working_, options_.freeInputSize);

  group_ = options_.dataParallel.get();
  if (options_.cacheFrozen) planCache(analysis);

  // Same seed, same run: dropout draws from LibTorch's generator; shuffles and augmentation
  // from streams derived from the seed (dataset_random.h).
  torch::manual_seed(options_.seed);
  const Graph& trainGraph = split_ ? split_->suffix : head_.graph;
  trainable_ = std::make_unique<GraphModule>(trainGraph, weightsFor(trainGraph, working_.weights));
  if (split_) {
    prefix_ =
        std::make_unique<GraphModule>(split_->prefix, weightsFor(split_->prefix, working_.weights));
    prefix_->train(false);
  }
  std::vector<torch::Tensor> parameters;
  std::vector<double> rateScales;
  for (const auto& item : trainable_->module().named_parameters()) {
    if (!item.value().requires_grad()) continue;
    parameters.push_back(item.value());
    rateScales.push_back(layerRateScale(item.key()));
  }
  parameters_ = parameters;
  planDoctor(trainGraph);
  optimizer_ = std::make_unique<KerasOptimizer>(parameters, options_.optimizer, rateScales);
  if (!(options_.labelSmoothing >= 0.0 && options_.labelSmoothing < 1.0))
    throw Error(Diagnostic{"--label-smoothing", "must be at least 0 and below 1, got " +
                                                    std::to_string(options_.labelSmoothing)});

  std::vector<int64_t> labels;
  for (const auto& s : data_.train) labels.push_back(s.label);
  std::vector<double> weights;
  if (options_.classWeights) {
    weights = balancedClassWeights(labels, data_.classes.size());
    classWeights_ = torch::tensor(weights, torch::kFloat32);
  }

  LoaderOptions loader;
  loader.batchSize = options_.batchSize;
  loader.workers = options_.workers;
  loader.prefetch = options_.prefetch;
  loader.seed = options_.seed;
  LoaderOptions plain = loader;
  loader.augment = options_.augment;
  trainLoader_ = std::make_unique<BatchLoader>(data_.train, input_, loader, skipped_);
  std::vector<ImageSample> validation = data_.validation;
  if (group_) {
    // Each rank validates its own strided share; the counts are summed in validate().
    std::vector<size_t> all(validation.size());
    std::iota(all.begin(), all.end(), size_t{0});
    validation.clear();
    for (size_t i : myShare(all, false)) validation.push_back(data_.validation[i]);
  }
  if (!data_.validation.empty())
    validationLoader_ = std::make_unique<BatchLoader>(validation, input_, plain, skipped_);

  const size_t trainShare = myShare(std::vector<size_t>(data_.train.size()), true).size();
  batchesPerEpoch_ = static_cast<int64_t>((trainShare + options_.batchSize - 1) /
                                          static_cast<size_t>(options_.batchSize));
  if (group_)
    startDataParallel(*group_, trainable_->module(),
                      {{"training images", static_cast<double>(data_.train.size())},
                       {"validation images", static_cast<double>(data_.validation.size())},
                       {"classes", static_cast<double>(data_.classes.size())},
                       {"trainable parameters", static_cast<double>(analysis.trainableParams)},
                       {"batch size", static_cast<double>(options_.batchSize)},
                       {"epochs", static_cast<double>(options_.epochs)},
                       {"seed", static_cast<double>(options_.seed % (uint64_t{1} << 52))}});
  if (group_)
    events_.note("data-parallel over " + std::to_string(group_->worldSize()) +
                 " processes (gloo; " + group_->environment().describe() +
                 "): " + std::to_string(options_.batchSize) + " images per process and step, " +
                 std::to_string(options_.batchSize * group_->worldSize()) + " per step; " +
                 std::to_string(trainShare) + " training images per process and epoch");
  schedule_ =
      std::make_unique<LearningRateSchedule>(options_.optimizer.effectiveLearningRate(),
                                             options_.schedule, batchesPerEpoch_ * options_.epochs);
  earlyStopping_ = std::make_unique<EarlyStopping>(options_.earlyStopping);
  result_.model = working_;

  TrainStartEvent start;
  start.epochs = options_.epochs;
  start.batchesPerEpoch = batchesPerEpoch_;
  start.trainImages = static_cast<int64_t>(data_.train.size());
  start.validationImages = static_cast<int64_t>(data_.validation.size());
  start.classes = data_.classes;
  start.trainableParams = analysis.trainableParams;
  start.frozenParams = analysis.nonTrainableParams();
  start.optimizer = options_.optimizer.describe();
  start.cachedPrefix = split_ ? split_->boundary : "";
  start.cacheOnDisk = split_ && !cacheDirectory_.empty();
  start.classWeights = weights;
  events_.start(start);
}

void TrainingRun::planDoctor(const Graph& trainGraph) {
  for (const auto& node : trainGraph.nodes())
    if (node.className == "BatchNormalization" && node.trainable) batchNormTrains_ = true;
  // GraphModule names a layer's parameters "layer.weight", with '.' in the layer name as '_'.
  std::set<std::string> pretrained;
  for (std::string name : options_.pretrainedLayers) {
    std::replace(name.begin(), name.end(), '.', '_');
    pretrained.insert(name);
  }
  bool any = false;
  for (const auto& item : trainable_->module().named_parameters()) {
    if (!item.value().requires_grad()) continue;
    if (!pretrained.count(item.key().substr(0, item.key().find('.')))) continue;
    const double scale = layerRateScale(item.key());
    pretrainedScale_ = any ? std::max(pretrainedScale_, scale) : scale;
    any = true;
    pretrained_.push_back(item.value());
  }
}

void TrainingRun::planCache(const GraphAnalysis& analysis) {
  if (options_.augment.any()) {
    events_.note("--cache-frozen is not used: augmentation (" + options_.augment.describe() +
                 ") changes what the frozen layers see every epoch");
    return;
  }
  FrozenSplit split = splitFrozenPrefix(head_.graph, analysis);
  if (split.boundary.empty()) {
    events_.note("--cache-frozen is not used: " + split.reason);
    return;
  }
  if (split.featureElements <= 0) {
    events_.note("--cache-frozen is not used: the output size of " + split.boundary +
                 " depends on the image size");
    return;
  }
  const auto images = static_cast<int64_t>(data_.train.size() + data_.validation.size());
  const int64_t bytes = split.featureElements * images * 4;
  if (bytes > options_.cacheMemoryLimitBytes) {
    std::error_code ec;
    const std::string dir = options_.cacheDirectory.empty()
                                ? std::filesystem::temp_directory_path(ec).string()
                                : options_.cacheDirectory;
    const auto space = std::filesystem::space(dir, ec);
    constexpr int64_t kHeadroom = int64_t{256} << 20;  // leave the disk usable
    if (ec || static_cast<int64_t>(space.available) < bytes + kHeadroom) {
      events_.note("--cache-frozen is not used: the outputs of " + split.boundary + " take " +
                   std::to_string(bytes >> 20) + " MiB, more than memory allows (" +
                   std::to_string(options_.cacheMemoryLimitBytes >> 20) + " MiB) and than " +
                   (dir.empty() ? std::string("the temporary folder") : dir) + " has free");
      return;
    }
    cacheDirectory_ = dir;
    events_.note("--cache-frozen: the outputs of " + split.boundary + " take " +
                 std::to_string(bytes >> 20) + " MiB; they are kept in a file in " + dir +
                 " (removed when the run ends)");
  }
  split_ = std::move(split);
}

void TrainingRun::startTrainingPass(int epoch) {
  auto order = myShare(epochOrder(data_.train.size(), options_.seed, epoch), true);
  if (cacheReady_)
    trainCache_->start(std::move(order));
  else
    trainLoader_->start(std::move(order), static_cast<uint64_t>(epoch));
}

void TrainingRun::startValidationPass() {
  if (cacheReady_)
    validationCache_->startInOrder();
  else
    validationLoader_->startInOrder();
}

std::optional<Batch> TrainingRun::nextBatch(bool validation) {
  if (cacheReady_) return (validation ? validationCache_ : trainCache_)->next();
  return (validation ? validationLoader_ : trainLoader_)->next();
}

bool TrainingRun::fillCache() {
  auto fill = [&](BatchLoader& loader, std::unique_ptr<FeatureCache>& cache) {
    cache = std::make_unique<FeatureCache>(loader.samples().size(), options_.batchSize,
                                           cacheDirectory_);
    loader.startInOrder();
    torch::NoGradGuard noGrad;
    while (auto batch = loader.next()) {
      if (cancelled()) return false;
      cache->store(*batch, prefix_->forward(batch->images));
      events_.skipped(*skipped_);
    }
    return true;
  };
  if (!fill(*trainLoader_, trainCache_)) return false;
  if (validationLoader_ && !fill(*validationLoader_, validationCache_)) return false;
  cacheReady_ = true;
  return true;
}

std::optional<TrainingRun::Stop> TrainingRun::trainEpoch(int epoch, EpochEvent& event) {
  const auto start = Clock::now();
  double waited = 0.0;
  if (split_ && !cacheReady_) {
    // The first epoch computes the frozen prefix's outputs; later ones only read them.
    if (!fillCache()) return Stop{TrainStatus::Cancelled, "cancelled during epoch 1"};
    waited += trainLoader_->waitedSeconds() +
              (validationLoader_ ? validationLoader_->waitedSeconds() : 0.0);
  }
  // From the first epoch at a rate above the limit on, the doctor compares the pretrained
  // weights with what they were then.
  if (!pretrained_.empty() && !pretrainedMovement_.started() &&
      schedule_->rate(epoch, batchesDone_) * pretrainedScale_ >
          pretrainedRateLimit(optimizerName(options_.optimizer.kind)))
    pretrainedMovement_.start(pretrained_);
  trainable_->train(true);
  startTrainingPass(epoch);
  double lossSum = 0.0;
  int64_t correct = 0;
  int64_t images = 0;
  int64_t batchIndex = 0;
  for (;;) {
    // In a data-parallel run a rank asked to stop says so in the step's exchange instead, so
    // that every rank stops at the same step.
    if (!group_ && cancelled())
      return Stop{TrainStatus::Cancelled, "cancelled during epoch " + std::to_string(epoch)};
    auto batch = nextBatch(false);
    // Every rank runs the same number of steps; one whose last batches were unreadable takes
    // part in them with no images.
    if (!batch && (!group_ || batchIndex >= batchesPerEpoch_)) break;
    ++batchIndex;
    optimizer_->setLearningRate(schedule_->rate(epoch, batchesDone_));
    ++batchesDone_;
    optimizer_->zeroGrad();
    double value = 0.0;
    int64_t n = 0;
    int64_t right = 0;
    if (batch) {
      const auto output = trainable_->forward(batch->images);
      auto losses =
          crossEntropyPerSample(output, batch->labels, head_.kind, options_.labelSmoothing);
      if (classWeights_.defined()) losses = losses * classWeights_.index_select(0, batch->labels);
      const auto loss = losses.mean();
      value = loss.item<double>();
      n = batch->labels.numel();
      right = output.argmax(1).eq(batch->labels).sum().item<int64_t>();
      if (std::isfinite(value) || group_) loss.backward();
    }
    if (group_) {
      StepTotals local;
      local.images = static_cast<double>(n);
      local.lossSum = value * static_cast<double>(n);
      local.correct = static_cast<double>(right);
      local.cancelled = cancelled();
      const StepTotals global = exchangeGradients(*group_, parameters_, local);
      if (global.cancelled)
        return Stop{TrainStatus::Cancelled, "cancelled during epoch " + std::to_string(epoch)};
      n = static_cast<int64_t>(global.images);
      right = static_cast<int64_t>(global.correct);
      value = n > 0 ? global.lossSum / global.images : 0.0;
      if (n == 0) continue;  // no rank could read its batch: nothing to learn from
    }
    if (!std::isfinite(value)) {
      nonFinite_ = nonFiniteLoss(epoch, batchIndex, std::isnan(value), optimizer_->learningRate());
      std::ostringstream why;
      why << "the loss became " << (std::isnan(value) ? "NaN" : "infinite") << " at epoch " << epoch
          << ", batch " << batchIndex << " (is the learning rate, "
          << options_.optimizer.effectiveLearningRate() << ", too high for this model?)";
      return Stop{TrainStatus::Failed, why.str()};
    }
    optimizer_->step();

    lossSum += value * static_cast<double>(n);
    correct += right;
    images += n;
    events_.skipped(*skipped_);
    if (auto stop = tooManyUnreadable()) return stop;

    BatchEvent be;
    be.epoch = epoch;
    be.batch = batchIndex;
    be.batches = batchesPerEpoch_;
    be.size = n;
    be.loss = value;
    be.accuracy = static_cast<double>(right) / static_cast<double>(n);
    be.learningRate = optimizer_->learningRate();
    const int64_t total = batchesPerEpoch_ * options_.epochs;
    be.etaSeconds = secondsSince(runStart_) / static_cast<double>(batchesDone_) *
                    static_cast<double>(std::max<int64_t>(total - batchesDone_, 0));
    events_.batch(be);
  }
  if (!cacheReady_) waited += trainLoader_->waitedSeconds();
  events_.skipped(*skipped_);
  if (auto stop = tooManyUnreadable()) return stop;
  // Each rank's BatchNormalization layers (those that train) saw only its own batches.
  if (group_) averageBuffers(*group_, trainable_->module());
  if (images == 0)
    return Stop{TrainStatus::Failed, "none of the " + std::to_string(data_.train.size()) +
                                         " training images could be read"};
  const double seconds = secondsSince(start);
  event.loss = lossSum / static_cast<double>(images);
  event.accuracy = static_cast<double>(correct) / static_cast<double>(images);
  event.images = images;
  event.imagesPerSecond = static_cast<double>(images) / std::max(seconds, 1e-9);
  event.dataWaitFraction = waited / std::max(seconds, 1e-9);
  event.learningRate = optimizer_->learningRate();
  return std::nullopt;
}

std::optional<TrainingRun::Stop> TrainingRun::validate(EpochEvent& event) {
  if (data_.validation.empty()) return std::nullopt;
  auto summedOverRanks = [&](const ClassificationMetrics& mine) {
    return ClassificationMetrics::fromCounts(
        data_.classes.size(), group_->sumOverRanks(mine.counts(), "summing validation metrics"));
  };
  trainable_->train(false);
  probeImages_ = torch::Tensor();
  startValidationPass();
  ClassificationMetrics metrics(data_.classes.size());
  torch::NoGradGuard noGrad;
  for (;;) {
    if (cancelled())
      return Stop{TrainStatus::Cancelled,
                  "cancelled while validating epoch " + std::to_string(event.epoch)};
    auto batch = nextBatch(true);
    if (!batch) break;
    if (batchNormTrains_ && !probeImages_.defined()) probeImages_ = batch->images;
    const auto output = trainable_->forward(batch->images);
    metrics.add(output.argmax(1), batch->labels,
                crossEntropyPerSample(output, batch->labels, head_.kind, options_.labelSmoothing));
  }
  events_.skipped(*skipped_);
  if (auto stop = tooManyUnreadable()) return stop;
  if (group_) metrics = summedOverRanks(metrics);
  if (metrics.count() == 0) return std::nullopt;  // every validation file was unreadable
  event.valLoss = metrics.meanLoss();
  event.valAccuracy = metrics.accuracy();
  event.valClassAccuracy = metrics.recall();
  event.valConfusion = metrics.confusion();
  if (!std::isfinite(*event.valLoss)) {
    nonFinite_ =
        nonFiniteLoss(event.epoch, 0, std::isnan(*event.valLoss), optimizer_->learningRate());
    return Stop{TrainStatus::Failed,
                "the validation loss became NaN at epoch " + std::to_string(event.epoch)};
  }
  return std::nullopt;
}

std::optional<TrainingRun::Stop> TrainingRun::tooManyUnreadable() const {
  const size_t total = data_.train.size() + data_.validation.size();
  const size_t unreadable = skipped_->count();
  if (static_cast<double>(unreadable) <=
      options_.maxUnreadableFraction * static_cast<double>(total))
    return std::nullopt;
  std::ostringstream why;
  why << unreadable << " of " << total << " images could not be read, more than "
      << options_.maxUnreadableFraction * 100.0
      << " % (did the data folder change during the run?): ";
  const auto files = skipped_->list();
  constexpr size_t kNamed = 3;
  for (size_t i = 0; i < std::min(files.size(), kNamed); ++i)
    why << (i ? "; " : "") << files[i].second;
  if (files.size() > kNamed) why << "; and " << files.size() - kNamed << " more";
  return Stop{TrainStatus::Failed, why.str()};
}

std::optional<TrainingRun::Stop> TrainingRun::saveCheckpoint(EpochEvent& event) {
  const double monitored = event.valLoss ? *event.valLoss : event.loss;
  if (options_.checkpointPath.empty()) return std::nullopt;
  if (options_.checkpointMode == CheckpointMode::Best && !(monitored < bestMonitored_))
    return std::nullopt;
  std::optional<Stop> failed;
  // Every rank holds the same weights; one writer is enough, and two would race.
  if (!group_ || group_->isRankZero()) {
    try {
      if (options_.saveModel)
        options_.saveModel(result_.model, options_.checkpointPath);
      else
        saveTrainedModel(result_.model, options_.checkpointPath);
      result_.checkpointEpoch = event.epoch;
    } catch (const std::exception& e) {
      failed = Stop{TrainStatus::Failed, std::string("could not save the checkpoint: ") + e.what()};
    }
  }
  if (group_) {
    // The other ranks learn whether rank 0's write worked, and stop with it when it did not.
    try {
      const bool anyFailed =
          group_->sumOverRanks({failed ? 1.0 : 0.0}, "confirming the checkpoint")[0] > 0;
      if (anyFailed && !failed)
        failed = Stop{TrainStatus::Failed, "rank 0 could not save the checkpoint"};
      if (!anyFailed) result_.checkpointEpoch = event.epoch;
    } catch (const std::exception& e) {
      if (!failed) failed = Stop{TrainStatus::Failed, e.what()};
    }
  }
  if (failed) return failed;
  bestMonitored_ = monitored;
  event.checkpointSaved = true;
  return std::nullopt;
}

TrainResult TrainingRun::run() {
  runStart_ = Clock::now();
  for (int epoch = 1; epoch <= options_.epochs; ++epoch) {
    const auto start = Clock::now();
    EpochEvent event;
    event.epoch = epoch;
    event.epochs = options_.epochs;
    std::optional<Stop> stop;
    try {
      stop = trainEpoch(epoch, event);
      if (!stop) stop = validate(event);
      if (!stop) measureBatchNorm();
    } catch (const std::exception& e) {
      // Anything LibTorch or the loader throws mid-run (out of memory, a layer refusing a
      // batch) ends the run like a NaN does: with a message and the last good checkpoint.
      stop = Stop{TrainStatus::Failed,
                  "training failed in epoch " + std::to_string(epoch) + ": " + e.what()};
    }
    if (stop) {
      if (nonFinite_) report(*nonFinite_);
      return finish(stop->status, stop->message);
    }
    event.seconds = secondsSince(start);

    result_.model.weights = merged(working_.weights, trainable_->weights());
    result_.epochsCompleted = epoch;
    stop = saveCheckpoint(event);
    result_.history.push_back(event);
    events_.epoch(event);
    if (stop) return finish(stop->status, stop->message);
    examine(event);

    const double monitored = event.valLoss ? *event.valLoss : event.loss;
    if (monitored < bestLoss_) {
      bestLoss_ = monitored;
      result_.bestEpoch = epoch;
      if (options_.earlyStopping.restoreBest) bestWeights_ = result_.model.weights;
    }
    if (schedule_->endEpoch(monitored))
      events_.note("no improvement for " + std::to_string(options_.schedule.patience) +
                   " epochs: learning rate lowered to " +
                   std::to_string(schedule_->rate(epoch + 1, batchesDone_)));
    if (earlyStopping_->endEpoch(monitored) && epoch < options_.epochs) {
      result_.stoppedEarly = true;
      events_.note("stopped early after epoch " + std::to_string(epoch) + ": " +
                   (event.valLoss ? "validation" : "training") + " loss did not improve for " +
                   std::to_string(options_.earlyStopping.patience) + " epochs");
      break;
    }
  }
  if (options_.earlyStopping.restoreBest && !bestWeights_.empty() &&
      result_.bestEpoch != result_.epochsCompleted) {
    result_.model.weights = bestWeights_;
    events_.note("ending with the weights of epoch " + std::to_string(*result_.bestEpoch) +
                 ", the best one");
    // The file then holds what the run returns, whatever the checkpoint mode.
    if (!options_.checkpointPath.empty() && result_.checkpointEpoch != result_.bestEpoch) {
      EpochEvent best = result_.history.at(static_cast<size_t>(*result_.bestEpoch - 1));
      bestMonitored_ = std::numeric_limits<double>::infinity();
      if (auto stop = saveCheckpoint(best)) return finish(stop->status, stop->message);
    }
  }
  return finish(TrainStatus::Completed, "");
}

void TrainingRun::measureBatchNorm() {
  probe_.reset();
  if (!probeImages_.defined()) return;
  try {
    probe_ = probeBatchNorm(*trainable_, probeImages_, head_.kind);
  } catch (const std::exception&) {
    // A measurement for advice only: a run that trains fine is not ended by it.
  }
  probeImages_ = torch::Tensor();
}

void TrainingRun::examine(const EpochEvent& event) {
  EpochCheckup checkup;
  checkup.epoch = event.epoch;
  checkup.loss = event.loss;
  checkup.accuracy = event.accuracy;
  checkup.valLoss = event.valLoss;
  checkup.valAccuracy = event.valAccuracy;
  checkup.valConfusion = event.valConfusion;
  checkup.learningRate = event.learningRate;
  if (probe_) {
    checkup.batchNormDistance = probe_->distance;
    checkup.batchNormChanged = probe_->changed;
  }
  checkup.optimizer = optimizerName(options_.optimizer.kind);
  if (!pretrained_.empty()) checkup.pretrainedRate = event.learningRate * pretrainedScale_;
  if (pretrainedMovement_.started())
    checkup.pretrainedChange = pretrainedMovement_.relativeChange();
  checkups_.push_back(std::move(checkup));
  for (const Diagnosis& finding : examineEpoch(checkups_, data_.classes)) report(finding);
}

void TrainingRun::report(const Diagnosis& finding) {
  result_.diagnoses.push_back(finding);
  events_.diagnosis(finding);
}

TrainResult TrainingRun::finish(TrainStatus status, const std::string& message) {
  result_.status = status;
  result_.message = message;
  if (status != TrainStatus::Completed && !options_.checkpointPath.empty()) {
    result_.message += result_.checkpointEpoch ? "; " + options_.checkpointPath + " holds epoch " +
                                                     std::to_string(*result_.checkpointEpoch)
                                               : "; no epoch completed, nothing was written to " +
                                                     options_.checkpointPath;
  }
  result_.skippedFiles = skipped_->list();
  return std::move(result_);
}

}  // namespace

TrainingSet prepareTrainingSet(const std::string& dataDir, const std::string& validationDir,
                               double validationFraction, uint64_t seed) {
  TrainingSet set;
  const ImageFolder folder = scanImageFolder(dataDir);
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

}  // namespace graft
