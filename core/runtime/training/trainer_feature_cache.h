#pragma once
// The frozen prefix's outputs, one row per sample, kept in memory so that epochs after the
// first train the rest of the network without decoding or running the prefix again. Batches
// are cut from the same order exactly as BatchLoader cuts them (unreadable samples left out of
// their batch), so a cached run sees the same batches as an uncached one.
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

#include "runtime/data/data_pipeline.h"

namespace graft {

class FeatureCache {
 public:
  // `spillDirectory` empty: in memory. Otherwise the rows live in a file there, allocated in
  // full up front (a full disk is an error now, not a crash later), mapped into memory and
  // unlinked at once, so nothing is left behind however the run ends.
  FeatureCache(size_t samples, int64_t batchSize, std::string spillDirectory = {});

  // Rows for batch.samples; `features` is the prefix output for batch.images. Throws
  // graft::Error naming the spill file when it cannot be created.
  void store(const Batch& batch, const torch::Tensor& features);
  int64_t bytes() const;

  // A pass over `order` (sample positions), or over every sample in order.
  void start(std::vector<size_t> order);
  void startInOrder();
  // Batch::images holds the cached features; nullopt at the end of the pass.
  std::optional<Batch> next();

 private:
  const size_t samples_;
  const int64_t batchSize_;
  const std::string spillDirectory_;
  torch::Tensor features_;  // (samples, ...), allocated at the first store()
  std::vector<int64_t> labels_;
  std::vector<char> valid_;  // false: the file could not be read
  std::vector<size_t> order_;
  size_t cursor_ = 0;
};

}  // namespace graft
