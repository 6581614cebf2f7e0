#include "runtime/training/train_run.h"

#include "runtime/data/free_input_size.h"
#include "runtime/training/trainer_checkpoint.h"
#include "runtime/training/validation_checks.h"

namespace graft {

TrainOptions trainOptionsFrom(const TrainSpec& spec) {
  TrainOptions options;
  options.epochs = spec.epochs;
  options.batchSize = spec.batchSize;
  options.optimizer.kind = optimizerFromName(spec.optimizer);
  options.optimizer.learningRate = spec.lr;
  options.optimizer.momentum = spec.momentum;
  options.optimizer.nesterov = spec.nesterov;
  options.optimizer.weightDecay = spec.weightDecay;
  options.labelSmoothing = spec.labelSmoothing;
  options.schedule.kind = scheduleFromName(spec.schedule);
  options.schedule.stepEpochs = spec.stepEpochs;
  options.schedule.factor = spec.lrFactor;
  options.schedule.patience = spec.lrPatience;
  options.schedule.minLearningRate = spec.minLr;
  options.earlyStopping.patience = spec.earlyStopping;
  options.earlyStopping.restoreBest = spec.restoreBest;
  options.seed = spec.seed.value_or(0);
  options.augment = parseAugmentList(spec.augment);
  options.classWeights = spec.classWeights;
  options.freezeUpto = spec.freezeUpto;
  options.cacheFrozen = spec.cacheFrozen;
  options.freeInputSize = spec.freeInputSize;
  options.workers = spec.workers;
  // The table checked both (validateTrainSpec); a spec built in memory falls back to the
  // defaults rather than failing here.
  options.device = parseDeviceChoice(spec.device).value_or(DeviceChoice{});
  options.precision = parsePrecision(spec.precision).value_or(Precision::Float32);
  options.channelsLast = parseChannelsLast(spec.channelsLast).value_or(ChannelsLast::Auto);
  options.maxUnreadableFraction = spec.maxUnreadable;
  options.checkpointPath = spec.output;
  options.checkpointMode = spec.checkpoint == "best" ? CheckpointMode::Best : CheckpointMode::Last;
  return options;
}

std::optional<TrainingPlan> planOf(const TrainSpec& spec, const std::string& source) {
  if (spec.plan.is_null()) return std::nullopt;
  if (spec.plan.is_string()) return readPlanFile(spec.plan.get<std::string>());
  return planFromJson(spec.plan, source);
}

TrainRun::TrainRun(TrainSpec spec, std::string planSource)
    : spec_(std::move(spec)), planSource_(std::move(planSource)) {
  if (const auto problem = validateTrainSpec(spec_))
    throw Error(Diagnostic{specFlag(trainSpecField(problem->key)), problem->message});
  options_ = trainOptionsFrom(spec_);
  // Before the model and the images are read: a bad output name should not wait for them.
  if (!spec_.output.empty()) checkCheckpointPath(spec_.output);
  plan_ = planOf(spec_, planSource_);
}

const TrainingSet& TrainRun::readImages() {
  data_ = prepareTrainingSet(spec_.data, spec_.validationDir, spec_.validationSplit, options_.seed);
  return data_;
}

const TrainingSetup& TrainRun::setUp(const Model& model,
                                     const std::vector<std::string>& freshLayers) {
  keepModelClassOrder(data_, model.labels);
  TrainingChoice choice;
  choice.chosen = spec_.chosen;
  choice.trainBatchNorm = spec_.trainBatchNorm;
  choice.plan = plan_;
  choice.planSource = planSource_;
  // A free-size model trains at the size predict and eval take without one (the size it was
  // trained at, its zoo architecture's, else 224), and says so: refusing sent a user who had
  // cut a no-top MobileNet as the README shows back for --input-size, while eval went on.
  options_.freeInputSize = spec_.freeInputSize;
  inputNote_.clear();
  if (spec_.freeInputSize <= 0) {
    inputNote_ = freeInputSizeNote(model);
    if (!inputNote_.empty()) options_.freeInputSize = static_cast<int>(defaultFreeInputSide(model));
  }
  facts_ = describeData(scanImageFolder(spec_.data));
  setup_ = setUpTraining(model, freshLayers, facts_, choice);
  return *setup_;
}

std::vector<PlanWarning> TrainRun::warnings() const {
  if (!setup_) throw Error("internal: TrainRun::warnings before setUp");
  auto warnings = checkSetup(*setup_, facts_, options_);
  for (auto& w : checkValidation(data_, spec_.data, spec_.validationDir, spec_.validationSplit))
    warnings.push_back(std::move(w));
  return warnings;
}

TrainResult TrainRun::run(TrainObserver* observer, const std::atomic<bool>* cancel) const {
  if (!setup_) throw Error("internal: TrainRun::run before setUp");
  return runTraining(*setup_, data_, options_, observer, cancel);
}

}  // namespace graft
