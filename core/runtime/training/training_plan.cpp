#include "runtime/training/training_plan.h"

#include <cmath>
#include <fstream>
#include <set>

#include "graph/diagnostic.h"
#include "graph/keras_json.h"

namespace graft {

namespace {

constexpr int kPlanVersion = 1;

// Every complaint names the file and the JSON path, so a user can find the line to fix.
class PlanReader {
 public:
  explicit PlanReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw Error(Diagnostic{source_ + ": " + path, message});
  }

  const Json& field(const Json& object, const std::string& key, const std::string& path) const {
    if (!object.contains(key)) fail(path, "is missing");
    return object.at(key);
  }

  double positiveNumber(const Json& value, const std::string& path) const {
    if (!value.is_number() || !(value.get<double>() > 0.0) || !std::isfinite(value.get<double>()))
      fail(path, "must be a positive number, got " + value.dump());
    return value.get<double>();
  }

  double fraction(const Json& value, const std::string& path) const {
    if (!value.is_number() || !(value.get<double>() >= 0.0 && value.get<double>() <= 1.0))
      fail(path, "must be a number from 0 to 1, got " + value.dump());
    return value.get<double>();
  }

  std::string text(const Json& value, const std::string& path) const {
    if (!value.is_string() || value.get<std::string>().empty())
      fail(path, "must be a non-empty string, got " + value.dump());
    return value.get<std::string>();
  }

