#include "runtime/training/training_defaults.h"

#include <set>

#include "graph/one_output.h"
#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "run/counted.h"
#include "runtime/training/trainer_checkpoint.h"
#include "runtime/training/trainer_stages.h"

namespace graft {

namespace {

// "1 stage (the new layers only for 10 epochs)", "2 stages (the new layers only for 10 epochs,
// then from conv_pw_12 on for 10)".
std::string describeStages(const TrainingPlan& plan) {
  std::string out =
      std::to_string(plan.stages.size()) + (plan.stages.size() == 1 ? " stage (" : " stages (");
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const TrainingStage& s = plan.stages[i];
    out += (i ? ", then " : "") + s.describeScope() + " for " +
           (i ? std::to_string(s.epochs) : counted(s.epochs, "epoch", "epochs"));
  }
  return out + ")";
}

}  // namespace

TrainingSetup setUpTraining(const Model& model, const std::vector<std::string>& freshLayers,
                            const DataFacts& data, const TrainingChoice& choice) {
  // Refused before any advice: a two-input model got the advisor's warnings, then the refusal.
  requireOneInput(model.graph, "training and evaluation need");
  requireOneOutput(model.graph, "training and evaluation need");
  TrainingSetup setup;
  setup.model = model;
  for (const auto& node : model.graph.nodes()) setup.userTrainable[node.name] = node.trainable;
  setup.userRecipe = model.recipe;
  setup.planSource = choice.planSource;
  setup.newLayers = newLayersOf(model, freshLayers);
  setup.pretrainedLayers = pretrainedLayersOf(model, setup.newLayers);
  const ModelFacts facts = describeModel(model, setup.newLayers);

  if (choice.plan) {
    setup.plan = choice.plan;
    return setup;
  }
  setup.keepBetterStart = !choice.chosen && !setup.pretrainedLayers.empty();
  // Pretrained layers with nothing chosen: the advisor's plan, new layers or not. A trained
  // project or a Keras model with its own top trained further (the usual second run) got one
  // run of Adam at 1e-3 over every layer, which wrecks what they learned.
  std::optional<TrainingPlan> advised;
  if (!choice.chosen && !facts.pretrainedLayers.empty()) {
    try {
      advised = advisePlan(model, facts, data);
    } catch (const Error&) {
      // Without new layers, a model that freezes its own top pretrained layer leaves the
      // advisor no stage: it trains what it lets train, as before the plan was the default.
      if (!setup.newLayers.empty()) throw;
    }
  }
  if (advised) {
    TrainingPlan plan = std::move(*advised);
    for (auto& stage : plan.stages)
      if (choice.trainBatchNorm) stage.freezeBatchNorm = false;
    setup.summary = "training by the advisor's plan: " + describeStages(plan);
    if (facts.hasBatchNorm)
      setup.summary +=
          choice.trainBatchNorm ? ", BatchNormalization training" : ", BatchNormalization frozen";
    setup.plan = std::move(plan);
    setup.advisorPlan = true;
    return setup;
  }
  if (choice.trainBatchNorm) return setup;
  // Statistics learned before: not a new layer's, nor those of a model Graft trained from random
  // weights (no pretrained statistics: its second run trains them on, as its first did).
  if (trainedFromRandomWeights(model)) return setup;
  const std::set<std::string> fresh(setup.newLayers.begin(), setup.newLayers.end());
  ops::Selection batchNorm;
  for (const auto& node : model.graph.nodes())
    if (node.className == "BatchNormalization" && node.trainable && !fresh.count(node.name) &&
        model.weights.contains(node.name))
      batchNorm.layers.push_back(node.name);
  if (batchNorm.layers.empty()) return setup;
  auto edited = applyOperation(model, ops::freeze(batchNorm));
  if (!edited) throw Error(edited.diagnostics());
  setup.model = std::move(edited).value().model;
  setup.frozenBatchNorm = batchNorm.layers;
  const size_t n = batchNorm.layers.size();
  setup.summary =
      std::to_string(n) +
      (n == 1 ? " BatchNormalization layer keeps its" : " BatchNormalization layers keep their") +
      " pretrained statistics (frozen, inference mode)";
  return setup;
}

std::vector<PlanWarning> checkSetup(const TrainingSetup& setup, const DataFacts& data,
                                    const TrainOptions& options) {
  const ModelFacts facts = describeModel(setup.model, setup.newLayers);
  // Named as the user gave the run's options: a pipeline's keys in graft-cli run.
  const OptionWords words = options.optionWords;
  if (setup.plan) return checkPlan(setup.model, facts, data, *setup.plan, setup.planSource, words);
  Model model = setup.model;
  if (!options.freezeUpto.empty()) {
    ops::Selection upto;
    upto.upto = options.freezeUpto;
    auto edited = applyOperation(model, ops::freeze(upto));
    // A bad name is the trainer's to report, with the option's name.
    if (!edited) return checkData(facts, data, words);
    model = std::move(edited).value().model;
  }
  auto warnings = checkRun(model, facts, data, options.optimizer, 1.0, "This run", words);
  for (auto& w : checkData(facts, data, words)) warnings.push_back(std::move(w));
  return warnings;
}

TrainResult runTraining(const TrainingSetup& setup, const TrainingSet& data, TrainOptions options,
                        TrainObserver* observer, const std::atomic<bool>* cancel) {
  options.pretrainedLayers = setup.pretrainedLayers;
  // A network trained from scratch before has no pretrained statistics or features either.
  options.fromRandomWeights = setup.pretrainedLayers.empty() &&
                              (!setup.newLayers.empty() || trainedFromRandomWeights(setup.model));
  // The advisor's first stage is a linear probe on frozen features: without augmentation those
  // features are the same every epoch, so they are computed once per image (--cache-frozen).
  // Measured on the fashion sample folder: the default run 4x faster, to the same weights.
  if (setup.advisorPlan && !options.augment.any()) options.cacheFrozen = true;
  // Random new layers are nothing to keep: a single run on them starts unguarded (trainPlan
  // decides per stage).
  options.keepBetterStart = setup.keepBetterStart && (setup.plan || setup.newLayers.empty());
  options.savedTrainable = setup.userTrainable;
  options.savedRecipe = setup.userRecipe;
  TrainResult result = setup.plan
                           ? asOneRun(trainPlan(setup.model, data, *setup.plan, setup.newLayers,
                                                options, observer, cancel, setup.planSource))
                           : trainModel(setup.model, data, options, observer, cancel);
  result.model = withSavedTrainable(std::move(result.model), setup.userTrainable, setup.userRecipe);
  return result;
}

}  // namespace graft
