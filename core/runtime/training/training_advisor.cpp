#include "runtime/training/training_advisor.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <set>
#include <sstream>

#include "graph/analysis.h"
#include "io/recipe.h"
#include "runtime/training/trainer_stages.h"
#include "runtime/training/training_doctor.h"

namespace graft {

namespace {

// The thresholds the header documents.
constexpr double kFewImagesPerClass = 100;
constexpr double kManyImagesPerClass = 1000;
constexpr int64_t kManyImagesForShortHead = 1000;
constexpr int64_t kLargeNetworkParams = 1000000;
constexpr int64_t kFewImages = 100;
constexpr double kImbalanceRatio = 4.0;
constexpr double kHeadRate = 1e-3;
constexpr double kFineTuneRate = 1e-3;
constexpr double kFineTuneAdamRate = 1e-4;  // under a head that came trained (fineTuneStage)
constexpr double kPretrainedScale = 0.1;

std::string plainNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// "block5_conv1" -> "block5", "conv_dw_13_bn" -> "conv_dw_13", "mixed9" -> "mixed9": Keras
// Applications number their blocks, so the name up to its first number is the block.
std::string blockOf(const std::string& layer) {
  size_t i = 0;
  while (i < layer.size() && !std::isdigit(static_cast<unsigned char>(layer[i]))) ++i;
  while (i < layer.size() && std::isdigit(static_cast<unsigned char>(layer[i]))) ++i;
  return layer.substr(0, i);
}

// The first layer (topological order) of the run of layers sharing `layer`'s block.
std::string blockStart(const ModelFacts& facts, const std::string& layer) {
  auto it = std::find(facts.order.begin(), facts.order.end(), layer);
  if (it == facts.order.end()) return layer;
  const std::string block = blockOf(layer);
  while (it != facts.order.begin() && blockOf(*std::prev(it)) == block) --it;
  return *it;
}

TrainingStage headStage(const DataFacts& data) {
  TrainingStage s;
  s.name = "new layers";
  s.scope = StageScope::NewLayers;
  s.optimizer.kind = OptimizerKind::Adam;
  s.optimizer.learningRate = kHeadRate;
  s.epochs = data.images < kManyImagesForShortHead ? 10 : 5;
  s.why.push_back(
      "The new layers start from random weights, so they train alone first on the frozen "
      "pretrained layers: their large early errors would otherwise wreck the pretrained "
      "features.");
  s.why.push_back("Adam at 1e-3 is the usual rate for freshly initialised layers.");
  s.why.push_back(std::to_string(s.epochs) + " epochs: " +
                  (s.epochs == 10 ? "with fewer than " + std::to_string(kManyImagesForShortHead) +
                                        " images an epoch is only a few steps"
                                  : "with this many images a few epochs bring the new layers "
                                    "in line") +
                  ".");
  return s;
}

// The pretrained layers above the last one the model freezes (topological order): those a
// fine-tuning stage may unfreeze. Empty when the model freezes the topmost pretrained layer.
std::vector<std::string> unfreezablePretrained(const ModelFacts& facts) {
  const std::set<std::string> frozen(facts.frozenByModel.begin(), facts.frozenByModel.end());
  size_t first = 0;
  for (size_t i = 0; i < facts.pretrainedLayers.size(); ++i)
    if (frozen.count(facts.pretrainedLayers[i])) first = i + 1;
  // BatchNormalization layers stay frozen in every stage (freezeBatchNorm): right above the
  // model's frozen layers they leave nothing to fine-tune (a stage "from conv_pw_13_bn on"
  // trained no pretrained weight at all), and no stage starts at one.
  while (first < facts.pretrainedLayers.size() &&
         facts.batchNorms.count(facts.pretrainedLayers[first]))
    ++first;
  return {facts.pretrainedLayers.begin() + static_cast<std::ptrdiff_t>(first),
          facts.pretrainedLayers.end()};
}

// The first of the user's own layers a stage can train (not frozen by the model, not a
// BatchNormalization, which stages keep frozen) when all of them lie above every pretrained
// layer (a head on top): "from it on" then trains exactly the user's trainable layers, since a
// stage keeps what the model freezes frozen. Empty otherwise. (ownLayers is in model order.)
std::string firstTrainableOwnLayerOnTop(const ModelFacts& facts) {
  if (facts.ownLayers.empty()) return "";
  const auto position = [&](const std::string& layer) {
    return std::find(facts.order.begin(), facts.order.end(), layer) - facts.order.begin();
  };
  const auto firstOwn = position(facts.ownLayers.front());
  for (const auto& layer : facts.pretrainedLayers)
    if (position(layer) > firstOwn) return "";
  const std::set<std::string> frozen(facts.frozenByModel.begin(), facts.frozenByModel.end());
  for (const auto& layer : facts.ownLayers)
    if (!frozen.count(layer) && !facts.batchNorms.count(layer)) return layer;
  return "";
}

TrainingStage fineTuneStage(const ModelFacts& facts, const DataFacts& data, bool anyNew) {
  const double perClass = data.meanPerClass();
  const double share =
      perClass >= kManyImagesPerClass ? 0.5 : (perClass < kFewImagesPerClass ? 0.1 : 0.2);
  const auto count = static_cast<int64_t>(facts.pretrainedLayers.size());
  const int64_t top =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(share * static_cast<double>(count))));
  std::string pick = facts.pretrainedLayers[static_cast<size_t>(count - top)];
  const std::vector<std::string> unfreezable = unfreezablePretrained(facts);
  TrainingStage s;
  s.name = "fine-tune";
  s.scope = StageScope::UnfreezeFrom;
  s.layer = blockStart(facts, pick);
  // Never below what the model freezes: its freezes are for good.
  const auto position = [&](const std::string& layer) {
    return std::find(facts.order.begin(), facts.order.end(), layer) - facts.order.begin();
  };
  const bool startsInFrozen =
      !facts.frozenByModel.empty() && position(s.layer) < position(unfreezable.front());
  if (startsInFrozen) s.layer = unfreezable.front();
  // Under a head of the user's own that came trained (Cut Here's and probe --cut's start from
  // the explorer's fit): its weights on small pooled features can be large, and SGD's step grows
  // with the gradient they send down (a shallow cut went from 0.86 to chance in its first
  // epoch, loss in the hundreds); Adam's step does not.
  const bool underTrainedHead = !anyNew && !firstTrainableOwnLayerOnTop(facts).empty();
  if (underTrainedHead) {
    s.optimizer.kind = OptimizerKind::Adam;
    s.optimizer.learningRate = kFineTuneAdamRate;
  } else {
    s.optimizer.kind = OptimizerKind::Sgd;
    s.optimizer.learningRate = kFineTuneRate;
    s.optimizer.momentum = 0.9;
  }
  s.pretrainedRateScale = kPretrainedScale;
  s.epochs = 10;
  std::ostringstream scope;
  scope << "About " << static_cast<int64_t>(std::round(perClass)) << " images per class "
        << (perClass >= kManyImagesPerClass ? "is enough to retrain the top half"
            : perClass < kFewImagesPerClass ? "allows only the top tenth"
                                            : "is enough to adapt the top fifth")
        << " of the " << count << " pretrained layers with weights: training from " << s.layer
        << " (the start of " << blockOf(s.layer)
        << "'s block) on, while the lower layers keep their generic edges and textures.";
  s.why.push_back(scope.str());
  if (startsInFrozen)
    s.why.push_back("The model itself freezes the layers below " + s.layer +
                    " (its recipe's freeze or the file's trainable flags): they stay frozen.");
  if (underTrainedHead)
    s.why.push_back(
        "Adam at 1e-4 with pretrained_lr_scale 0.1 (1e-5 for the pretrained layers): your head "
        "came trained, and its weights can be large; Adam's steps do not grow with the "
        "gradients they send down, SGD's did (a shallow cut lost everything in one epoch).");
  else
    s.why.push_back(std::string("SGD with momentum 0.9 and pretrained_lr_scale 0.1 gives the "
                                "pretrained layers 1e-4, which nudges their weights instead of "
                                "overwriting them") +
                    (anyNew ? ", while the new layers keep 1e-3." : "."));
  s.why.push_back("10 epochs at this low rate; keep an eye on the validation loss.");
  return s;
}

}  // namespace

