#pragma once
// The input pipeline for training and evaluation: worker threads decode, resize, augment and
// preprocess whole batches ahead of the trainer, into a bounded set of prefetch slots, so the
// trainer rarely waits and memory stays bounded. Batches come out in the order asked for, and
// their contents do not depend on the number of workers or on timing.
#include <torch/types.h>

#include <opencv2/core/mat.hpp>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "graph/image_resize.h"
#include "graph/model.h"
#include "runtime/data/augment.h"
#include "runtime/data/dataset.h"
#include "runtime/data/free_input_size.h"

namespace graft {

// What the model's input wants: size, channels and preprocessing.
struct InputSpec {
  int height = 0;
  int width = 0;
  int channels = 3;        // 3 (RGB) or 1 (gray)
  bool plane = false;      // (None, H, W): one grey plane per image, batches without a channel axis
  bool freeInput = false;  // H or W is None in the model: the size came from outside it
  Preprocessing preprocessing = Preprocessing::None;
  // A free-size model's own first Resizing / CenterCrop (layers::leadingImageResize), applied
  // to each image at its own size before anything else: height and width are its output.
  std::optional<layers::ImageResize> ownResize;
};

// From the model's single input (None, H, W, C) or (None, H, W). An unknown H or W (a no-top model
// built without --input-size) becomes `freeSize`; 0 there takes the size of the model's own
// leading Resizing (ownResize), else the size the model was trained at
// (Model::trainedInputSize), and without one it is an error, since a batch needs one size.
// Throws graft::Error naming the input layer.
InputSpec inputSpecFor(const Model& model, int freeSize = 0);

// One image as the network sees it before preprocessing: decoded (EXIF, 16-bit, gray handled
// by the image loader), augmented and resized to the input, gray when the model wants one
// channel. Throws graft::Error naming the file when it cannot be read.
cv::Mat loadSampleImage(const std::string& path, const InputSpec& input,
                        const AugmentOptions& augment, Random& random);

// Files that could not be read, shared by the loader threads. Never fatal: the sample is left
// out of its batch and the file is reported once.
class SkippedFiles {
 public:
  // True the first time a path is added.
  bool add(const std::string& path, const std::string& reason);
  bool contains(const std::string& path) const;
  size_t count() const;
  std::vector<std::pair<std::string, std::string>> list() const;  // (path, reason), sorted

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> files_;
};

struct Batch {
  torch::Tensor images;         // float32 (n, C, H, W), preprocessed
  torch::Tensor labels;         // int64 (n)
  std::vector<size_t> samples;  // positions in the loader's sample list, in batch order
};

struct LoaderOptions {
  int64_t batchSize = 32;
  int workers = 0;   // decoding threads; 0: one per core
  int prefetch = 0;  // batches prepared ahead of the consumer; 0: twice the workers
  AugmentOptions augment;
  uint64_t seed = 0;  // augmentation streams: deriveSeed(seed, epoch, sample position)
  // Decode into page-locked host memory, from which copies to a CUDA device run asynchronously
  // (only with a CUDA device: pinning needs the CUDA driver).
  bool pinMemory = false;
};

class BatchLoader {
 public:
  BatchLoader(std::vector<ImageSample> samples, InputSpec input, LoaderOptions options,
              std::shared_ptr<SkippedFiles> skipped);
  ~BatchLoader();  // stops and joins the workers
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  const std::vector<ImageSample>& samples() const { return samples_; }

  // Begins a pass over `order` (positions in samples()), cut into batches in that order.
  // Batches of an unfinished earlier pass are dropped.
  void start(std::vector<size_t> order, uint64_t epoch);
  // Every sample in order, no augmentation seed change: evaluation and feature caching.
  void startInOrder();

  // The next batch, waiting for a worker if it is not ready; nullopt when the pass is done.
  // Batches in which every file was unreadable are passed over. A worker's unexpected error
  // (not an unreadable file) is rethrown here.
  std::optional<Batch> next();

  // Seconds next() spent waiting for workers since start().
  double waitedSeconds() const { return waited_; }

 private:
  struct Slot {
    std::optional<Batch> batch;  // empty: every file of the batch was unreadable
    std::exception_ptr error;
  };
  void workerLoop();
  void stopWorkers();  // tells the workers to stop and joins them
  Slot produce(const std::vector<size_t>& positions, uint64_t epoch) const;

  const std::vector<ImageSample> samples_;
  const InputSpec input_;
  const LoaderOptions options_;
  std::shared_ptr<SkippedFiles> skipped_;
  int workers_ = 1;
  int prefetch_ = 2;

  mutable std::mutex mutex_;
  std::condition_variable workAvailable_;
  std::condition_variable slotFilled_;
  bool stopping_ = false;
  uint64_t generation_ = 0;
  uint64_t epoch_ = 0;
  std::vector<size_t> order_;
  size_t batches_ = 0;
  size_t nextToClaim_ = 0;
  size_t consumed_ = 0;
  std::map<size_t, Slot> ready_;
  double waited_ = 0.0;
  std::vector<std::thread> threads_;
};

}  // namespace graft
