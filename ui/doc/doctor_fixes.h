#pragma once
// What the training panel can do with one click about a finding of the training doctor
// (runtime/training/training_doctor.h). One table maps doctor codes to fixes; a code without an
// entry (a check added later, or one whose cure the GUI cannot apply for the user, such as
// gathering more images) keeps its text only. The plan edits work on the plan's JSON (the --plan
// format) and keep the rest of what the user wrote, so the plan editor shows what a fix changed. Qt
// Core only (the plan is read with the core's plan reader in the .cpp).
#include <QString>
#include <optional>
#include <vector>

namespace graft::ui {

enum class DoctorFix {
  // Untick "Train BatchNormalization" (and "batch_norm": "frozen" in every stage of a plan).
  FreezeBatchNorm,
  // The learning rate (of a single run, or of a plan's stages) as the doctor suggests.
  LowerRate,
  // The advisor's staged plan, new layers first, as the Advise button fills it.
  TrainHeadFirst,
};

struct DoctorFixEntry {
  const char* code;  // Diagnosis::code
  DoctorFix fix;
  const char* label;  // the button's text
  // Where the run restarts: true from the last good checkpoint (the session's; the model as it
  // was before the run when there is none), false from the model as it was before the run.
  bool fromLastGood;
};

// Every doctor code that has a fix, in the doctor's order (training_doctor.h lists the codes),
// then the advisor's warnings before a run that have one (high_learning_rate).
const std::vector<DoctorFixEntry>& doctorFixTable();
// The entry for `code`; nullopt when the GUI has no fix for it.
std::optional<DoctorFixEntry> doctorFixFor(const QString& code);

// Keras's default learning rate for an optimizer name ("sgd" 0.01; "adam", "adamw", "rmsprop"
// 0.001). Throws graft::Error naming an unknown optimizer.
double defaultLearningRate(const QString& optimizer);

// The rate to restart with after the finding `code` at `current`: for pretrained_rate_too_high
// (and the advisor's high_learning_rate) the rate the doctor's fix names (the top of the usual
// fine-tuning range for the optimizer) when it is lower, else a tenth of `current` (what the doctor
// suggests for a loss that went NaN).
double loweredLearningRate(const QString& code, const QString& optimizer, double current);

// The plan (JSON text) with BatchNormalization frozen in every stage. Throws graft::Error
// naming "the plan" and the JSON path when the text is not a plan.
QString planWithBatchNormFrozen(const QString& plan);
// The plan with its stages' learning rates lowered by loweredLearningRate: for
// pretrained_rate_too_high and high_learning_rate the stages that train pretrained layers (not
// "train": "new"), for anything else every stage. Throws as above.
QString planWithLowerRates(const QString& plan, const QString& code);

}  // namespace graft::ui
