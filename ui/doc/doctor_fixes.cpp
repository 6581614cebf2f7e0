#include "ui/doc/doctor_fixes.h"

#include "graph/keras_json.h"
#include "runtime/training/training_doctor.h"
#include "runtime/training/training_plan.h"

namespace graft::ui {
namespace {

constexpr char kPretrainedRate[] = "pretrained_rate_too_high";
// The advisor's warning before a run (runtime/training/training_advisor.h) about the same rate.
constexpr char kHighRateWarning[] = "high_learning_rate";

bool aboutPretrainedRate(const QString& code) {
  return code == QLatin1String(kPretrainedRate) || code == QLatin1String(kHighRateWarning);
}

// The plan's JSON and what the core's reader makes of it: the reader checks it (errors name
// the JSON path), the JSON is what gets edited, so fields the reader does not keep (a stage's
// "why", the top's "reasons") stay as written.
struct ReadPlan {
  Json json;
  TrainingPlan plan;
};

ReadPlan readPlan(const QString& text) {
  ReadPlan read;
  try {
    read.json = Json::parse(text.toStdString(), jsonInputGuard("the plan"));
  } catch (const Json::parse_error& e) {
    throw Error(std::string("the plan: not valid JSON: ") + e.what());
  }
  read.plan = planFromJson(read.json, "the plan");
  return read;
}

QString planText(const Json& json) {
  return QString::fromStdString(json.dump(2));
}

}  // namespace

const std::vector<DoctorFixEntry>& doctorFixTable() {
  // chance_level: the doctor's fix is the advisor's plan (BatchNormalization stays frozen in
  // it). Without a fix here: collapsed_predictions (the doctor names three possible causes;
  // one button would guess), overfitting (stop earlier, more images), flat_loss (check the
  // frozen layers and the class folders before raising the rate), batch_norm_not_settled (a
  // network from random weights: freezing BatchNormalization would keep random statistics).
  static const std::vector<DoctorFixEntry> table = {
      {"chance_level", DoctorFix::TrainHeadFirst, "Train the head first", false},
      {"loss_not_finite", DoctorFix::LowerRate, "Lower the rate", true},
      {"batch_norm_statistics", DoctorFix::FreezeBatchNorm, "Freeze BatchNormalization and restart",
       true},
      {kPretrainedRate, DoctorFix::LowerRate, "Lower the rate", true},
      // Said as the run starts: the restart is from the model the run started from.
      {kHighRateWarning, DoctorFix::LowerRate, "Lower the rate", false},
  };
  return table;
}

std::optional<DoctorFixEntry> doctorFixFor(const QString& code) {
  for (const DoctorFixEntry& entry : doctorFixTable())
    if (code == QLatin1String(entry.code)) return entry;
  return std::nullopt;
}

double defaultLearningRate(const QString& optimizer) {
  OptimizerOptions options;
  options.kind = optimizerFromName(optimizer.toStdString());
  return options.effectiveLearningRate();
}

double loweredLearningRate(const QString& code, const QString& optimizer, double current) {
  if (aboutPretrainedRate(code)) {
    // The doctor's fix text names the same rate: pretrainedRateLimit / 3.
    const double suggested = pretrainedRateLimit(optimizer.toStdString()) / 3.0;
    if (suggested < current) return suggested;
  }
  return current / 10.0;
}

QString planWithBatchNormFrozen(const QString& plan) {
  ReadPlan read = readPlan(plan);
  for (Json& stage : read.json["stages"]) stage["batch_norm"] = "frozen";
  return planText(read.json);
}

QString planWithLowerRates(const QString& plan, const QString& code) {
  ReadPlan read = readPlan(plan);
  const bool pretrainedOnly = aboutPretrainedRate(code);
  for (size_t i = 0; i < read.plan.stages.size(); ++i) {
    const TrainingStage& stage = read.plan.stages[i];
    if (pretrainedOnly && stage.scope == StageScope::NewLayers) continue;
    read.json["stages"][i]["learning_rate"] =
        loweredLearningRate(code, QString::fromStdString(optimizerName(stage.optimizer.kind)),
                            stage.optimizer.effectiveLearningRate());
  }
  return planText(read.json);
}

}  // namespace graft::ui
