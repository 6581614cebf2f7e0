#pragma once
// What the validation images do to a run's validation figures, which --checkpoint best, early
// stopping, --restore-best and a pipeline's checks decide on: a validation folder that is the
// training folder measures the images the model learns; a class without validation images is
// left out of them (a validation folder of one class scored val_accuracy 1.0 after an epoch);
// a split of small classes holds out far more than the share asked for. Said before the run, as
// the advisor's other guard rails are.
#include <string>
#include <vector>

#include "runtime/training/trainer.h"
#include "runtime/training/training_advisor.h"

namespace graft {

// Warnings (kinds validation_is_training, validation_missing_classes, validation_share) for
// `data` as read from `dataDir` with `validationDir` (empty: split off by `validationSplit`).
std::vector<PlanWarning> checkValidation(const TrainingSet& data, const std::string& dataDir,
                                         const std::string& validationDir, double validationSplit);

}  // namespace graft
