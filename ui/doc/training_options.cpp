#include "ui/doc/training_options.h"

#include "graph/keras_json.h"
#include "run/train_spec_text.h"

namespace graft::ui {

TrainSpec trainSpecOf(const TrainingSettings& settings) {
  TrainSpec spec;
  spec.data = settings.dataDir.toStdString();
  spec.validationSplit = settings.validationSplit;
  spec.epochs = settings.epochs;
  spec.batchSize = settings.batchSize;
  if (!settings.optimizer.isEmpty()) spec.optimizer = settings.optimizer.toStdString();
  if (settings.learningRate > 0) spec.lr = settings.learningRate;
  spec.seed = settings.seed;
  spec.augment = settings.augment.toStdString();
  spec.freezeUpto = settings.freezeUpto.toStdString();
  spec.cacheFrozen = settings.cacheFrozen;
  spec.trainBatchNorm = settings.trainBatchNorm;
  spec.chosen = settings.chosen;
  for (const auto& [key, text] : settings.moreOptions) {
    const SpecField& field = trainSpecField(key);
    setSpecValueFromText(field, text, spec);
    // Naming how to train (momentum, a schedule, ...) is a choice, as on the command line.
    if (field.choosesHowToTrain) spec.chosen = true;
  }
  if (!settings.plan.trimmed().isEmpty()) {
    // The depth guard every file reader has: the text is the user's (or pasted).
    try {
      spec.plan = Json::parse(settings.plan.toStdString(), jsonInputGuard("the plan"));
    } catch (const Json::parse_error& e) {
      throw Error(std::string("the plan: not valid JSON: ") + e.what());
    }
    // A user's plan runs as written: its stages say whether BatchNormalization trains.
    spec.trainBatchNorm = false;
  }
  return spec;
}

}  // namespace graft::ui
