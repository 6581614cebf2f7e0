#pragma once
// The field table machinery every run description shares (TrainSpec, EvalSpec, ExportSpec): a
// field is a key, a kind, a pointer to the spec's member, a help text, a range or choices. The
// command line (app/cli/spec_options.h), the pipeline reader and writer
// (pipeline/pipeline_spec.h), the GUI's text (run/spec_text.h) and the man page are loops over
// a table of these, written once here for any spec struct. No LibTorch.
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "graph/model.h"
#include "run/compute_choice.h"

namespace graft {

enum class SpecKind {
  Integer,
  Real,
  Flag,    // true or false; on the command line a flag without a value
  Text,    // free text (a layer name)
  Choice,  // one of SpecField::choices
  Path,    // a file or folder; in a pipeline relative to its folder
  List,    // comma-separated names; a pipeline may give a JSON list
  Plan,    // a plan file, or (in a pipeline) the plan object itself
  Device,  // auto, cpu, cuda or cuda:N (run/compute_choice.h)
};

// Where a value may lie; `min`/`max` unset: no bound.
struct SpecRange {
  std::optional<double> min;
  std::optional<double> max;
  bool minExclusive = false;
  bool maxExclusive = false;
};

// The member types a spec's field may have.
template <class Spec>
using SpecMemberOf =
    std::variant<int Spec::*, int64_t Spec::*, double Spec::*, std::optional<double> Spec::*,
                 std::optional<uint64_t> Spec::*, bool Spec::*, std::string Spec::*, Json Spec::*>;

template <class Spec>
struct SpecFieldOf {
  const char* key;  // the pipeline's JSON key ("batch_size")
  SpecKind kind;
  SpecMemberOf<Spec> member;
  const char* help;  // the command's --help
  std::vector<std::string> choices = {};
  SpecRange range = {};
  // Training only: naming it chooses how to train (see TrainSpec::chosen); excluded by --plan.
  bool choosesHowToTrain = false;
  bool required = false;
  // Command-line names when they are not "--" + key with '-' for '_' ("-o,--output").
  const char* names = nullptr;
  // The command line gives it through the model options (--seed, --input-size), not as an
  // option of its own.
  bool fromModelOptions = false;
  // The key of an earlier field of the table it cannot be given with ("val_dir" for
  // "val_split"): a usage error on the command line, an error naming both keys in a pipeline.
  const char* excludes = nullptr;
};

// "data": the labelled image folder a training or an evaluation reads (required).
template <class Spec>
SpecFieldOf<Spec> imageFolderField(std::string Spec::*member) {
  SpecFieldOf<Spec> field{"data", SpecKind::Path, member,
                          "image folder: one subfolder of images per class"};
  field.required = true;
  return field;
}

// "device": where a run computes (run/compute_choice.h).
template <class Spec>
SpecFieldOf<Spec> deviceField(std::string Spec::*member) {
  return SpecFieldOf<Spec>{"device", SpecKind::Device, member, kDeviceChoiceHelp};
}

// "--batch-size" for "batch_size", or `names` when given: what CLI11 registers.
std::string specOptionNames(const char* key, const char* names);
// "at least 1", "at least 0 and below 1"; "" without bounds.
std::string rangeText(const SpecRange& range);
// "" when `value` lies in the range, else what was expected ("expected at least 1, found 0").
std::string rangeProblem(const SpecRange& range, double value);
// "" when `value` is one of `choices`, else what was expected.
std::string choiceProblem(const std::vector<std::string>& choices, const std::string& value);

// "" when `text` is a value a text field of this kind takes (one of `choices` for a Choice, a
// device for a Device; any text for the other kinds), else what was expected.
std::string specTextProblem(SpecKind kind, const std::vector<std::string>& choices,
                            const std::string& text);

// "-o,--output" or "--batch-size".
template <class Spec>
std::string specOptionNames(const SpecFieldOf<Spec>& field) {
  return specOptionNames(field.key, field.names);
}

// "--batch-size"; the long name of `names` when given ("--output").
template <class Spec>
std::string specFlag(const SpecFieldOf<Spec>& field) {
  const std::string names = specOptionNames(field);
  return names.substr(names.rfind(',') + 1);
}

// The field holds its default (a default-constructed spec's value).
template <class Spec>
bool isDefaultValue(const SpecFieldOf<Spec>& field, const Spec& spec) {
  static const Spec defaults;
  return std::visit([&](auto member) { return spec.*member == defaults.*member; }, field.member);
}

// The field has a value to write: set, not empty, not false.
template <class Spec>
bool hasValue(const SpecFieldOf<Spec>& field, const Spec& spec) {
  return std::visit(
      [&](auto member) -> bool {
        using T = std::decay_t<decltype(spec.*member)>;
        const T& value = spec.*member;
        if constexpr (std::is_same_v<T, bool>)
          return value;
        else if constexpr (std::is_same_v<T, std::string>)
          return !value.empty();
        else if constexpr (std::is_same_v<T, Json>)
          return !value.is_null();
        else if constexpr (std::is_same_v<T, std::optional<double>> ||
                           std::is_same_v<T, std::optional<uint64_t>>)
          return value.has_value();
        else
          return true;
      },
      field.member);
}

// The value of a number field, or nullopt for an unset optional and for fields that are not
// numbers.
template <class Spec>
std::optional<double> specNumber(const SpecFieldOf<Spec>& field, const Spec& spec) {
  return std::visit(
      [&](auto member) -> std::optional<double> {
        using T = std::decay_t<decltype(spec.*member)>;
        const T& value = spec.*member;
        if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t> ||
                      std::is_same_v<T, double>)
          return static_cast<double>(value);
        else if constexpr (std::is_same_v<T, std::optional<double>> ||
                           std::is_same_v<T, std::optional<uint64_t>>)
          return value ? std::optional<double>(static_cast<double>(*value)) : std::nullopt;
        else
          return std::nullopt;
      },
      field.member);
}

