#include "pipeline/pipeline_train.h"

#include "pipeline/pipeline_fields.h"
#include "runtime/augment.h"
#include "runtime/train_run.h"
#include "runtime/trainer_checkpoint.h"

namespace graft {

namespace {

// "augment": "flip,crop" as on the command line, or ["flip", "crop"].
std::string readList(PipelineFields& f, const std::string& key) {
  f.known(key);
  if (!f.has(key)) return "";
  const Json& a = f.at(key);
  if (a.is_string()) return a.get<std::string>();
  if (!a.is_array()) f.fail(key, "expected a list of names, found " + a.dump());
  std::string list;
  for (const auto& item : a) {
    if (!item.is_string()) f.fail(key, "expected a list of names, found " + a.dump());
    list += (list.empty() ? "" : ",") + item.get<std::string>();
  }
  return list;
}

// "plan": its file (relative to the pipeline) or the plan itself ({"graft_plan": 1, ...}).
Json readPlan(PipelineFields& f, const std::string& key, const std::string& baseDir) {
  f.known(key);
  if (!f.has(key)) return Json();
  const Json& plan = f.at(key);
  if (plan.is_string()) return f.filePath(key, baseDir);
  if (!plan.is_object())
    f.fail(key, "expected a plan file name or a plan {\"graft_plan\": 1, ...}, found " + plan.dump());
  return plan;
}

void readField(PipelineFields& f, const SpecField& field, const std::string& baseDir,
               TrainSpec& spec) {
  const std::string key = field.key;
  const SpecMember& m = field.member;
  if (auto p = std::get_if<int TrainSpec::*>(&m)) {
    spec.*(*p) = static_cast<int>(f.integer(key, spec.*(*p)));
  } else if (auto p64 = std::get_if<int64_t TrainSpec::*>(&m)) {
    spec.*(*p64) = f.integer(key, spec.*(*p64));
  } else if (auto pu = std::get_if<std::optional<uint64_t> TrainSpec::*>(&m)) {
    const int64_t value = f.integer(key, 0);
    if (f.has(key)) spec.*(*pu) = static_cast<uint64_t>(value);
  } else if (auto pd = std::get_if<double TrainSpec::*>(&m)) {
    spec.*(*pd) = f.number(key, spec.*(*pd));
  } else if (auto po = std::get_if<std::optional<double> TrainSpec::*>(&m)) {
    const double value = f.number(key, 0.0);
    if (f.has(key)) spec.*(*po) = value;
  } else if (auto pb = std::get_if<bool TrainSpec::*>(&m)) {
    spec.*(*pb) = f.boolean(key, spec.*(*pb));
  } else if (auto ps = std::get_if<std::string TrainSpec::*>(&m)) {
    if (field.kind == SpecKind::Path)
      spec.*(*ps) = f.filePath(key, baseDir);
    else if (field.kind == SpecKind::List)
      spec.*(*ps) = readList(f, key);
    else
      spec.*(*ps) = f.string(key, spec.*(*ps));
  } else if (auto pj = std::get_if<Json TrainSpec::*>(&m)) {
    spec.*(*pj) = readPlan(f, key, baseDir);
  }
}

Json fieldJson(const SpecField& field, const TrainSpec& spec, const std::string& baseDir) {
  return std::visit(
      [&](auto member) -> Json {
        using T = std::decay_t<decltype(spec.*member)>;
        const T& value = spec.*member;
        if constexpr (std::is_same_v<T, std::optional<double>> ||
                      std::is_same_v<T, std::optional<uint64_t>>) {
          return *value;
        } else if constexpr (std::is_same_v<T, std::string>) {
          return field.kind == SpecKind::Path ? portablePath(value, baseDir) : value;
        } else if constexpr (std::is_same_v<T, Json>) {
          return value.is_string() ? Json(portablePath(value.template get<std::string>(), baseDir))
                                   : value;
        } else {
          return value;
        }
      },
      field.member);
}

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
  TrainSpec spec;
  spec.chosen = false;
  for (const SpecField& field : trainSpecFields()) {
    readField(f, field, baseDir, spec);
    if (field.choosesHowToTrain && f.has(field.key)) spec.chosen = true;
  }
  f.refuseUnknown();
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
    if (written) j[field.key] = fieldJson(field, spec, baseDir);
  }
  return j;
}

}  // namespace graft
