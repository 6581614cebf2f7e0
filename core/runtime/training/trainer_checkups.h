#pragma once
// What a training run measures for the training doctor (runtime/training/training_doctor.h), kept
// out of the run itself: which parameters are pretrained and how far they move, how
// BatchNormalization's two modes disagree on a validation batch, and why a loss that stopped
// being finite stopped the run. The doctor's rules then judge the epochs measured so far.
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "runtime/module/graph_module.h"
#include "runtime/training/trainer.h"
#include "runtime/training/trainer_graph.h"
#include "runtime/training/trainer_probe.h"
#include "runtime/training/training_doctor.h"

namespace graft {

class TrainingCheckups {
 public:
  // `trainable` runs `trainGraph`; the parameters that train and belong to one of
  // options.pretrainedLayers are watched. `options` must outlive this.
  TrainingCheckups(const Graph& trainGraph, GraphModule& trainable, const TrainOptions& options);

  // Before an epoch's first step at `rate` (the optimizer's): from the first epoch whose rate
  // is above the limit for pretrained layers on, their weights are compared with that start.
  void startEpoch(double rate);
  // Validation: the first batch is kept for measureBatchNorm() when BatchNormalization trains.
  void startValidation();
  void sawValidationBatch(const torch::Tensor& images);
  // After validation; a measurement that fails is left out (it is advice only).
  void measureBatchNorm(OutputKind kind);
  // The loss stopped being finite: kept for nonFinite() (batch 0: while validating).
  void lossNotFinite(int epoch, int64_t batch, bool notANumber, double learningRate);
  const std::optional<Diagnosis>& nonFinite() const { return nonFinite_; }
  // The measurement before the first epoch found a loss that is not finite and left it: no
  // finding then (a later failure reported "the loss became NaN while validating epoch 0").
  void forgetNonFinite() { nonFinite_.reset(); }

  // The doctor's findings on the epochs so far, `event` the one just finished.
  std::vector<Diagnosis> examine(const EpochEvent& event, const std::vector<std::string>& classes);

 private:
  GraphModule& trainable_;
  const std::string optimizer_;             // its name, for the rate limit
  bool batchNormTrains_ = false;            // a BatchNormalization layer of trainable_ trains
  bool newLayersFirst_ = false;             // EpochCheckup::newLayersFirst
  std::vector<std::string> newBatchNorms_;  // EpochCheckup::newBatchNorms
  bool fromRandomWeights_ = false;          // EpochCheckup::fromRandomWeights
  OptionWords words_;                       // EpochCheckup::words
  torch::Tensor probeImages_;               // the epoch's first validation batch (when it does)
  std::optional<BatchNormProbe> probe_;     // this epoch's
  std::vector<torch::Tensor> pretrained_;   // parameters of pretrained layers that train
  double pretrainedScale_ = 1.0;            // their highest learning-rate factor
  WeightMovement pretrainedMovement_;       // from the first epoch their rate is too high
  std::vector<EpochCheckup> checkups_;
  std::optional<Diagnosis> nonFinite_;  // why a NaN / infinite loss stopped the run
};

}  // namespace graft
