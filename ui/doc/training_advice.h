#pragma once
// The training advisor (runtime/training/training_advisor.h) for the training panel: the proposed
// plan as editable JSON (the --plan format) and its reasoning as lines to show beside it.
#include <QString>
#include <QStringList>
#include <string>
#include <vector>

#include "graph/model.h"
#include "runtime/explore/cut_explorer_report.h"

namespace graft::ui {

struct TrainingAdvice {
  QString planJson;         // indented; what the session's TrainingSettings::plan takes
  QStringList explanation;  // per stage its choices and why, then notes and warnings
  int stages = 0;
  int warnings = 0;
};

// New layers are the model's untrained ones (Model::untrainedLayers: a document's model holds the
// loader's fresh layers there too). `measured`: the cut-point explorer's
// report on this model, whose advice on where to cut joins the reasons (as `advise --probe`).
// Throws graft::Error naming the folder or the problem.
TrainingAdvice adviseTraining(const Model& model, const QString& dataDir,
                              const CutExplorerReport* measured = nullptr);

}  // namespace graft::ui
