#include "runtime/data/data_pipeline.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>

#include "graph/analysis.h"
#include "graph/one_output.h"
#include "runtime/data/image_loader.h"
#include "runtime/data/image_resize.h"
#include "runtime/data/preprocess.h"
#include "runtime/system/threads.h"

namespace graft {

InputSpec inputSpecFor(const Model& model, int freeSize) {
  requireOneInput(model.graph, "training and evaluation need");
  const auto inputs = model.graph.inputs();
  const Node& node = model.graph.at(inputs[0]);
  const GraphAnalysis analysis = analyze(model.graph);
  const NodeInfo* info = analysis.find(node.name);
  if (!info) throw Error(analysis.diagnostics);
  const Shape& shape = info->outputShape;
  if (!isImageInput(shape))
    throw Error(Diagnostic{node.name, "the input " + shapeToString(shape) +
                                          " is not an image batch (None, height, width, 1 or 3)"
                                          " or (None, height, width)"});
  InputSpec spec;
  spec.plane = isPlaneInput(shape);
  spec.channels = spec.plane ? 1 : static_cast<int>(shape[3]);
  spec.preprocessing = model.preprocessing;
  const bool free = shape[1] == kUnknown || shape[2] == kUnknown;
  if (freeSize <= 0) spec.ownResize = layers::leadingImageResize(model.graph);
  if (spec.ownResize) {
    spec.height = static_cast<int>(spec.ownResize->height);
    spec.width = static_cast<int>(spec.ownResize->width);
    spec.freeInput = true;
    return spec;
  }
  auto dim = [&](int64_t d, const char* what) {
    if (d != kUnknown) return static_cast<int>(d);
    if (freeSize > 0) return freeSize;
    // The size it was trained at: measured as it learned.
    if (model.trainedInputSize > 0) return static_cast<int>(model.trainedInputSize);
    throw Error(Diagnostic{node.name, std::string("the input ") + what +
                                          " is not fixed (None); give the model an input size "
                                          "(e.g. --input-size 224)"});
  };
  spec.height = dim(shape[1], "height");
  spec.width = dim(shape[2], "width");
  spec.freeInput = free;
  return spec;
}

namespace {

// The model's own first Resizing / CenterCrop on one decoded image (H x W x C float32, 0..255):
// the layer then sees an image of its own output size and leaves it be. OpenCV, as the rest of
// the loader: a LibTorch kernel in each loader thread would start an OpenMP team of all cores
// in each. cv::resize's INTER_LINEAR on float32 is TensorFlow's half-pixel bilinear (source
// (dst + 0.5) * in / out - 0.5, clamped to the edges; an exact halving, which OpenCV averages
// as INTER_AREA, weighs the two pixels equally either way); nearest is TensorFlow's half-pixel
// nearest, source min(floor((dst + 0.5) * in / out), in - 1) with the scale in float32.
cv::Mat resizeAsModelDoes(const cv::Mat& rgb, const layers::ImageResize& resize) {
  const layers::ResizeWindow box = resize.window(rgb.rows, rgb.cols);  // never pads here
  const cv::Mat window = rgb(cv::Rect(static_cast<int>(box.left), static_cast<int>(box.top),
                                      static_cast<int>(box.width), static_cast<int>(box.height)));
  if (!resize.resizes(rgb.rows, rgb.cols)) return window.clone();
  const int height = static_cast<int>(resize.height), width = static_cast<int>(resize.width);
  cv::Mat out;
  if (resize.interpolation == layers::ResizeInterpolation::Bilinear) {
    cv::resize(window, out, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    return out;
  }
  const auto sources = [](int in, int size) {
    const float scale = static_cast<float>(in) / static_cast<float>(size);
    std::vector<int> index(static_cast<size_t>(size));
    for (int i = 0; i < size; ++i)
      index[static_cast<size_t>(i)] =
          std::min(static_cast<int>(std::floor((static_cast<float>(i) + 0.5f) * scale)), in - 1);
    return index;
  };
  const std::vector<int> rows = sources(window.rows, height), cols = sources(window.cols, width);
  out.create(height, width, window.type());
  const size_t pixel = window.elemSize();
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      std::memcpy(out.ptr(y, x),
                  window.ptr(rows[static_cast<size_t>(y)], cols[static_cast<size_t>(x)]), pixel);
  return out;
}

}  // namespace

cv::Mat loadSampleImage(const std::string& path, const InputSpec& input,
                        const AugmentOptions& augment, Random& random) {
  cv::Mat rgb;
  try {
    rgb = loadImageRgb(path);
  } catch (const cv::Exception& e) {
    // OpenCV reports some broken files by exception rather than an empty result.
    throw Error(path + ": cannot decode the image (" + e.msg + ")");
  }
  if (input.ownResize) rgb = resizeAsModelDoes(rgb, *input.ownResize);
  cv::Mat image = augmentAndResize(rgb, cv::Size(input.width, input.height), augment, random);
  if (input.channels == 1) image = rgbToGray(image);
  return image;
}

bool SkippedFiles::add(const std::string& path, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  return files_.emplace(path, reason).second;
}

bool SkippedFiles::contains(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return files_.count(path) != 0;
}

size_t SkippedFiles::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return files_.size();
}

std::vector<std::pair<std::string, std::string>> SkippedFiles::list() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {files_.begin(), files_.end()};
}

