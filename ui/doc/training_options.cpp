#include "ui/doc/training_options.h"

namespace graft::ui {

TrainOptions trainOptionsFor(const TrainingSettings& settings) {
  TrainOptions options;
  options.epochs = settings.epochs;
  options.batchSize = settings.batchSize;
  if (!settings.optimizer.isEmpty())
    options.optimizer.kind = optimizerFromName(settings.optimizer.toStdString());
  if (settings.learningRate > 0) options.optimizer.learningRate = settings.learningRate;
  options.seed = settings.seed;
  options.augment = parseAugmentList(settings.augment.toStdString());
  options.freezeUpto = settings.freezeUpto.toStdString();
  options.cacheFrozen = settings.cacheFrozen;
  return options;
}

std::optional<TrainingPlan> planOf(const TrainingSettings& settings) {
  if (settings.plan.trimmed().isEmpty()) return std::nullopt;
  Json json;
  try {
    json = Json::parse(settings.plan.toStdString());
  } catch (const Json::parse_error& e) {
    throw Error(std::string("the plan: not valid JSON: ") + e.what());
  }
  return planFromJson(json, "the plan");
}

}  // namespace graft::ui
