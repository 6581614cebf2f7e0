#include "pipeline/pipeline_train.h"

#include "pipeline/pipeline_spec.h"
#include "run/augment_options.h"
#include "runtime/training/train_run.h"
#include "runtime/training/trainer_checkpoint.h"

namespace graft {

TrainSpec parseTrainSpec(const Json& json, const std::string& baseDir, const std::string& source) {
  PipelineFields f(json, source, "train");
  TrainSpec spec = readSpec(f, trainSpecFields(), baseDir);
  spec.chosen = false;
  for (const SpecField& field : trainSpecFields())
    if (field.choosesHowToTrain && f.has(field.key)) spec.chosen = true;
  // The rule across fields (a plan with train_batch_norm).
  if (const auto problem = validateTrainSpec(spec)) f.fail(problem->key, problem->message);
  // Checked now, as the run would check them, so that a mistake in the file is not found after
  // the model was loaded and edited.
  f.reading("augment", [&] { parseAugmentList(spec.augment); });
  if (!spec.output.empty()) f.reading("output", [&] { checkCheckpointPath(spec.output); });
  // The plan's own reader names the file or the JSON path ("ci.json: train.plan: $.stages").
  // A plan file's errors name the file; the key that names it goes in front.
  if (spec.plan.is_string())
    f.reading("plan", [&] { return planOf(spec, ""); });
  else
    planOf(spec, source + ": " + f.pathOf("plan"));
  return spec;
}

Json trainSpecJson(const TrainSpec& spec, const std::string& baseDir) {
  Json j = Json::object();
  for (const SpecField& field : trainSpecFields()) {
    // Without a choice of how to train, the defaults (the advisor's plan) choose when it runs.
    const bool written = field.choosesHowToTrain ? spec.chosen && hasValue(field, spec)
                                                 : field.required || !isDefaultValue(field, spec);
    // A field the written one excludes (val_split beside val_dir) stays out: the run ignores it.
    if (written && !(field.excludes && j.contains(field.excludes)))
      j[field.key] = specFieldJson(field, spec, baseDir);
  }
  return j;
}

}  // namespace graft
