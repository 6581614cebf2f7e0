#pragma once
// A pipeline's object for a run description (TrainSpec's "train", EvalSpec's "eval", each
// ExportSpec of "exports") and the spec, both ways, field by field from the spec's table
// (run/spec_fields.h): every field of the table is a key, with the table's kinds, ranges and
// choices, errors named by JSON path ("ci.json: eval.batch_size: expected an integer") and
// unknown keys refused.
#include <climits>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "pipeline/pipeline_fields.h"
#include "run/spec_fields.h"

namespace graft {

// "augment": "flip,crop" as on the command line, or ["flip", "crop"].
std::string readSpecList(PipelineFields& f, const std::string& key);
// "plan": its file (relative to the pipeline) or the plan itself ({"graft_plan": 1, ...}).
Json readSpecPlan(PipelineFields& f, const std::string& key, const std::string& baseDir);

// Reads the field's key when it is there (it keeps its value otherwise).
template <class Spec>
void readSpecField(PipelineFields& f, const SpecFieldOf<Spec>& field, const std::string& baseDir,
                   Spec& spec) {
  const std::string key = field.key;
  std::visit(
      [&](auto member) {
        using T = std::decay_t<decltype(spec.*member)>;
        T& value = spec.*member;
        if constexpr (std::is_same_v<T, int>) {
          // JSON's integers are 64-bit: 4294967297 epochs must not silently become 1.
          const int64_t read = f.integer(key, value);
          if (f.has(key)) {
            std::string problem = rangeProblem(field.range, static_cast<double>(read));
            if (problem.empty() && (read < INT_MIN || read > INT_MAX))
              problem = std::string("expected ") + (read > 0 ? "at most " : "at least ") +
                        std::to_string(read > 0 ? INT_MAX : INT_MIN) + ", found " +
                        std::to_string(read);
            if (!problem.empty()) f.fail(key, problem);
          }
          value = static_cast<int>(read);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          value = f.integer(key, value);
        } else if constexpr (std::is_same_v<T, std::optional<uint64_t>>) {
          const uint64_t read = f.seed(key, 0);
          if (f.has(key)) value = read;
        } else if constexpr (std::is_same_v<T, double>) {
          value = f.number(key, value);
        } else if constexpr (std::is_same_v<T, std::optional<double>>) {
          const double read = f.number(key, 0.0);
          if (f.has(key)) value = read;
        } else if constexpr (std::is_same_v<T, bool>) {
          value = f.boolean(key, value);
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (field.kind == SpecKind::Path)
            value = f.filePath(key, baseDir);
          else if (field.kind == SpecKind::List)
            value = readSpecList(f, key);
          else
            value = f.string(key, value);
        } else {
          value = readSpecPlan(f, key, baseDir);
        }
      },
      field.member);
}

// The field's value as its key holds it; paths inside `baseDir` relative to it.
template <class Spec>
Json specFieldJson(const SpecFieldOf<Spec>& field, const Spec& spec, const std::string& baseDir) {
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

// Every field of the table read from `f`, unknown keys refused and the table's checks made,
// each problem named by its JSON path.
template <class Spec>
Spec readSpec(PipelineFields& f, const std::vector<SpecFieldOf<Spec>>& fields,
              const std::string& baseDir) {
  Spec spec;
  for (const SpecFieldOf<Spec>& field : fields) readSpecField(f, field, baseDir, spec);
  f.refuseUnknown();
  for (const SpecFieldOf<Spec>& field : fields)
    if (field.excludes && f.has(field.key) && f.has(field.excludes))
      f.fail(field.key, std::string("give ") + field.excludes + " or " + field.key +
                            ", not both (" + field.key + " would be ignored)");
  if (const auto problem = tableProblem(fields, spec)) f.fail(problem->key, problem->message);
  return spec;
}

// What readSpec reads back to the same spec: required fields and those not at their default.
template <class Spec>
Json specJson(const std::vector<SpecFieldOf<Spec>>& fields, const Spec& spec,
              const std::string& baseDir) {
  Json j = Json::object();
  for (const SpecFieldOf<Spec>& field : fields)
    if (field.required || !isDefaultValue(field, spec))
      j[field.key] = specFieldJson(field, spec, baseDir);
  return j;
}

}  // namespace graft
