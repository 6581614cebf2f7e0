#pragma once
// The trainer's data-parallel steps (runtime/distributed/data_parallel.h): what every rank must
// agree on before training, the gradient exchange after each backward pass, and the reductions
// that make rank 0's numbers global. Kept apart from trainer.cpp so a single-process run never
// reaches any of it.
#include <torch/nn/module.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/distributed/data_parallel.h"
#include "runtime/prediction/evaluate.h"

namespace graft {

// One thing every rank must agree on: a number, or a text (class names, the optimizer and its
// settings) compared through a 52-bit hash and shown by its own words when it differs.
struct JobFact {
  std::string name;
  double value = 0.0;
  std::string text;  // empty for a number
};
JobFact textFact(const std::string& name, const std::string& text);

// Throws graft::Error on every rank when the ranks do not train the same job (another data
// folder, model, batch size, optimizer, ...): `facts` are compared with rank 0's. Then gives
// every rank rank 0's parameters and buffers, so all start from the same weights.
void startDataParallel(DataParallel& group, torch::nn::Module& module,
                       const std::vector<JobFact>& facts);

// This rank's share of one step, summed over the ranks by exchangeGradients().
struct StepTotals {
  double images = 0.0;  // images in the step over every rank
  double lossSum = 0.0;
  double correct = 0.0;
  bool cancelled = false;  // some rank was asked to stop
};

// Makes each parameter's gradient the gradient of the mean loss over the global batch: every
// rank's mean-loss gradient is weighted by its image count, summed in buckets with the step's
// counts riding along in the first one, and divided by the total. A rank without a batch this
// step (its files were unreadable) takes part with zero images. Missing gradients count as 0.
StepTotals exchangeGradients(DataParallel& group, const std::vector<torch::Tensor>& parameters,
                             const StepTotals& local);

// One training step's numbers: the mean loss over `images`, and how many were predicted right.
struct StepNumbers {
  double loss = 0.0;
  int64_t images = 0;
  int64_t correct = 0;
};

// exchangeGradients for this rank's step (`cancelled`: this rank was asked to stop): the
// step's numbers over every rank (loss 0 when no rank had an image), or nullopt when some rank
// was asked to stop, so that every rank stops at the same step.
std::optional<StepNumbers> exchangeStep(DataParallel& group,
                                        const std::vector<torch::Tensor>& parameters,
                                        const StepNumbers& mine, bool cancelled);

// Each rank's validation counts summed: the metrics of the whole validation set.
ClassificationMetrics sumOverRanks(DataParallel& group, const ClassificationMetrics& mine,
                                   size_t classes);

// What the user learns when a data-parallel run starts: the ranks, the images per step and
// `trainShare`, the training images each rank reads per epoch.
std::string dataParallelNote(const DataParallel& group, int64_t batchSize, size_t trainShare);

// Replaces the module's floating-point buffers (BatchNormalization's moving mean and variance)
// with their mean over the ranks, so every rank validates and saves the same model.
void averageBuffers(DataParallel& group, torch::nn::Module& module);

}  // namespace graft
