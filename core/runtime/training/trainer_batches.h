#pragma once
// Where a training run's batches come from: the loaders that decode the images, or, with
// --cache-frozen, the frozen prefix's outputs computed once in the first epoch
// (trainer_feature_cache.h), so that the run itself only asks for the next batch. In a
// data-parallel run each rank reads its own share of every pass. The files found unreadable on
// the way are reported here too, with the rule that ends a run when too many are.
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/data/data_pipeline.h"
#include "runtime/module/graph_module.h"
#include "runtime/training/trainer.h"
#include "runtime/training/trainer_events.h"
#include "runtime/training/trainer_feature_cache.h"
#include "runtime/training/trainer_graph.h"

namespace graft {

class TrainingBatches {
 public:
  // `data`, `options` and `events` must outlive this.
  TrainingBatches(const TrainingSet& data, const TrainOptions& options, TrainEvents& events);

  // Set-up, in this order. useDevice: where the batches go (the CPU unless called); on CUDA
  // they are decoded into pinned host memory and copied one batch ahead, asynchronously;
  // channelsLast: the cached prefix computes in channels-last order (GraphModule).
  void useDevice(const torch::Device& device, bool channelsLast);
  // planCache (only with --cache-frozen) decides whether the frozen
  // prefix of `headGraph` can be cached and where (in memory, or in a file past the memory
  // limit), with a note when it cannot or goes to a file.
  void planCache(const Graph& headGraph, const GraphAnalysis& analysis);
  // The part of `headGraph` the run trains: all of it, or what follows the cached prefix.
  const Graph& trainGraph(const Graph& headGraph) const;
  // The cached prefix as a module in inference mode (nothing when not caching).
  void buildPrefix(const WeightStore& weights);
  void openLoaders(const InputSpec& input);

  size_t trainShare() const { return trainShare_; }  // training images per epoch (this rank)
  int64_t batchesPerEpoch() const { return batchesPerEpoch_; }
  std::string cachedPrefix() const { return split_ ? split_->boundary : ""; }
  bool cacheOnDisk() const { return split_ && !cacheDirectory_.empty(); }

  // A cached run's first epoch first runs every image through the prefix; later epochs only
  // read the cache. Returns the seconds spent waiting for the loaders meanwhile (0 when there
  // was nothing to compute), nullopt when `cancelled` said so.
  std::optional<double> fillCacheIfDue(const std::function<bool()>& cancelled);
  // A training pass in the epoch's shuffled order, or a validation pass in file order; next()
  // gives their batches, on the device, nullopt at the end.
  void startTrainingPass(int epoch);
  void startValidationPass();
  std::optional<Batch> nextTraining();
  std::optional<Batch> nextValidation();
  // What the training pass waited for the loader (0 once batches come from the cache).
  double trainingPassWaitedSeconds() const;

  // Reports the files found unreadable since the last call; returns why the run must stop
  // when more than TrainOptions::maxUnreadableFraction of the images are unreadable.
  std::optional<std::string> reportUnreadable();
  // After the first epoch, when every image has been read once: why the run cannot go on when
  // a class has images but none of them could be read, or none of its training images (the
  // model would be trained for a class it never sees), naming the class; nullopt otherwise.
  std::optional<std::string> classWithoutReadableImages() const;
  std::vector<std::pair<std::string, std::string>> skippedFiles() const;

 private:
  // This rank's share of `order` (all of it in a single process).
  std::vector<size_t> myShare(std::vector<size_t> order, bool pad) const;
  std::optional<std::string> tooManyUnreadable() const;
  // The source's next batch, with its copy to the device under way.
  std::optional<Batch> sent(std::optional<Batch> batch) const;
  // The batch sent before, while the one after it is sent (one ahead on CUDA).
  std::optional<Batch> oneAhead(const std::function<std::optional<Batch>()>& source);

  const TrainingSet& data_;
  const TrainOptions& options_;
  TrainEvents& events_;
  DataParallel* group_;  // null: a single process
  torch::Device device_ = torch::kCPU;
  bool channelsLast_ = false;
  std::optional<Batch> ahead_;  // sent, not yet given out
  bool aheadStarted_ = false;   // the pass's first batch was sent

  std::optional<FrozenSplit> split_;  // set: the prefix is cached
  std::string cacheDirectory_;        // empty: the cache is in memory
  std::unique_ptr<GraphModule> prefix_;
  std::shared_ptr<SkippedFiles> skipped_ = std::make_shared<SkippedFiles>();
  std::unique_ptr<BatchLoader> trainLoader_;
  std::unique_ptr<BatchLoader> validationLoader_;  // null without validation images
  std::unique_ptr<FeatureCache> trainCache_;
  std::unique_ptr<FeatureCache> validationCache_;
  bool cacheReady_ = false;
  size_t trainShare_ = 0;
  int64_t batchesPerEpoch_ = 0;
};

}  // namespace graft
