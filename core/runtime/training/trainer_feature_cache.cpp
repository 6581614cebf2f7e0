#include "runtime/training/trainer_feature_cache.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <numeric>
#include <random>

#include "graph/diagnostic.h"

namespace graft {

namespace {

// A float tensor of `shape` backed by a new file in `directory`, removed from the folder at
// once (the mapping keeps the space until the tensor goes away).
torch::Tensor mappedTensor(const std::string& directory, const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (auto d : shape) count *= d;
  std::random_device rd;
  const std::string path =
      (std::filesystem::path(directory) / ("graft-features-" + std::to_string(rd()) + ".bin"))
          .string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    throw Error(path + ": cannot create the feature cache file (" + std::strerror(errno) + ")");
  const int allocated = ::posix_fallocate(fd, 0, static_cast<off_t>(count * 4));
  ::close(fd);
  if (allocated != 0) {
    ::unlink(path.c_str());
    throw Error(path + ": no room for the feature cache (" + std::to_string(count * 4 >> 20) +
                " MiB): " + std::strerror(allocated));
  }
  torch::Tensor t;
  try {
    t = torch::from_file(path, /*shared=*/true, count, torch::kFloat32).view(shape);
  } catch (const std::exception& e) {
    ::unlink(path.c_str());
    throw Error(path + ": cannot map the feature cache file: " + e.what());
  }
  ::unlink(path.c_str());
  return t;
}

}  // namespace

FeatureCache::FeatureCache(size_t samples, int64_t batchSize, std::string spillDirectory)
    : samples_(samples),
      batchSize_(batchSize),
      spillDirectory_(std::move(spillDirectory)),
      labels_(samples, 0),
      valid_(samples, 0) {}

void FeatureCache::store(const Batch& batch, const torch::Tensor& features) {
  if (!features_.defined()) {
    auto shape = features.sizes().vec();
    shape[0] = static_cast<int64_t>(samples_);
    features_ = spillDirectory_.empty() ? torch::empty(shape, features.options())
                                        : mappedTensor(spillDirectory_, shape);
  }
  // In memory the cache lives where the features are computed (the GPU's memory on CUDA); a
  // file-backed cache is host memory.
  const auto rows =
      torch::tensor(std::vector<int64_t>(batch.samples.begin(), batch.samples.end()), torch::kInt64)
          .to(features_.device());
  features_.index_copy_(0, rows, features.detach().to(features_.device()));
  const auto labels = batch.labels.to(torch::kCPU).contiguous();
  for (size_t i = 0; i < batch.samples.size(); ++i) {
    labels_[batch.samples[i]] = labels.data_ptr<int64_t>()[i];
    valid_[batch.samples[i]] = 1;
  }
}

int64_t FeatureCache::bytes() const {
  return features_.defined() ? features_.numel() * static_cast<int64_t>(features_.element_size())
                             : 0;
}

void FeatureCache::start(std::vector<size_t> order) {
  order_ = std::move(order);
  cursor_ = 0;
}

void FeatureCache::startInOrder() {
  std::vector<size_t> order(samples_);
  std::iota(order.begin(), order.end(), size_t{0});
  start(std::move(order));
}

std::optional<Batch> FeatureCache::next() {
  while (cursor_ < order_.size()) {
    const size_t end = std::min(order_.size(), cursor_ + static_cast<size_t>(batchSize_));
    Batch batch;
    std::vector<int64_t> rows;
    std::vector<int64_t> labels;
    for (size_t i = cursor_; i < end; ++i) {
      const size_t p = order_[i];
      if (!valid_[p]) continue;
      rows.push_back(static_cast<int64_t>(p));
      labels.push_back(labels_[p]);
      batch.samples.push_back(p);
    }
    cursor_ = end;
    if (rows.empty()) continue;  // as BatchLoader: a batch of unreadable files is passed over
    batch.images =
        features_.index_select(0, torch::tensor(rows, torch::kInt64).to(features_.device()));
    batch.labels = torch::tensor(labels, torch::kInt64);
    return batch;
  }
  return std::nullopt;
}

}  // namespace graft
