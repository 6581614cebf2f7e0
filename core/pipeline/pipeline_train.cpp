#include "pipeline/pipeline_train.h"

#include "pipeline/pipeline_spec.h"
#include "runtime/augment_options.h"
#include "runtime/train_run.h"
#include "runtime/trainer_checkpoint.h"

namespace graft {

namespace {

// Runs `check`; a graft::Error from the trainer's own parsers (augment names, the output's
// name) is re-thrown with the field's JSON path in front.
template <class F>
void atField(const PipelineFields& f, const std::string& key, F&& check) {
  try {
    check();
  } catch (const Error& e) {
    f.fail(key, e.what());
  }
}

}  // namespace

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
  atField(f, "augment", [&] { parseAugmentList(spec.augment); });
  if (!spec.output.empty()) atField(f, "output", [&] { checkCheckpointPath(spec.output); });
  // The plan's own reader names the file or the JSON path ("ci.json: train.plan: $.stages").
  planOf(spec, source + ": " + f.pathOf("plan"));
  return spec;
}

Json trainSpecJson(const TrainSpec& spec, const std::string& baseDir) {
  Json j = Json::object();
  for (const SpecField& field : trainSpecFields()) {
    // Without a choice of how to train, the defaults (the advisor's plan) choose when it runs.
    const bool written = field.choosesHowToTrain ? spec.chosen && hasValue(field, spec)
                                                 : field.required || !isDefaultValue(field, spec);
    if (written) j[field.key] = specFieldJson(field, spec, baseDir);
  }
  return j;
}

}  // namespace graft