double DataFacts::meanPerClass() const {
  return classes.empty() ? 0.0 : static_cast<double>(images) / static_cast<double>(classes.size());
}

std::vector<std::string> newLayersOf(const Model& model,
                                     const std::vector<std::string>& freshLayers) {
  std::set<std::string> fresh(freshLayers.begin(), freshLayers.end());
  fresh.insert(model.untrainedLayers.begin(), model.untrainedLayers.end());
  const GraphAnalysis analysis = analyze(model.graph);
  std::vector<std::string> out;
  for (const auto& node : model.graph.nodes()) {
    const NodeInfo* info = analysis.find(node.name);
    if (fresh.count(node.name) && info && !info->weights.empty()) out.push_back(node.name);
  }
  return out;
}

ModelFacts describeModel(const Model& model, const std::vector<std::string>& newLayers) {
  ModelFacts facts;
  facts.newLayers = newLayers;
  const std::set<std::string> fresh(newLayers.begin(), newLayers.end());
  const std::vector<std::string> added = layersAddedByRecipe(model.recipe);
  const std::set<std::string> own(added.begin(), added.end());
  // Graft trained it from random weights: no layer holds pretrained features.
  const bool allOwn = trainedFromRandomWeights(model);
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const std::vector<size_t> order = model.graph.topologicalOrder().value();
  for (size_t i : order) {
    const Node& node = model.graph.nodes()[i];
    facts.order.push_back(node.name);
    if (node.className == "BatchNormalization") {
      facts.hasBatchNorm = true;
      facts.batchNorms.insert(node.name);
    }
    const NodeInfo* info = analysis.find(node.name);
    if (info && !info->weights.empty() && !fresh.count(node.name))
      (allOwn || own.count(node.name) ? facts.ownLayers : facts.pretrainedLayers)
          .push_back(node.name);
    // BatchNormalization left out: freezing it is the usual fine-tuning practice (Keras's own
    // examples save it frozen), which each stage handles (freezeBatchNorm), not a boundary.
    if (info && !info->weights.empty() && !node.trainable && node.className != "BatchNormalization")
      facts.frozenByModel.push_back(node.name);
  }
  const auto inputs = model.graph.inputs();
  if (inputs.size() == 1) {
    const NodeInfo* info = analysis.find(inputs[0]);
    if (info && info->outputShape.size() == 4 && info->outputShape[1] > 0 &&
        info->outputShape[2] > 0)
      facts.inputSide = std::min(info->outputShape[1], info->outputShape[2]);
  }
  return facts;
}

