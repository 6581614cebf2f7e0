#include "runtime/training/trainer_batches.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>
#include <sstream>

#include "runtime/data/dataset_random.h"
#include "runtime/distributed/data_parallel.h"
#include "runtime/distributed/shard.h"
#include "runtime/training/unreadable_images.h"

namespace graft {

namespace {

// Shuffled training order for one epoch: a function of the seed and the epoch only.
std::vector<size_t> epochOrder(size_t count, uint64_t seed, int epoch) {
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  Random random(deriveSeed(seed, 0xE90C4, static_cast<uint64_t>(epoch)));
  random.shuffle(order);
  return order;
}

}  // namespace

TrainingBatches::TrainingBatches(const TrainingSet& data, const TrainOptions& options,
                                 TrainEvents& events)
    : data_(data), options_(options), events_(events), group_(options.dataParallel.get()) {}

void TrainingBatches::useDevice(const torch::Device& device, bool channelsLast) {
  device_ = device;
  channelsLast_ = channelsLast;
}

void TrainingBatches::planCache(const Graph& headGraph, const GraphAnalysis& analysis) {
  if (options_.augment.any()) {
    events_.note("--cache-frozen is not used: augmentation (" + options_.augment.describe() +
                 ") changes what the frozen layers see every epoch");
    return;
  }
  FrozenSplit split = splitFrozenPrefix(headGraph, analysis);
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

const Graph& TrainingBatches::trainGraph(const Graph& headGraph) const {
  return split_ ? split_->suffix : headGraph;
}

void TrainingBatches::buildPrefix(const WeightStore& weights) {
  if (!split_) return;
  prefix_ = std::make_unique<GraphModule>(split_->prefix, weightsFor(split_->prefix, weights));
  prefix_->to(device_);
  prefix_->useChannelsLast(channelsLast_);
  prefix_->train(false);
}

void TrainingBatches::openLoaders(const InputSpec& input) {
  LoaderOptions loader;
  loader.batchSize = options_.batchSize;
  loader.workers = options_.workers;
  loader.prefetch = options_.prefetch;
  loader.seed = options_.seed;
  loader.pinMemory = device_.is_cuda();
  LoaderOptions plain = loader;
  loader.augment = options_.augment;
  trainLoader_ = std::make_unique<BatchLoader>(data_.train, input, loader, skipped_);
  std::vector<ImageSample> validation = data_.validation;
  if (group_) {
    // Each rank validates its own strided share; the run sums the counts over the ranks.
    std::vector<size_t> all(validation.size());
    std::iota(all.begin(), all.end(), size_t{0});
    validation.clear();
    for (size_t i : myShare(all, false)) validation.push_back(data_.validation[i]);
  }
  if (!data_.validation.empty())
    validationLoader_ = std::make_unique<BatchLoader>(validation, input, plain, skipped_);

  trainShare_ = myShare(std::vector<size_t>(data_.train.size()), true).size();
  batchesPerEpoch_ = static_cast<int64_t>((trainShare_ + options_.batchSize - 1) /
                                          static_cast<size_t>(options_.batchSize));
}

std::vector<size_t> TrainingBatches::myShare(std::vector<size_t> order, bool pad) const {
  if (!group_) return order;
  return shardOfOrder(order, group_->rank(), group_->worldSize(), pad);
}

std::optional<double> TrainingBatches::fillCacheIfDue(const std::function<bool()>& cancelled) {
  if (!split_ || cacheReady_) return 0.0;
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
  if (!fill(*trainLoader_, trainCache_)) return std::nullopt;
  if (validationLoader_ && !fill(*validationLoader_, validationCache_)) return std::nullopt;
  cacheReady_ = true;
  return trainLoader_->waitedSeconds() +
         (validationLoader_ ? validationLoader_->waitedSeconds() : 0.0);
}

void TrainingBatches::startTrainingPass(int epoch) {
  ahead_.reset();
  aheadStarted_ = false;
  auto order = myShare(epochOrder(data_.train.size(), options_.seed, epoch), true);
  if (cacheReady_)
    trainCache_->start(std::move(order));
  else
    trainLoader_->start(std::move(order), static_cast<uint64_t>(epoch));
}

void TrainingBatches::startValidationPass() {
  ahead_.reset();
  aheadStarted_ = false;
  if (cacheReady_)
    validationCache_->startInOrder();
  else
    validationLoader_->startInOrder();
}

std::optional<Batch> TrainingBatches::nextTraining() {
  return oneAhead([this] { return cacheReady_ ? trainCache_->next() : trainLoader_->next(); });
}

std::optional<Batch> TrainingBatches::nextValidation() {
  return oneAhead(
      [this] { return cacheReady_ ? validationCache_->next() : validationLoader_->next(); });
}

std::optional<Batch> TrainingBatches::sent(std::optional<Batch> batch) const {
  if (!batch) return batch;
  // From pinned memory the copies return at once and run while the device computes. Each part
  // on its own: a cached batch's features are on the device already, its labels are not.
  if (batch->images.device() != device_)
    batch->images = batch->images.to(device_, /*non_blocking=*/true);
  if (batch->labels.device() != device_)
    batch->labels = batch->labels.to(device_, /*non_blocking=*/true);
  return batch;
}

std::optional<Batch> TrainingBatches::oneAhead(
    const std::function<std::optional<Batch>()>& source) {
  if (!device_.is_cuda()) return source();  // nothing to copy: no batch held back
  if (!aheadStarted_) {
    ahead_ = sent(source());
    aheadStarted_ = true;
  }
  std::optional<Batch> current = std::move(ahead_);
  ahead_ = current ? sent(source()) : std::nullopt;
  return current;
}

double TrainingBatches::trainingPassWaitedSeconds() const {
  return cacheReady_ ? 0.0 : trainLoader_->waitedSeconds();
}

std::optional<std::string> TrainingBatches::reportUnreadable() {
  events_.skipped(*skipped_);
  return tooManyUnreadable();
}

std::optional<std::string> TrainingBatches::tooManyUnreadable() const {
  return graft::tooManyUnreadable(data_, *skipped_, options_.maxUnreadableFraction);
}

std::optional<std::string> TrainingBatches::classWithoutReadableImages() const {
  if (auto why = graft::classWithoutReadableImages(data_, *skipped_)) return why;
  return graft::classWithoutReadableTrainingImages(data_, *skipped_);
}

std::vector<std::pair<std::string, std::string>> TrainingBatches::skippedFiles() const {
  return skipped_->list();
}

}  // namespace graft
