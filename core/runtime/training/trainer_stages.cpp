#include "runtime/training/trainer_stages.h"

#include "io/recipe.h"

#include <algorithm>
#include <map>
#include <set>

#include "graph/nearest_name.h"
#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "runtime/data/dataset_random.h"
#include "runtime/training/trainer_checkpoint.h"

namespace graft {

namespace {

// The best epoch of a plan so far, for restoreBest over the whole run: Keras restores within
// each fit, but a plan is one run to its user, and a later stage may only have made it worse.
struct BestOfPlan {
  double loss = 0;  // unpenalizedLoss: stages regularize different layers
  WeightStore weights;
  EpochEvent event;  // counted within its stage
  size_t stage = 0;
  int runEpoch = 0;  // counted over the whole run
};

Model applied(const Model& model, const Json& operation, const std::string& where) {
  auto edited = applyOperation(model, operation);
  if (!edited) throw Error(where + ": " + joinDiagnostics(edited.diagnostics()));
  return std::move(edited).value().model;
}

std::string firstLayer(const Graph& graph) {
  return graph.nodes()[graph.topologicalOrder().value().front()].name;
}

ops::Selection fromLayer(const std::string& name) {
  ops::Selection s;
  s.from = name;
  return s;
}

bool hasAny(const Graph& graph, const std::vector<std::string>& layers) {
  return std::any_of(layers.begin(), layers.end(),
                     [&](const std::string& name) { return graph.find(name) != nullptr; });
}

}  // namespace

int heldEpochOverTheRun(const TrainResult& stage, int epochsBefore, int heldBefore) {
  if (!stage.restoredEpoch) return epochsBefore + stage.epochsCompleted;
  return *stage.restoredEpoch == 0 ? heldBefore : epochsBefore + *stage.restoredEpoch;
}

Model modelForStage(const Model& model, const TrainingStage& stage, size_t stageIndex,
                    const std::vector<std::string>& newLayers, const std::string& planSource) {
  const std::string where = planSource + ": " + stageFieldPath(stageIndex, "");
  const auto fieldError = [&](const std::string& field, const std::string& message) {
    return Error(Diagnostic{planSource + ": " + stageFieldPath(stageIndex, field), message});
  };
  if (model.graph.size() == 0) throw Error(where + ": the model has no layers");
  const std::string first = firstLayer(model.graph);
  // From scratch: every stage says the whole story of what trains.
  Model m = applied(model, ops::unfreeze(fromLayer(first)), where);
  switch (stage.scope) {
    case StageScope::All:
      break;
    case StageScope::NewLayers: {
      ops::Selection fresh;
      for (const auto& name : newLayers)
        if (m.graph.find(name)) fresh.layers.push_back(name);
      if (fresh.layers.empty())
        throw fieldError("train",
                         "\"new\" trains the new layers, but this model has none (every layer "
                         "with weights came from a weights file); use \"unfreeze_from\" or "
                         "\"train\": \"all\"");
      m = applied(m, ops::freeze(fromLayer(first)), where);
      m = applied(m, ops::unfreeze(fresh), where);
      break;
    }
    case StageScope::UnfreezeFrom:
    case StageScope::FreezeUpto: {
      const std::string field =
          stage.scope == StageScope::UnfreezeFrom ? "unfreeze_from" : "freeze_upto";
      if (!m.graph.find(stage.layer))
        throw fieldError(field, "'" + stage.layer + "' names no layer of the model" +
                                    didYouMean(m.graph, stage.layer));
      // A layer with weights the model froze for good (BatchNormalization aside: each stage
      // decides that one); a weightless layer's flag changes nothing.
      const Node& named = model.graph.at(stage.layer);
      const NodeInfo* namedInfo = analyzeOrThrow(model.graph).find(stage.layer);
      if (stage.scope == StageScope::UnfreezeFrom && !named.trainable &&
          named.className != "BatchNormalization" && namedInfo && !namedInfo->weights.empty())
        throw fieldError(field, "'" + stage.layer +
                                    "' is frozen in the model itself (its recipe's freeze or the "
                                    "file's trainable flags), and a run does not undo that: "
                                    "unfreeze it first with the recipe step {\"op\": "
                                    "\"unfreeze\", \"from\": \"" +
                                    stage.layer + "\"}");
      if (stage.scope == StageScope::UnfreezeFrom) {
        m = applied(m, ops::freeze(fromLayer(first)), where);
        m = applied(m, ops::unfreeze(fromLayer(stage.layer)), where);
      } else {
        ops::Selection upto;
        upto.upto = stage.layer;
        m = applied(m, ops::freeze(upto), where);
      }
      break;
    }
  }
  if (stage.freezeBatchNorm) {
    ops::Selection bn;
    bn.types = {"BatchNormalization"};
    m = applied(m, ops::freeze(bn), where);
  }
  // What the model freezes is frozen for good (README, Training): a stage trains only among
  // the layers the model lets train.
  ops::Selection frozenByModel;
  for (const Node& node : model.graph.nodes())
    if (!node.trainable) frozenByModel.layers.push_back(node.name);
  if (!frozenByModel.layers.empty()) m = applied(m, ops::freeze(frozenByModel), where);
  if (trainableLayers(m).empty()) {
    const GraphAnalysis analysis = analyzeOrThrow(model.graph);
    int withWeights = 0;  // counted as the advisor counts: layers with weights
    for (const auto& name : frozenByModel.layers)
      if (const NodeInfo* info = analysis.find(name); info && !info->weights.empty()) ++withWeights;
    throw Error(where + ": every layer with weights is frozen in this stage" +
                (withWeights == 0 ? std::string()
                                  : " (the model itself freezes " + std::to_string(withWeights) +
                                        " of them; a recipe's unfreeze lets them train)") +
                ": nothing to train");
  }
  return m;
}

std::vector<std::string> trainableLayers(const Model& stageModel) {
  const GraphAnalysis analysis = analyzeOrThrow(stageModel.graph);
  std::vector<std::string> names;
  for (const auto& node : stageModel.graph.nodes()) {
    const NodeInfo* info = analysis.find(node.name);
    if (info && info->trainableParams > 0) names.push_back(node.name);
  }
  return names;
}

std::vector<std::string> pretrainedLayersOf(const Model& model,
                                            const std::vector<std::string>& newLayers) {
  // Trained by Graft from random weights: no layer came from a weights file.
  if (trainedFromRandomWeights(model)) return {};
  std::set<std::string> own(newLayers.begin(), newLayers.end());
  for (const std::string& layer : layersAddedByRecipe(model.recipe)) own.insert(layer);
  std::vector<std::string> pretrained;
  for (const auto& layer : model.weights.layers())
    if (!own.count(layer) && model.graph.find(layer)) pretrained.push_back(layer);
  return pretrained;
}

std::map<std::string, double> stageRateScales(const Model& model, const TrainingStage& stage,
                                              const std::vector<std::string>& newLayers) {
  std::map<std::string, double> scales;
  if (stage.pretrainedRateScale == 1.0) return scales;
  for (const auto& layer : pretrainedLayersOf(model, newLayers))
    scales[layer] = stage.pretrainedRateScale;
  return scales;
}

PlanResult trainPlan(const Model& model, const TrainingSet& data, const TrainingPlan& plan,
                     const std::vector<std::string>& newLayers, const TrainOptions& base,
                     TrainObserver* observer, const std::atomic<bool>* cancel,
                     const std::string& planSource) {
  if (plan.stages.empty()) throw Error(planSource + ": $.stages: the plan has no stages");
  // A mistake in stage 3 should not wait for stages 1 and 2 to train.
  for (size_t i = 0; i < plan.stages.size(); ++i)
    modelForStage(model, plan.stages[i], i, newLayers, planSource);

  PlanResult result;
  result.model = model;
  // What the checkpoint file holds from the stages before (trainer.h, checkpointBestSoFar).
  std::optional<double> bestSoFar;
  std::string held;
  // Each stage starts from the previous one's weights with the trainable flags the model was
  // given: a stage's own freezes are not the model's (modelForStage keeps the model's).
  std::map<std::string, bool> given;
  for (const Node& node : model.graph.nodes()) given[node.name] = node.trainable;
  std::optional<BestOfPlan> bestOfPlan;
  int epochsBefore = 0;
  int heldRunEpoch = 0;  // the epoch, over the whole run, whose weights result.model holds
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const TrainingStage& stage = plan.stages[i];
    const Model stageModel =
        modelForStage(withSavedTrainable(result.model, given), stage, i, newLayers, planSource);
    TrainOptions options = base;
    // Each stage draws anew, as a second model.fit does: with one seed every stage replayed
    // the first one's shuffles, augmentations and dropout masks epoch for epoch.
    if (i > 0) options.seed = deriveSeed(base.seed, 0x57a6e, i);
    options.epochs = stage.epochs;
    options.optimizer = stage.optimizer;
    options.freezeUpto.clear();
    options.layerRateScales = stageRateScales(stageModel, stage, newLayers);
    options.pretrainedLayers = pretrainedLayersOf(stageModel, newLayers);
    options.newLayersTrainedFirst = plan.stages.front().scope == StageScope::NewLayers;
    options.checkpointBestSoFar = bestSoFar;
    options.checkpointHeld = held;
    options.epochsBeforeThisStage = epochsBefore;
    // A run that must not end worse than it started: the first stage only when the model has
    // no new layers (random ones are nothing to keep), a later one against where the stage
    // before ended (no second validation pass).
    if (i == 0)
      options.keepBetterStart = base.keepBetterStart && !hasAny(stageModel.graph, newLayers);
    else if (!result.stages.back().history.empty())
      options.startNumbers = modelEpoch(result.stages.back());

    StageEvent event;
    event.stage = static_cast<int>(i + 1);
    event.stages = static_cast<int>(plan.stages.size());
    event.name = stage.name;
    event.scope = stage.describeScope();
    event.optimizer = stage.optimizer.describe();
    event.epochs = stage.epochs;
    event.pretrainedRateScale = stage.pretrainedRateScale;
    event.freezeBatchNorm = stage.freezeBatchNorm;
    event.trainableLayers = trainableLayers(stageModel);
    if (observer) observer->onStage(event);

    TrainResult run = trainModel(stageModel, data, options, observer, cancel);
    // What the file holds now: the epoch the run says it wrote last (a restored best epoch
    // too, which its history does not mark).
    if (run.checkpointEpoch)
      for (const EpochEvent& epoch : run.history)
        if (epoch.epoch == *run.checkpointEpoch) {
          bestSoFar = unpenalizedLoss(epoch);
          held = "epoch " + std::to_string(epoch.epoch) + " of stage " + std::to_string(i + 1) +
                 " (" + stage.name + ")";
        }
    // The stage kept the weights it started from and wrote them (keepBetterStart).
    if (run.checkpointEpoch == 0 && run.start) {
      bestSoFar = unpenalizedLoss(*run.start);
      held = "the weights stage " + std::to_string(i + 1) + " (" + stage.name + ") started from";
    }
    if (run.status == TrainStatus::Completed)
      heldRunEpoch = heldEpochOverTheRun(run, epochsBefore, heldRunEpoch);
    // The stage ends with its best epoch's weights (restoreBest): a candidate for the run's.
    if (base.earlyStopping.restoreBest && run.status == TrainStatus::Completed &&
        !run.history.empty()) {
      const EpochEvent& kept = modelEpoch(run);
      if (!bestOfPlan || unpenalizedLoss(kept) < bestOfPlan->loss)
        bestOfPlan = BestOfPlan{unpenalizedLoss(kept), run.model.weights, kept, i, heldRunEpoch};
    }
    epochsBefore += run.epochsCompleted;
    result.model = run.model;
    const TrainStatus status = run.status;
    const std::string message = run.message;
    result.stages.push_back(std::move(run));
    if (status != TrainStatus::Completed) {
      result.status = status;
      result.message = "stage " + std::to_string(i + 1) + " (" + stage.name + "): " + message;
      return result;
    }
    result.stagesCompleted = static_cast<int>(i + 1);
  }
  if (bestOfPlan && bestOfPlan->stage + 1 < plan.stages.size()) {
    result.model.weights = std::move(bestOfPlan->weights);
    result.restoredEpoch = bestOfPlan->runEpoch;
    const TrainingStage& stage = plan.stages[bestOfPlan->stage];
    if (observer)
      observer->onNote(
          "ending the plan with the weights of epoch " + std::to_string(bestOfPlan->runEpoch) +
          " (epoch " + std::to_string(bestOfPlan->event.epoch) + " of stage " +
          std::to_string(bestOfPlan->stage + 1) + ", " + stage.name + "), the best of the run");
    // With checkpoint "best" the file holds that epoch already; "last" wrote the last stage's.
    if (!base.checkpointPath.empty() && base.checkpointMode != CheckpointMode::Best) {
      TrainOptions fileOptions = base;
      fileOptions.checkpointBestSoFar.reset();
      CheckpointWriter file(fileOptions);
      if (auto notSaved = file.holdEpoch(result.model, bestOfPlan->event)) {
        result.status = TrainStatus::Failed;
        result.message = *notSaved;
      } else {
        result.checkpointEpoch = bestOfPlan->runEpoch;
      }
    }
  }
  return result;
}