BatchLoader::BatchLoader(std::vector<ImageSample> samples, InputSpec input, LoaderOptions options,
                         std::shared_ptr<SkippedFiles> skipped)
    : samples_(std::move(samples)),
      input_(input),
      options_(std::move(options)),
      skipped_(skipped ? std::move(skipped) : std::make_shared<SkippedFiles>()) {
  if (options_.batchSize <= 0)
    throw Error(Diagnostic{"--batch-size",
                           "must be at least 1, got " + std::to_string(options_.batchSize)});
  workers_ = options_.workers > 0 ? options_.workers : usableCores();
  prefetch_ = options_.prefetch > 0 ? options_.prefetch : 2 * workers_;
  threads_.reserve(static_cast<size_t>(workers_));
  try {
    for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { workerLoop(); });
  } catch (const std::exception& e) {
    // std::system_error (no thread left) or std::bad_alloc (no memory for one). The destructor
    // does not run for a constructor that throws: the threads started so far must be joined
    // here (a joinable std::thread's destructor ends the process).
    const size_t started = threads_.size();
    stopWorkers();
    throw Error(Diagnostic{"--workers", "could not start image loader thread " +
                                            std::to_string(started + 1) + " of " +
                                            std::to_string(workers_) + " (" + e.what() +
                                            "): the system allows this process no more "
                                            "threads; give fewer --workers"});
  }
}

void BatchLoader::stopWorkers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  workAvailable_.notify_all();
  slotFilled_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

BatchLoader::~BatchLoader() {
  stopWorkers();
}

void BatchLoader::start(std::vector<size_t> order, uint64_t epoch) {
  for (size_t p : order)
    if (p >= samples_.size()) throw Error("internal: batch order names a sample out of range");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    epoch_ = epoch;
    order_ = std::move(order);
    const auto b = static_cast<size_t>(options_.batchSize);
    batches_ = (order_.size() + b - 1) / b;
    nextToClaim_ = 0;
    consumed_ = 0;
    ready_.clear();
    waited_ = 0.0;
  }
  workAvailable_.notify_all();
}

void BatchLoader::startInOrder() {
  std::vector<size_t> order(samples_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  start(std::move(order), 0);
}

std::optional<Batch> BatchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (consumed_ < batches_) {
    if (ready_.count(consumed_) == 0) {
      const auto begin = std::chrono::steady_clock::now();
      slotFilled_.wait(lock, [&] { return stopping_ || ready_.count(consumed_) != 0; });
      waited_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      if (stopping_) return std::nullopt;
    }
    Slot slot = std::move(ready_.at(consumed_));
    ready_.erase(consumed_);
    ++consumed_;
    lock.unlock();
    workAvailable_.notify_all();  // a prefetch slot is free again
    if (slot.error) std::rethrow_exception(slot.error);
    if (slot.batch) return std::move(slot.batch);
    lock.lock();
  }
  return std::nullopt;
}

void BatchLoader::workerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    workAvailable_.wait(lock, [&] {
      return stopping_ ||
             (nextToClaim_ < batches_ && nextToClaim_ < consumed_ + static_cast<size_t>(prefetch_));
    });
    if (stopping_) return;
    const size_t index = nextToClaim_++;
    const uint64_t generation = generation_;
    const uint64_t epoch = epoch_;
    const auto b = static_cast<size_t>(options_.batchSize);
    const size_t first = index * b;
    const std::vector<size_t> positions(
        order_.begin() + static_cast<std::ptrdiff_t>(first),
        order_.begin() + static_cast<std::ptrdiff_t>(std::min(first + b, order_.size())));
    lock.unlock();
    Slot slot = produce(positions, epoch);
    lock.lock();
    if (generation != generation_) continue;  // a new pass started meanwhile: drop it
    ready_[index] = std::move(slot);
    slotFilled_.notify_all();
  }
}

BatchLoader::Slot BatchLoader::produce(const std::vector<size_t>& positions, uint64_t epoch) const {
  Slot slot;
  try {
    std::vector<cv::Mat> images;
    std::vector<int64_t> labels;
    std::vector<size_t> kept;
    images.reserve(positions.size());
    for (size_t p : positions) {
      const ImageSample& sample = samples_[p];
      // Known-bad files are not decoded again every epoch.
      if (skipped_->contains(sample.path)) continue;
      Random random(deriveSeed(options_.seed, epoch, p));
      try {
        images.push_back(loadSampleImage(sample.path, input_, options_.augment, random));
      } catch (const Error& e) {
        skipped_->add(sample.path, e.what());
        continue;
      } catch (const cv::Exception& e) {
        skipped_->add(sample.path, sample.path + ": " + e.msg);
        continue;
      }
      labels.push_back(sample.label);
      kept.push_back(p);
    }
    if (images.empty()) return slot;

    const int64_t n = static_cast<int64_t>(images.size());
    const int64_t plane = static_cast<int64_t>(input_.height) * input_.width;
    Batch batch;
    batch.images =
        torch::empty({n, input_.channels, input_.height, input_.width},
                     torch::TensorOptions(torch::kFloat32).pinned_memory(options_.pinMemory));
    float* out = batch.images.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i)
      preprocessPlanar(images[static_cast<size_t>(i)], input_.preprocessing,
                       out + i * input_.channels * plane);
    if (input_.plane) batch.images = batch.images.view({n, input_.height, input_.width});
    batch.labels = torch::tensor(labels, torch::kInt64);
    if (options_.pinMemory) batch.labels = batch.labels.pin_memory();
    batch.samples = std::move(kept);
    slot.batch = std::move(batch);
  } catch (...) {
    slot.error = std::current_exception();
  }
  return slot;
}

}  // namespace graft