TrainingPlan advisePlan(const Model& model, const ModelFacts& facts, const DataFacts& data) {
  TrainingPlan plan;
  const double perClass = data.meanPerClass();
  if (facts.pretrainedLayers.empty()) {
    TrainingStage s;
    s.name = "all layers";
    s.scope = StageScope::All;
    s.optimizer.kind = OptimizerKind::Adam;
    s.optimizer.learningRate = kHeadRate;
    s.epochs = 20;
    s.freezeBatchNorm = false;
    // "all" trains what the model lets train: what the user froze (the freeze bar, a recipe's
    // freeze) stays frozen, and the plan says so rather than "the whole network".
    const bool frozen = !facts.frozenByModel.empty();
    const std::string what = frozen ? "every layer the model lets train" : "the whole network";
    s.why.push_back(facts.ownLayers.empty()
                        ? "No layer has pretrained weights, so " + what +
                              " trains from its random start; Adam at 1e-3 for 20 epochs is a "
                              "usual start for that."
                        : "No layer has pretrained weights (what they hold, Graft's runs taught "
                          "them from a random start), so " +
                              what +
                              " trains on; Adam at 1e-3 for 20 epochs is a usual start "
                              "for that.");
    if (frozen) {
      s.name = "all unfrozen layers";
      const size_t n = facts.frozenByModel.size();
      s.why.push_back(
          (n == 1 ? "The layer with weights the model freezes (" + facts.frozenByModel.front()
                  : "The " + std::to_string(n) + " layers with weights the model freezes (" +
                        facts.frozenByModel.front() + " ... " + facts.frozenByModel.back()) +
          ": the graph's freeze bar, a recipe's freeze or the file's trainable flags) " +
          (n == 1 ? "stays" : "stay") + " frozen, in this stage as in any; unfreeze " +
          (n == 1 ? "it" : "them") + " first to train " + (n == 1 ? "it" : "them") + " too.");
    }
    if (facts.hasBatchNorm)
      s.why.push_back("BatchNormalization trains too: it has no pretrained statistics to keep.");
    plan.stages.push_back(s);
  } else {
    const std::set<std::string> frozen(facts.frozenByModel.begin(), facts.frozenByModel.end());
    const bool anyNewTrainable =
        std::any_of(facts.newLayers.begin(), facts.newLayers.end(),
                    [&](const std::string& layer) { return !frozen.count(layer); });
    const bool canFineTune = !unfreezablePretrained(facts).empty();
    const bool anyOwnTrainable =
        std::any_of(facts.ownLayers.begin(), facts.ownLayers.end(),
                    [&](const std::string& layer) { return !frozen.count(layer); });
    if (!anyNewTrainable && !canFineTune) {
      if (!anyOwnTrainable)
        throw Error(Diagnostic{
            "model",
            "every layer with weights is frozen in the model itself (its recipe's freeze, or "
            "the file's trainable flags), so there is nothing to train; unfreeze the layers to "
            "train with a recipe step {\"op\": \"unfreeze\", \"from\": LAYER}"});
      // The user's own layers, trained before, on pretrained layers the model keeps frozen:
      // they train on as the model leaves them.
      TrainingStage s = headStage(data);
      s.name = "your layers";
      s.scope = StageScope::All;
      s.why = {
          "The model freezes its pretrained layers, so the layers you added train on as "
          "the model leaves them; Adam at 1e-3 suits layers with no pretrained features "
          "to keep."};
      plan.stages.push_back(s);
      plan.reasons.push_back(
          "The model itself freezes its pretrained layers (its recipe's freeze or the file's "
          "trainable flags): only the layers you added train.");
    } else if (const std::string ownHead = firstTrainableOwnLayerOnTop(facts);
               !anyNewTrainable && perClass < kFewImagesPerClass && !ownHead.empty()) {
      // A head of the user's own on the pretrained layers (Cut Here's, started from the
      // explorer's fitted classifier; a head trained before): with few images the pretrained
      // layers stay as they are, as they do for a new head. Fine-tuning them under such a head
      // (SGD, 1e-4) blew a shallow cut's loss up to thousands in its first epoch: a head fitted
      // to small pooled features has large weights, and their gradients reach the layer below.
      TrainingStage s = headStage(data);
      s.name = "your layers";
      s.scope = StageScope::UnfreezeFrom;
      s.layer = ownHead;
      s.why = {
          "The layers you added on the pretrained ones train on; Adam at 1e-3 moves a head "
          "that already classifies by small steps."};
      plan.stages.push_back(s);
      plan.reasons.push_back(
          "With about " + std::to_string(static_cast<int64_t>(std::round(perClass))) +
          " images per class (fewer than " + plainNumber(kFewImagesPerClass) +
          "), retraining pretrained layers would overfit, so only your layers train.");
    } else {
      if (anyNewTrainable) plan.stages.push_back(headStage(data));
      if (!canFineTune)
        plan.reasons.push_back(
            "The model itself freezes its top pretrained layer (its recipe's freeze or the "
            "file's trainable flags), so the pretrained layers stay frozen: only the new layers "
            "train.");
      else if (!anyNewTrainable || perClass >= kFewImagesPerClass)
        plan.stages.push_back(fineTuneStage(facts, data, anyNewTrainable));
      else
        plan.reasons.push_back(
            "With about " + std::to_string(static_cast<int64_t>(std::round(perClass))) +
            " images per class (fewer than " + plainNumber(kFewImagesPerClass) +
            "), retraining pretrained layers would overfit, so only the new layers train.");
    }
  }
  if (facts.hasBatchNorm && !facts.pretrainedLayers.empty())
    plan.reasons.push_back(
        "BatchNormalization layers stay frozen in inference mode: small fine-tuning batches "
        "would replace their pretrained statistics with noisy ones.");
  for (const auto& w : checkPlan(model, facts, data, plan)) plan.warnings.push_back(w.message);
  return plan;
}

