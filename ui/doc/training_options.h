#pragma once
// The training panel's settings as the core's options: one translation for the run the GUI
// starts and the pipeline it saves, so both train the same way.
#include <optional>

#include "runtime/trainer.h"
#include "runtime/training_plan.h"
#include "ui/doc/training_session.h"

namespace graft::ui {

// Everything but the data folder and the plan.
TrainOptions trainOptionsFor(const TrainingSettings& settings);
// The plan, parsed; nullopt without one. Throws graft::Error naming "the plan" and the JSON path
// of a mistake.
std::optional<TrainingPlan> planOf(const TrainingSettings& settings);

}  // namespace graft::ui
