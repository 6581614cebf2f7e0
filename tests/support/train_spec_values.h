#pragma once
// For the tests that every field of a run description's table (training, evaluation, export)
// reaches every face: a value other than the default for any field, written once and set the
// same way for each face.
#include <filesystem>
#include <fstream>
#include <string>
#include <type_traits>

#include "run/export_spec.h"
#include "run/train_spec.h"

namespace graft::test {

// A valid value other than the field's default, as the command line writes it ("true" for a
// flag). Paths are files in `dir` ending in .graft (what a model output must be; .onnx for an
// export's); the plan is a plan file written there.
template <class Spec>
std::string nonDefaultText(const SpecFieldOf<Spec>& field, const std::string& dir) {
  switch (field.kind) {
    case SpecKind::Integer:
      return std::to_string(field.range.min ? static_cast<int>(*field.range.min) + 2 : 7);
    case SpecKind::Real:
      return field.range.max ? "0.5" : "0.75";
    case SpecKind::Flag:
      return "true";
    case SpecKind::Text:
      return "block5_pool";
    case SpecKind::Choice: {
      const std::string current = Spec().*std::get<std::string Spec::*>(field.member);
      return field.choices.front() != current ? field.choices.front() : field.choices.back();
    }
    case SpecKind::Path:
      // An export's output is named for its format (ONNX, the format a pipeline's export
      // starts with); a .graft is refused there.
      return (std::filesystem::path(dir) /
              (std::string(field.key) + (std::is_same_v<Spec, ExportSpec> ? ".onnx" : ".graft")))
          .string();
    case SpecKind::List:
      return "flip";
    case SpecKind::Device:
      return "cpu";  // the default is auto
    case SpecKind::Plan: {
      const std::string file = (std::filesystem::path(dir) / "plan.json").string();
      std::ofstream(file) << R"({"graft_plan": 1, "stages": [{"train": "new", "epochs": 2}]})";
      return file;
    }
  }
  return "";
}

// Sets the field from such a text, as a reader of the face would.
template <class Spec>
void setFromText(const SpecFieldOf<Spec>& field, const std::string& text, Spec& spec) {
  std::visit(
      [&](auto member) {
        using T = std::decay_t<decltype(spec.*member)>;
        if constexpr (std::is_same_v<T, int>)
          spec.*member = std::stoi(text);
        else if constexpr (std::is_same_v<T, int64_t>)
          spec.*member = std::stoll(text);
        else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::optional<double>>)
          spec.*member = std::stod(text);
        else if constexpr (std::is_same_v<T, std::optional<uint64_t>>)
          spec.*member = std::stoull(text);
        else if constexpr (std::is_same_v<T, bool>)
          spec.*member = text == "true";
        else
          spec.*member = text;  // std::string, or Json (a plan file)
      },
      field.member);
}

// The field holds the same value in both specs.
template <class Spec>
bool sameValue(const SpecFieldOf<Spec>& field, const Spec& a, const Spec& b) {
  return std::visit([&](auto member) { return a.*member == b.*member; }, field.member);
}

}  // namespace graft::test
