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

  // For schedules: the rate the next step() uses (in capturable mode also written into the
  // rate's tensor, in place, when it changes).
  void setLearningRate(double lr);
  double learningRate() const { return lr_; }

  const OptimizerOptions& options() const { return options_; }
  int64_t iterations() const { return iterations_; }

  // Capturable mode, for CUDA graph capture of the whole training step
  // (runtime/training/step_graph.h): a captured step() is replayed later without the host, so
  // host numbers it read would be frozen at their value during capture. In this mode the
  // learning rate and the step count live in 0-dim tensors on the parameters' device, updated in
  // place (setLearningRate, and step() adding 1 on the device), and step() computes every
  // factor that depends on them (the per-layer rates, weight decay, Adam's bias corrections)
  // with tensor operations only: no value is read back to the host, so a replay uses the rate
  // and count of its own moment. The same numbers as the default mode within float rounding
  // (tests/runtime/keras_optimizer_test.cpp). Call before the first step; the default mode
  // stays what every run uses unless TrainOptions::cudaGraph asks for capture.
  void makeCapturable();
  bool capturable() const { return rateOnDevice_.defined(); }
  // A step a graph replay took (step() itself ran once, when the graph was captured): counted
  // on the host so that iterations() stays the number of steps taken.
  void countReplayedStep() { ++iterations_; }
  // A capture that failed took no step: its step() call is taken back from the count.
  void uncountStep() { --iterations_; }

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<double> rateScales_;  // one per parameter
  OptimizerOptions options_;
  double lr_ = 0.0;
  double momentum_ = 0.0;
  double weightDecay_ = 0.0;
  int64_t iterations_ = 0;
  // Capturable mode: float64 0-dim tensors on the parameters' device (undefined otherwise).
  torch::Tensor rateOnDevice_;
  torch::Tensor stepsOnDevice_;
  std::vector<torch::Tensor> first_;   // SGD velocity, Adam m, RMSprop momentum
  std::vector<torch::Tensor> second_;  // Adam v, RMSprop velocity
};

}  // namespace graft