std::vector<PlanWarning> checkRun(const Model& trainingModel, const ModelFacts& facts,
                                  const DataFacts& data, const OptimizerOptions& optimizer,
                                  double pretrainedRateScale, const std::string& label,
                                  OptionWords words) {
  std::vector<PlanWarning> warnings;
  // Pretrained: weights from the file the model came from. A head the user stacked and has
  // trained since is no longer new, but it holds no pretrained features to destroy.
  const std::set<std::string> pretrained(facts.pretrainedLayers.begin(),
                                         facts.pretrainedLayers.end());
  const GraphAnalysis analysis = analyzeOrThrow(trainingModel.graph);
  int64_t pretrainedParams = 0;
  for (const auto& layer : trainableLayers(trainingModel))
    if (pretrained.count(layer)) pretrainedParams += analysis.find(layer)->trainableParams;
  if (pretrainedParams == 0) return warnings;
  if (pretrainedParams > kLargeNetworkParams && data.images < kFewImages)
    warnings.push_back({"large_network_few_images",
                        label + " trains " + std::to_string(pretrainedParams) +
                            " pretrained parameters on only " + std::to_string(data.images) +
                            " images: it will memorise them; train only the new layers (a "
                            "plan's \"train\": \"new\", or " +
                            optionInWords(words, "freeze_upto") + ") or gather more images."});
  const bool sgd = optimizer.kind == OptimizerKind::Sgd;
  const double usual = sgd ? 1e-3 : 1e-4;
  const double rate = optimizer.effectiveLearningRate() * pretrainedRateScale;
  if (rate > pretrainedRateLimit(optimizerName(optimizer.kind)))
    warnings.push_back(
        {"high_learning_rate",
         label + " trains pretrained layers at a learning rate of " + plainNumber(rate) +
             ", far above the usual " + plainNumber(usual) + " or less for " +
             optimizerName(optimizer.kind) +
             ": it can destroy the pretrained features in a few steps; lower the learning rate "
             "or give pretrained layers a pretrained_lr_scale (e.g. 0.1)."});
  return warnings;
}

