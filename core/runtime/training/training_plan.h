#pragma once
// A staged fine-tuning plan: stages run back to back on the same weights, each with its own
// trainable range, optimizer, learning rate and epochs. `graft-cli train --plan PLAN.json`
// reads it, `graft-cli advise --json` writes it, and the GUI's training panel edits it.
//
//   {"graft_plan": 1,
//    "stages": [
//      {"name": "head", "train": "new", "optimizer": "adam", "learning_rate": 0.001, "epochs": 5},
//      {"name": "top block", "unfreeze_from": "block5_conv1", "optimizer": "sgd",
//       "learning_rate": 0.001, "momentum": 0.9, "pretrained_lr_scale": 0.1, "epochs": 10}]}
//
// What a stage trains is exactly one of
//   "train": "new"        only the new layers (fresh weights: a new top, inserted layers);
//   "train": "all"        every layer;
//   "unfreeze_from": L    L and everything after it (topological order); layers before frozen;
//   "freeze_upto": L      everything up to and including L frozen; the rest trains.
// Optional per stage: "optimizer" (sgd, rmsprop, adam, adamw; default adam), "learning_rate"
// (default Keras's for the optimizer), "momentum", "nesterov", "weight_decay", "epochs"
// (default 5), "pretrained_lr_scale" (the learning rate of pretrained layers is
// learning_rate x this; default 1), "batch_norm": "frozen" (default: every BatchNormalization
// layer stays in inference mode with its statistics and scale fixed, as Keras's fine-tuning
// guide advises) or "train", "name", and "why" (a list of sentences; the advisor's reasons).
// At the top, "reasons" and "warnings" (lists of sentences) are allowed and ignored by training.
#include <string>
#include <vector>

#include "graph/graph.h"
#include "runtime/training/optimizer_options.h"

namespace graft {

enum class StageScope { NewLayers, All, UnfreezeFrom, FreezeUpto };

struct TrainingStage {
  std::string name;
  StageScope scope = StageScope::NewLayers;
  std::string layer;  // for UnfreezeFrom and FreezeUpto
  OptimizerOptions optimizer;
  int epochs = 5;
  double pretrainedRateScale = 1.0;
  bool freezeBatchNorm = true;
  std::vector<std::string> why;

  std::string describeScope() const;  // "the new layers", "from block5_conv1 on", ...
};

struct TrainingPlan {
  std::vector<TrainingStage> stages;
  std::vector<std::string> reasons;   // advice that belongs to no single stage
  std::vector<std::string> warnings;  // guard rails (written by the advisor, for the reader)
};

// Throws graft::Error whose message names `source` and the JSON path of the problem
// ("plan.json: $.stages[1].learning_rate: must be a positive number, got -1").
TrainingPlan planFromJson(const Json& json, const std::string& source);
TrainingPlan readPlanFile(const std::string& path);
Json planToJson(const TrainingPlan& plan);

// The JSON path of a stage's field, as planFromJson names it: "$.stages[1].unfreeze_from".
std::string stageFieldPath(size_t stage, const std::string& field);

}  // namespace graft
