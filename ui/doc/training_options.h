#pragma once
// The training panel's settings as a training spec (run/train_spec.h): one translation for the
// run the GUI starts and the pipeline it saves, so both train as `graft-cli train` would with
// the same options (runtime/training/train_run.h turns the spec into the trainer's options).
#include "run/train_spec.h"
#include "ui/doc/training_session.h"

namespace graft::ui {

// Throws graft::Error naming "the plan" when the plan's text is not JSON.
TrainSpec trainSpecOf(const TrainingSettings& settings);

}  // namespace graft::ui
