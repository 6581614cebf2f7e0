#include "ui/doc/training_advice.h"

#include "run/counted.h"
#include "runtime/explore/cut_explorer_advice.h"
#include "runtime/training/training_advisor.h"

namespace graft::ui {

TrainingAdvice adviseTraining(const Model& model, const QString& dataDir,
                              const CutExplorerReport* measured) {
  const ModelFacts modelFacts = describeModel(model, newLayersOf(model, {}));
  const DataFacts dataFacts = describeData(scanImageFolder(dataDir.toStdString()));
  TrainingPlan plan = advisePlan(model, modelFacts, dataFacts);
  if (measured)
    for (auto& sentence : cutAdvice(*measured, model.graph))
      plan.reasons.push_back(std::move(sentence));
  TrainingAdvice advice;
  advice.planJson = QString::fromStdString(planToJson(plan).dump(2));
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const TrainingStage& s = plan.stages[i];
    advice.explanation << QStringLiteral("Stage %1 (%2): %3, %4, %5")
                              .arg(i + 1)
                              .arg(QString::fromStdString(s.name),
                                   QString::fromStdString(s.describeScope()),
                                   QString::fromStdString(s.optimizer.describe()),
                                   QString::fromStdString(counted(s.epochs, "epoch", "epochs")));
    for (const auto& why : s.why)
      advice.explanation << QStringLiteral("  • ") + QString::fromStdString(why);
  }
  for (const auto& reason : plan.reasons) advice.explanation << QString::fromStdString(reason);
  for (const auto& warning : plan.warnings)
    advice.explanation << QStringLiteral("Warning: ") + QString::fromStdString(warning);
  advice.stages = static_cast<int>(plan.stages.size());
  advice.warnings = static_cast<int>(plan.warnings.size());
  return advice;
}

}  // namespace graft::ui
