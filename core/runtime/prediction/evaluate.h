#pragma once
// Classification metrics (accuracy, loss, per-class precision / recall / count, confusion
// matrix) and the evaluation of a model on an image folder. The trainer uses the same
// accumulator for its validation metrics, so `eval` and a training run's last validation
// report the same numbers for the same weights and images.
#include <torch/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "graph/model.h"
#include "run/compute_choice.h"
#include "run/eval_spec.h"
#include "runtime/data/dataset.h"
#include "runtime/prediction/eval_report.h"
#include "runtime/system/host_copy.h"

namespace graft {

class ClassificationMetrics {
 public:
  explicit ClassificationMetrics(size_t classes);

  // predicted and labels: int64 (N); losses: per-sample loss (N).
  void add(const torch::Tensor& predicted, const torch::Tensor& labels,
           const torch::Tensor& losses);

  int64_t count() const { return count_; }
  double accuracy() const;  // 0 when empty
  double meanLoss() const;
  // rows: true class, columns: predicted class (scikit-learn's convention).
  const std::vector<std::vector<int64_t>>& confusion() const { return confusion_; }
  std::vector<double> precision() const;  // 0 for a class never predicted
  std::vector<double> recall() const;     // 0 for a class without images
  std::vector<int64_t> support() const;   // images per true class

  // What every metric derives from, as numbers to add up over processes (data-parallel
  // validation): the confusion matrix row by row, then the loss sum.
  std::vector<double> counts() const;
  static ClassificationMetrics fromCounts(size_t classes, const std::vector<double>& counts);

 private:
  std::vector<std::vector<int64_t>> confusion_;
  int64_t count_ = 0;
  int64_t correct_ = 0;
  double lossSum_ = 0.0;
};

// Batches' results on their way into ClassificationMetrics: each batch's are copied to the host
// behind its forward pass and added once the next batch's forward pass is queued
// (runtime/system/host_copy.h), so that evaluating on a GPU never waits between batches. The
// same numbers as adding each batch at once; call finish() before reading the metrics.
class MetricsInFlight {
 public:
  explicit MetricsInFlight(ClassificationMetrics& into) : into_(into) {}
  // As ClassificationMetrics::add, for tensors on any device.
  void add(const torch::Tensor& predicted, const torch::Tensor& labels,
           const torch::Tensor& losses);
  // Adds the last batch's results.
  void finish();

 private:
  ClassificationMetrics& into_;
  HostCopy pending_;  // predicted, labels and losses as float64, one row each
};

EvalReport makeReport(const ClassificationMetrics& metrics,
                      const std::vector<std::string>& classes);

struct EvalOptions {
  int64_t batchSize = 32;
  int workers = 0;
  int freeInputSize = 0;  // for models whose input size is None
  DeviceChoice device;    // where the model computes (runtime/system/device.h)
  // Past this share of unreadable images, or with a class none of whose images can be read,
  // there is no accuracy to report (a CI check passed on 12 readable images of 102, the rest
  // git-lfs pointers never pulled).
  double maxUnreadableFraction = 0.1;
};

// Every image of `data` through the model (inference mode). data.classes must match the
// model's output size: scan the folder with the model's labels as ImageFolderOptions::classes
// when it has labels (a trained model does), so label i means the same class on both sides.
// Unreadable files are skipped and listed in the report. Throws graft::Error for a class count
// mismatch, an unusable model, more than options.maxUnreadableFraction of the images unreadable
// or a class none of whose images could be read; returns what was evaluated so far when `cancel`
// becomes true.
EvalReport evaluateModel(const Model& model, const ImageFolder& data,
                         const EvalOptions& options = {},
                         const std::atomic<bool>* cancel = nullptr);

// An evaluation as described (run/eval_spec.h): the spec's folder read against the model's
// labels, then evaluateModel. The one path of `graft-cli eval` and a pipeline's eval step.
// `freeInputSize`: for models whose input size is None (0: none given). Errors name the folder.
EvalReport evaluateSpec(const Model& model, const EvalSpec& spec, int freeInputSize = 0,
                        const std::atomic<bool>* cancel = nullptr);

}  // namespace graft