  std::vector<std::string> sentences(const Json& value, const std::string& path) const {
    if (!value.is_array()) fail(path, "must be a list of strings, got " + value.dump());
    std::vector<std::string> out;
    for (size_t i = 0; i < value.size(); ++i)
      out.push_back(text(value[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }

  void onlyKnownKeys(const Json& object, const std::set<std::string>& known,
                     const std::string& path) const {
    for (const auto& item : object.items()) {
      if (known.count(item.key())) continue;
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      fail(path + "." + item.key(), "unknown field (expected one of " + list + ")");
    }
  }

  TrainingStage stage(const Json& json, size_t index) const {
    const std::string path = "$.stages[" + std::to_string(index) + "]";
    if (!json.is_object()) fail(path, "must be an object, got " + json.dump());
    onlyKnownKeys(
        json,
        {"name", "train", "unfreeze_from", "freeze_upto", "optimizer", "learning_rate", "momentum",
         "nesterov", "weight_decay", "epochs", "pretrained_lr_scale", "batch_norm", "why"},
        path);
    TrainingStage s;
    s.name = json.contains("name") ? text(json["name"], path + ".name")
                                   : "stage " + std::to_string(index + 1);
    int scopes = 0;
    if (json.contains("train")) {
      ++scopes;
      const std::string what = text(json["train"], path + ".train");
      if (what == "new")
        s.scope = StageScope::NewLayers;
      else if (what == "all")
        s.scope = StageScope::All;
      else
        fail(path + ".train", "must be \"new\" or \"all\", got \"" + what + "\"");
    }
    if (json.contains("unfreeze_from")) {
      ++scopes;
      s.scope = StageScope::UnfreezeFrom;
      s.layer = text(json["unfreeze_from"], path + ".unfreeze_from");
    }
    if (json.contains("freeze_upto")) {
      ++scopes;
      s.scope = StageScope::FreezeUpto;
      s.layer = text(json["freeze_upto"], path + ".freeze_upto");
    }
    if (scopes != 1)
      fail(path,
           "needs exactly one of \"train\" (\"new\" or \"all\"), \"unfreeze_from\" or "
           "\"freeze_upto\" to say which layers train");
    if (json.contains("optimizer")) {
      const std::string name = text(json["optimizer"], path + ".optimizer");
      try {
        s.optimizer.kind = optimizerFromName(name);
      } catch (const Error&) {
        fail(path + ".optimizer",
             "unknown optimizer \"" + name + "\" (choose from sgd, rmsprop, adam, adamw)");
      }
    }
    if (json.contains("learning_rate"))
      s.optimizer.learningRate = positiveNumber(json["learning_rate"], path + ".learning_rate");
    if (json.contains("momentum"))
      s.optimizer.momentum = fraction(json["momentum"], path + ".momentum");
    if (json.contains("nesterov")) {
      if (!json["nesterov"].is_boolean())
        fail(path + ".nesterov", "must be true or false, got " + json["nesterov"].dump());
      s.optimizer.nesterov = json["nesterov"].get<bool>();
    }
    if (json.contains("weight_decay"))
      s.optimizer.weightDecay = fraction(json["weight_decay"], path + ".weight_decay");
    if (json.contains("epochs")) {
      const Json& e = json["epochs"];
      if (!e.is_number_integer() || e.get<int64_t>() < 1 || e.get<int64_t>() > 100000)
        fail(path + ".epochs", "must be a whole number of at least 1, got " + e.dump());
      s.epochs = e.get<int>();
    }
    if (json.contains("pretrained_lr_scale")) {
      const std::string p = path + ".pretrained_lr_scale";
      s.pretrainedRateScale = positiveNumber(json["pretrained_lr_scale"], p);
    }
    if (json.contains("batch_norm")) {
      const std::string mode = text(json["batch_norm"], path + ".batch_norm");
      if (mode != "frozen" && mode != "train")
        fail(path + ".batch_norm", "must be \"frozen\" or \"train\", got \"" + mode + "\"");
      s.freezeBatchNorm = mode == "frozen";
    }
    if (json.contains("why")) s.why = sentences(json["why"], path + ".why");
    return s;
  }

 private:
  std::string source_;
};

}  // namespace

std::string TrainingStage::describeScope() const {
  switch (scope) {
    case StageScope::NewLayers:
      return "the new layers only";
    case StageScope::All:
      return "every layer";
    case StageScope::UnfreezeFrom:
      return "from " + layer + " on";
    case StageScope::FreezeUpto:
      return "everything after " + layer;
  }
  return "?";
}

std::string stageFieldPath(size_t stage, const std::string& field) {
  return "$.stages[" + std::to_string(stage) + "]" + (field.empty() ? "" : "." + field);
}

TrainingPlan planFromJson(const Json& json, const std::string& source) {
  PlanReader reader(source);
  if (!json.is_object()) reader.fail("$", "a plan must be a JSON object");
  // "facts": what `advise --json` saw (images, classes, layers), for the reader; not read.
  reader.onlyKnownKeys(json, {"graft_plan", "stages", "reasons", "warnings", "facts"}, "$");
  const Json& version = reader.field(json, "graft_plan", "$.graft_plan");
  if (!version.is_number_integer() || version.get<int>() != kPlanVersion)
    reader.fail("$.graft_plan", "must be " + std::to_string(kPlanVersion) +
                                    " (the plan format "
                                    "version), got " +
                                    version.dump());
  const Json& stages = reader.field(json, "stages", "$.stages");
  if (!stages.is_array() || stages.empty())
    reader.fail("$.stages", "must be a non-empty list of stages, got " + stages.dump());
  TrainingPlan plan;
  for (size_t i = 0; i < stages.size(); ++i) plan.stages.push_back(reader.stage(stages[i], i));
  if (json.contains("reasons")) plan.reasons = reader.sentences(json["reasons"], "$.reasons");
  if (json.contains("warnings")) plan.warnings = reader.sentences(json["warnings"], "$.warnings");
  return plan;
}

TrainingPlan readPlanFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot read the plan file");
  Json json;
  try {
    json = Json::parse(in, jsonInputGuard(path));
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for 1e999
    throw Error(path + ": not valid JSON (" + e.what() + ")");
  }
  return planFromJson(json, path);
}

Json planToJson(const TrainingPlan& plan) {
  Json stages = Json::array();
  for (const auto& s : plan.stages) {
    Json j;
    j["name"] = s.name;
    switch (s.scope) {
      case StageScope::NewLayers:
        j["train"] = "new";
        break;
      case StageScope::All:
        j["train"] = "all";
        break;
      case StageScope::UnfreezeFrom:
        j["unfreeze_from"] = s.layer;
        break;
      case StageScope::FreezeUpto:
        j["freeze_upto"] = s.layer;
        break;
    }
    j["optimizer"] = optimizerName(s.optimizer.kind);
    j["learning_rate"] = s.optimizer.effectiveLearningRate();
    if (s.optimizer.kind == OptimizerKind::Sgd || s.optimizer.momentum)
      j["momentum"] = s.optimizer.effectiveMomentum();
    if (s.optimizer.nesterov) j["nesterov"] = true;
    if (s.optimizer.weightDecay) j["weight_decay"] = *s.optimizer.weightDecay;
    j["epochs"] = s.epochs;
    if (s.pretrainedRateScale != 1.0) j["pretrained_lr_scale"] = s.pretrainedRateScale;
    j["batch_norm"] = s.freezeBatchNorm ? "frozen" : "train";
    if (!s.why.empty()) j["why"] = s.why;
    stages.push_back(std::move(j));
  }
  Json out;
  out["graft_plan"] = kPlanVersion;
  out["stages"] = std::move(stages);
  if (!plan.reasons.empty()) out["reasons"] = plan.reasons;
  if (!plan.warnings.empty()) out["warnings"] = plan.warnings;
  return out;
}

}  // namespace graft
