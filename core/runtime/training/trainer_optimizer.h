#pragma once
// Keras's optimizers on LibTorch tensors; their options and the rules they follow are in
// runtime/optimizer_options.h.
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "runtime/training/optimizer_options.h"

namespace graft {

// The factor `layerRateScales` (TrainOptions's, by layer name) gives a parameter named
// "layer.weight" (GraphModule's naming): its layer's, 1 for a layer not listed.
double layerRateScale(const std::map<std::string, double>& layerRateScales,
                      const std::string& parameterName);

class KerasOptimizer {
 public:
  // `parameters`: the tensors to update (trainable ones only; frozen layers are left out).
  // `rateScales`: empty, or one factor per parameter: that parameter's step uses the learning
  // rate times its factor (a lower rate for pretrained layers than for new ones).
  KerasOptimizer(std::vector<torch::Tensor> parameters, OptimizerOptions options,
                 std::vector<double> rateScales = {});

  void zeroGrad();
  // One update from the parameters' current .grad(); parameters without a gradient are
  // left alone.
  void step();

  // For schedules: the rate the next step() uses.
  void setLearningRate(double lr) { lr_ = lr; }
  double learningRate() const { return lr_; }

  const OptimizerOptions& options() const { return options_; }
  int64_t iterations() const { return iterations_; }

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<double> rateScales_;  // one per parameter
  OptimizerOptions options_;
  double lr_ = 0.0;
  double momentum_ = 0.0;
  double weightDecay_ = 0.0;
  int64_t iterations_ = 0;
  std::vector<torch::Tensor> first_;   // SGD velocity, Adam m, RMSprop momentum
  std::vector<torch::Tensor> second_;  // Adam v, RMSprop velocity
};

}  // namespace graft