std::vector<PlanWarning> checkData(const ModelFacts& facts, const DataFacts& data,
                                   OptionWords words) {
  std::vector<PlanWarning> warnings;
  if (data.notImages > 0)
    warnings.push_back(
        {"not_images", std::to_string(data.notImages) + " of the " +
                           std::to_string(data.images + data.notImages) +
                           " files named as images do not begin as one (e.g. " +
                           data.firstNotImage +
                           "): they are left out of the counts here, and a run skips them (past " +
                           optionInWords(words, "max_unreadable") + " it stops)"});
  if (data.medianSide > 0 && facts.inputSide > 0 && data.medianSide * 2 < facts.inputSide)
    warnings.push_back(
        {"small_images",
         "The images are about " + std::to_string(data.medianSide) +
             " px on their smaller side but the model takes " + std::to_string(facts.inputSide) +
             " px: upscaling them that much gives the pretrained filters blurry "
             "input; consider a smaller " +
             // an option of the model, not of "train", in a pipeline
             (words == OptionWords::Pipeline ? "\"input_size\" in \"model\"" : "--input-size") +
             " or a model made for small images."});
  if (data.imagesPerClass.size() >= 2) {
    const auto [low, high] =
        std::minmax_element(data.imagesPerClass.begin(), data.imagesPerClass.end());
    if (*low > 0 && static_cast<double>(*high) >= kImbalanceRatio * static_cast<double>(*low)) {
      const auto name = [&](auto it) {
        return data.classes.at(static_cast<size_t>(it - data.imagesPerClass.begin()));
      };
      warnings.push_back(
          {"imbalanced",
           "The classes are badly imbalanced: '" + name(high) + "' has " + std::to_string(*high) +
               " images, '" + name(low) + "' only " + std::to_string(*low) + "; use " +
               optionInWords(words, "class_weights", words == OptionWords::Pipeline ? "true" : "") +
               " or gather more images of the small classes."});
    }
  }
  return warnings;
}

std::vector<PlanWarning> checkPlan(const Model& model, const ModelFacts& facts,
                                   const DataFacts& data, const TrainingPlan& plan,
                                   const std::string& planSource, OptionWords words) {
  std::vector<PlanWarning> warnings;
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const TrainingStage& stage = plan.stages[i];
    const Model stageModel = modelForStage(model, stage, i, facts.newLayers, planSource);
    for (auto& w : checkRun(stageModel, facts, data, stage.optimizer, stage.pretrainedRateScale,
                            "stage " + std::to_string(i + 1) + " (" + stage.name + ")", words))
      warnings.push_back(std::move(w));
  }
  for (auto& w : checkData(facts, data, words)) warnings.push_back(std::move(w));
  return warnings;
}

}  // namespace graft
