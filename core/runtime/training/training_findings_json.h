#pragma once
// What a training run found worth a word, as `train --json` and `run --json` say it for scripts
// (a CI job that checks val_accuracy should also see that it was measured on the training
// folder): "warnings", the advisor's guard rails before the run ([{"kind", "message"}]), and
// "diagnoses", the training doctor's findings during it ([{"code", "epoch", "message", "fix"}],
// the latest of each code, in the order the codes first came). Both always present.
#include <vector>

#include "graph/graph.h"  // Json
#include "runtime/training/training_advisor.h"
#include "runtime/training/training_doctor.h"

namespace graft {

void addTrainingFindings(Json& out, const std::vector<PlanWarning>& warnings,
                         const std::vector<Diagnosis>& diagnoses);

}  // namespace graft
