#pragma once
// Staged fine-tuning on top of trainModel(): each stage of a TrainingPlan sets which layers
// train (and freezes BatchNormalization unless the stage says "batch_norm": "train"), gives
// pretrained layers their lower learning rate, and trains; the next stage starts from the
// weights the previous one ended with. The CLI (`train --plan`) and the GUI run the same code.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "runtime/training/trainer.h"
#include "runtime/training/training_plan.h"

namespace graft {

// The model as `stage` trains it: frozen flags set from scratch by the stage's scope (through
// the recipe's freeze / unfreeze operations), BatchNormalization frozen when asked. `newLayers`
// are the layers with fresh weights (see newLayersOf in runtime/training/training_advisor.h).
// Throws graft::Error naming `planSource` and the stage's JSON path when the stage names a layer
// the model lacks, asks for new layers the model has none of, or leaves nothing to train.
Model modelForStage(const Model& model, const TrainingStage& stage, size_t stageIndex,
                    const std::vector<std::string>& newLayers, const std::string& planSource);

// Layers with weights that train in `stageModel` (from modelForStage), in model order.
std::vector<std::string> trainableLayers(const Model& stageModel);

// Learning-rate factors: every pretrained layer (pretrainedLayersOf) gets the stage's
// pretrained_lr_scale (nothing when it is 1).
std::map<std::string, double> stageRateScales(const Model& model, const TrainingStage& stage,
                                              const std::vector<std::string>& newLayers);

// Layers with weights from the file the model came from: not new, and not added by the model's
// recipe (a head the user stacked and trained since is theirs); none in a model Graft trained
// from random weights (graph/model.h, trainedFromRandomWeights). What
// TrainOptions::pretrainedLayers takes.
std::vector<std::string> pretrainedLayersOf(const Model& model,
                                            const std::vector<std::string>& newLayers);

struct PlanResult {
  TrainStatus status = TrainStatus::Completed;
  std::string message;  // for Cancelled and Failed: which stage and why
  Model model;          // after the last completed epoch of the last stage that ran
  int stagesCompleted = 0;
  std::vector<TrainResult> stages;  // one per stage that started
  // With EarlyStoppingOptions::restoreBest, when the run's best epoch lies in an earlier stage
  // than the last: that epoch, counted over the whole run, whose weights `model` then holds
  // (and the checkpoint file, checkpointEpoch, when it held another).
  std::optional<int> restoredEpoch;
  std::optional<int> checkpointEpoch;
};

// The epoch, counted over a plan's whole run, whose weights a completed stage ended with:
// its last, its restored one (restoreBest), or, when it kept its start (keepBetterStart),
// `heldBefore`, the one the stage started from. `epochsBefore`: the epochs of the stages
// before it.
int heldEpochOverTheRun(const TrainResult& stage, int epochsBefore, int heldBefore);

// The plan's run as one run: the last stage's result with every stage's epochs in its history
// and its epoch count, every stage's diagnoses with their epochs counted over the run, its best
// epoch over all stages, stopped early when a stage was, and the epoch the model and the checkpoint
// hold counted over the whole run (what a summary line, a log's end event or a check reports).
TrainResult asOneRun(PlanResult planned);

// Every stage is checked against the model before the first one trains. `base` gives what the
// plan does not (batch size, seed, augmentation, checkpoint, schedule, ...); its epochs,
// optimizer, freezeUpto and layerRateScales are replaced by each stage's. Setup errors throw
// graft::Error as trainModel() does; a stage that fails or is cancelled ends the plan there.
PlanResult trainPlan(const Model& model, const TrainingSet& data, const TrainingPlan& plan,
                     const std::vector<std::string>& newLayers, const TrainOptions& base,
                     TrainObserver* observer = nullptr, const std::atomic<bool>* cancel = nullptr,
                     const std::string& planSource = "plan");

}  // namespace graft
