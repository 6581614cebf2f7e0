#include "runtime/training/trainer_checkups.h"

#include <torch/torch.h>

#include <algorithm>
#include <set>

#include "runtime/training/trainer_optimizer.h"

namespace graft {

TrainingCheckups::TrainingCheckups(const Graph& trainGraph, GraphModule& trainable,
                                   const TrainOptions& options)
    : trainable_(trainable),
      optimizer_(optimizerName(options.optimizer.kind)),
      words_(options.optionWords) {
  // The graph trained: with --cache-frozen only the part after the cache, so frozen
  // BatchNormalization in the cached part (and a network without any) trains not.
  const std::set<std::string> pretrainedNames(options.pretrainedLayers.begin(),
                                              options.pretrainedLayers.end());
  bool pretrainedBatchNormTrains = false;
  for (const auto& node : trainGraph.nodes())
    if (node.className == "BatchNormalization" && node.trainable) {
      batchNormTrains_ = true;
      newBatchNorms_.push_back(node.name);
      if (pretrainedNames.count(node.name)) pretrainedBatchNormTrains = true;
    }
  // Only new ones train, beside pretrained layers (none known: nothing said).
  if (pretrainedBatchNormTrains || pretrainedNames.empty()) newBatchNorms_.clear();
  // GraphModule names a layer's parameters "layer.weight", with '.' in the layer name as '_'.
  std::set<std::string> pretrained;
  for (const std::string& name : options.pretrainedLayers)
    pretrained.insert(parameterPrefixOf(name));
  bool any = false;
  for (const auto& item : trainable_.module().named_parameters()) {
    if (!item.value().requires_grad()) continue;
    if (!pretrained.count(item.key().substr(0, item.key().find('.')))) continue;
    const double scale = layerRateScale(options.layerRateScales, item.key());
    pretrainedScale_ = any ? std::max(pretrainedScale_, scale) : scale;
    any = true;
    pretrained_.push_back(item.value());
  }
  // Pretrained layers known and none of them training: the new layers train on frozen ones.
  const bool pretrainedFrozen = !options.pretrainedLayers.empty() && pretrained_.empty();
  newLayersFirst_ = (options.newLayersTrainedFirst || pretrainedFrozen) && !batchNormTrains_;
  fromRandomWeights_ = options.fromRandomWeights;
}

void TrainingCheckups::startEpoch(double rate) {
  if (!pretrained_.empty() && !pretrainedMovement_.started() &&
      rate * pretrainedScale_ > pretrainedRateLimit(optimizer_))
    pretrainedMovement_.start(pretrained_);
}

void TrainingCheckups::startValidation() {
  probeImages_ = torch::Tensor();
}

void TrainingCheckups::sawValidationBatch(const torch::Tensor& images) {
  if (batchNormTrains_ && !probeImages_.defined()) probeImages_ = images;
}

void TrainingCheckups::measureBatchNorm(OutputKind kind) {
  probe_.reset();
  if (!probeImages_.defined()) return;
  try {
    probe_ = probeBatchNorm(trainable_, probeImages_, kind);
  } catch (const std::exception&) {
    // A measurement for advice only: a run that trains fine is not ended by it.
  }
  probeImages_ = torch::Tensor();
}

void TrainingCheckups::lossNotFinite(int epoch, int64_t batch, bool notANumber,
                                     double learningRate) {
  nonFinite_ = nonFiniteLoss(epoch, batch, notANumber, learningRate);
}

std::vector<Diagnosis> TrainingCheckups::examine(const EpochEvent& event,
                                                 const std::vector<std::string>& classes) {
  EpochCheckup checkup;
  checkup.epoch = event.epoch;
  checkup.loss = event.loss;
  checkup.accuracy = event.accuracy;
  checkup.valLoss = event.valLoss;
  checkup.valAccuracy = event.valAccuracy;
  checkup.valConfusion = event.valConfusion;
  checkup.learningRate = event.learningRate;
  if (probe_) {
    checkup.batchNormDistance = probe_->distance;
    checkup.batchNormChanged = probe_->changed;
  }
  checkup.optimizer = optimizer_;
  checkup.newLayersFirst = newLayersFirst_;
  checkup.fromRandomWeights = fromRandomWeights_;
  checkup.batchNormFrozen = !batchNormTrains_;
  checkup.newBatchNorms = newBatchNorms_;
  checkup.words = words_;
  if (!pretrained_.empty()) checkup.pretrainedRate = event.learningRate * pretrainedScale_;
  if (pretrainedMovement_.started())
    checkup.pretrainedChange = pretrainedMovement_.relativeChange();
  checkups_.push_back(std::move(checkup));
  return examineEpoch(checkups_, classes);
}

}  // namespace graft
