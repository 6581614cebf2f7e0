#pragma once
// The trainer's data-parallel steps (runtime/distributed/data_parallel.h): what every rank must
// agree on before training, the gradient exchange after each backward pass, and the reductions
// that make rank 0's numbers global. Kept apart from trainer.cpp so a single-process run never
// reaches any of it.
#include <torch/nn/module.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/distributed/data_parallel.h"

namespace graft {

// Throws graft::Error on every rank when the ranks do not train the same job (another data
// folder, model or batch size): `facts` are named numbers compared with rank 0's. Then gives
// every rank rank 0's parameters and buffers, so all start from the same weights.
void startDataParallel(DataParallel& group, torch::nn::Module& module,
                       const std::vector<std::pair<std::string, double>>& facts);

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

// Replaces the module's floating-point buffers (BatchNormalization's moving mean and variance)
// with their mean over the ranks, so every rank validates and saves the same model.
void averageBuffers(DataParallel& group, torch::nn::Module& module);

}  // namespace graft