TrainResult asOneRun(PlanResult planned) {
  TrainResult result = planned.stages.empty() ? TrainResult{} : planned.stages.back();
  result.status = planned.status;
  result.message = planned.message;
  result.model = std::move(planned.model);
  result.history.clear();
  result.diagnoses.clear();
  result.epochsCompleted = 0;
  result.checkpointEpoch.reset();
  result.restoredEpoch.reset();
  result.stoppedEarly = false;
  result.start = planned.stages.empty() ? std::nullopt : planned.stages.front().start;
  int held = 0;  // the epoch over the whole run whose weights the model holds (0: the start)
  for (const auto& stage : planned.stages) {
    result.stoppedEarly = result.stoppedEarly || stage.stoppedEarly;
    // The model is the last stage's: its restored epoch, counted over the whole run (a stage
    // that kept its start holds what the stage before it ended with).
    const int before = held;
    held = heldEpochOverTheRun(stage, result.epochsCompleted, held);
    result.restoredEpoch = stage.restoredEpoch ? std::optional<int>(held) : std::nullopt;
    // Counted over the whole run, as epochsCompleted is: the last stage that wrote the file.
    if (stage.checkpointEpoch)
      result.checkpointEpoch =
          *stage.checkpointEpoch == 0 ? before : result.epochsCompleted + *stage.checkpointEpoch;
    result.history.insert(result.history.end(), stage.history.begin(), stage.history.end());
    // Counted over the run, as the epochs are (a stage's own count its own).
    for (Diagnosis finding : stage.diagnoses) {
      finding.epoch += result.epochsCompleted;
      result.diagnoses.push_back(std::move(finding));
    }
    result.epochsCompleted += stage.epochsCompleted;
  }
  if (planned.restoredEpoch) result.restoredEpoch = planned.restoredEpoch;
  if (planned.checkpointEpoch) result.checkpointEpoch = planned.checkpointEpoch;
  // Each stage's best epoch by its own monitored loss (as Keras's fit), the run's best among
  // them without the penalties (unpenalizedLoss), as trainPlan's restore picks it.
  result.bestEpoch.reset();
  std::optional<double> bestLoss;
  int epochsBefore = 0;
  for (const auto& stage : planned.stages) {
    if (stage.bestEpoch && size_t(*stage.bestEpoch) <= stage.history.size()) {
      const EpochEvent& best = stage.history[size_t(*stage.bestEpoch - 1)];
      if (!bestLoss || unpenalizedLoss(best) < *bestLoss) {
        bestLoss = unpenalizedLoss(best);
        result.bestEpoch = epochsBefore + *stage.bestEpoch;
      }
    }
    epochsBefore += stage.epochsCompleted;
  }
  return result;
}

}  // namespace graft
