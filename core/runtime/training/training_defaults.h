#pragma once
// What a run trains when the user leaves the choice to Graft, shared by `graft-cli train`, a
// pipeline's train step and the training panel:
//  - the user chose nothing of how to train (no epochs, learning rate, optimizer, momentum,
//    Nesterov, weight decay, freeze range or plan) and the model has new layers (fresh weights)
//    on pretrained ones: the advisor's plan (advisePlan): the new layers first on the frozen
//    pretrained ones, BatchNormalization frozen in every stage;
//  - otherwise one run as asked, in which every BatchNormalization layer with pretrained
//    statistics stays frozen (inference mode); BatchNormalization layers with fresh weights (a
//    network from scratch, a new head) train.
// In both, a run on pretrained layers that ends with a higher validation loss than the model
// it started from (or, in a plan, than the stage before ended with) ends with the best weights
// it saw instead, the starting ones included (TrainOptions::keepBetterStart).
// trainBatchNorm lets BatchNormalization train in either case (a plan's stages then say
// "batch_norm": "train"). A plan of the user's runs as it is written.
#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"
#include "runtime/training/trainer.h"
#include "runtime/training/training_advisor.h"
#include "runtime/training/training_plan.h"

namespace graft {

struct TrainingChoice {
  bool chosen = false;          // the user set epochs, lr, optimizer, momentum, ... or freeze range
  bool trainBatchNorm = false;  // --train-batch-norm
  std::optional<TrainingPlan> plan;  // the user's plan (--plan)
  std::string planSource = "plan";   // for its errors
};

struct TrainingSetup {
  Model model;  // frozen flags as the run starts (pretrained BatchNormalization frozen)
  std::optional<TrainingPlan> plan;  // the user's, or the advisor's when advisorPlan
  bool advisorPlan = false;
  std::string planSource;
  std::vector<std::string> newLayers;         // see newLayersOf
  std::vector<std::string> pretrainedLayers;  // the other layers with weights
  std::vector<std::string> frozenBatchNorm;   // frozen here for a single run
  // The trainable flags of the model as given: what the trained model is saved with (the
  // run's own freezes are for the run; TrainOptions::savedTrainable).
  std::map<std::string, bool> userTrainable;
  // The model's recipe as given: the run's own freezes are not steps of it (replayed, they would
  // freeze the base for good).
  Json userRecipe = Json::array();
  // One line for the user about the defaults applied, without the front end's hint on how to
  // choose otherwise ("the advisor's plan: 2 stages (...), BatchNormalization frozen"); empty
  // when nothing was decided for the user.
  std::string summary;
  // Nothing of how to train was chosen and the model has pretrained layers: the run must not
  // end worse than it started (TrainOptions::keepBetterStart).
  bool keepBetterStart = false;
};

// `freshLayers` as the loader reported them (LoadedModel::freshLayers), `data` the folder's
// facts (describeData). Throws graft::Error for a plan that does not fit the model, naming
// choice.planSource (as modelForStage does).
TrainingSetup setUpTraining(const Model& model, const std::vector<std::string>& freshLayers,
                            const DataFacts& data, const TrainingChoice& choice);

// The advisor's guard rails for the run the setup makes (the plan's stages, or the single run
// with options.freezeUpto applied) and for the data.
std::vector<PlanWarning> checkSetup(const TrainingSetup& setup, const DataFacts& data,
                                    const TrainOptions& options);

// Trains as the setup says: trainPlan (as one run, asOneRun) with a plan, else trainModel;
// options.pretrainedLayers is filled from the setup, and the advisor's plan caches the frozen
// layers' outputs (options.cacheFrozen) unless the run augments its images.
TrainResult runTraining(const TrainingSetup& setup, const TrainingSet& data, TrainOptions options,
                        TrainObserver* observer = nullptr,
                        const std::atomic<bool>* cancel = nullptr);

}  // namespace graft