// The first mistake in a spec (a value out of range, an unknown choice, a missing value), by
// the field's key; the command line names it by its flag, a pipeline by its JSON path.
struct SpecProblem {
  std::string key;
  std::string message;
};

// The checks every table gives: required fields present, numbers in range, choices known.
template <class Spec>
std::optional<SpecProblem> tableProblem(const std::vector<SpecFieldOf<Spec>>& fields,
                                        const Spec& spec) {
  for (const SpecFieldOf<Spec>& field : fields) {
    if (field.required && !hasValue(field, spec))
      return SpecProblem{field.key, std::string("missing: ") + field.help};
    if (const auto value = specNumber(field, spec)) {
      const std::string problem = rangeProblem(field.range, *value);
      if (!problem.empty()) return SpecProblem{field.key, problem};
    }
    // "-" reads as standard output or input in other tools; Graft checks and replaces files by
    // name, and wrote a file called "-" instead.
    if (field.kind == SpecKind::Path) {
      if (const auto* text = std::get_if<std::string Spec::*>(&field.member);
          text && spec.**text == "-")
        return SpecProblem{field.key,
                           "\"-\" (standard input or output) is not taken here: give a file "
                           "name (./- for a file named \"-\")"};
    }
    if (field.kind == SpecKind::Choice || field.kind == SpecKind::Device) {
      const std::string problem = specTextProblem(
          field.kind, field.choices, spec.*std::get<std::string Spec::*>(field.member));
      if (!problem.empty()) return SpecProblem{field.key, problem};
    }
  }
  return std::nullopt;
}

[[noreturn]] void throwNoSuchField(const char* what, const std::string& key);

// The entry with this JSON key; throws graft::Error naming `what` for an unknown key.
template <class Spec>
const SpecFieldOf<Spec>& specFieldOf(const std::vector<SpecFieldOf<Spec>>& fields,
                                     const std::string& key, const char* what) {
  for (const SpecFieldOf<Spec>& field : fields)
    if (field.key == key) return field;
  throwNoSuchField(what, key);
}

}  // namespace graft
