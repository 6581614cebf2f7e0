#pragma once
// A spec's field as the text a person types: what the GUI's generated forms and bound widgets
// show and read (ui/train_spec_form.h, ui/export_dialog.h). The command line has CLI11 for
// this and pipelines have JSON types; all end in the same checks (rangeProblem, choiceProblem).
#include <sstream>
#include <string>
#include <type_traits>

#include "run/spec_fields.h"

namespace graft {

// `text` without leading and trailing blanks.
std::string trimmedSpecText(const std::string& text);
// Throws graft::Error "key: message".
[[noreturn]] void failSpecText(const char* key, const std::string& message);

// The whole text as a number of type T in `range`, or an error naming `key` and what was
// expected ("epochs: expected a whole number, found 'ten'").
template <typename T>
T parseSpecNumber(const char* key, const SpecRange& range, const std::string& text) {
  std::istringstream in(text);
  T value{};
  in >> value;
  if (!in || !in.eof())
    failSpecText(key, std::string("expected ") +
                          (std::is_integral_v<T> ? "a whole number" : "a number") + ", found '" +
                          text + "'");
  const std::string problem = rangeProblem(range, static_cast<double>(value));
  if (!problem.empty()) failSpecText(key, problem);
  return value;
}

// "0.9", "true", "cosine"; "" for an unset optional, an empty text and a null plan.
template <class Spec>
std::string specValueText(const SpecFieldOf<Spec>& field, const Spec& spec) {
  return std::visit(
      [&](auto member) -> std::string {
        using T = std::decay_t<decltype(spec.*member)>;
        const T& value = spec.*member;
        std::ostringstream out;
        if constexpr (std::is_same_v<T, bool>)
          return value ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>)
          return value;
        else if constexpr (std::is_same_v<T, Json>)
          return value.is_string() ? value.template get<std::string>()
                 : value.is_null() ? ""
                                   : value.dump();
        else if constexpr (std::is_same_v<T, std::optional<double>> ||
                           std::is_same_v<T, std::optional<uint64_t>>) {
          if (!value) return "";
          out << *value;
          return out.str();
        } else {
          out << value;
          return out.str();
        }
      },
      field.member);
}

// Sets the field from `text`; "" gives the field its default. Throws graft::Error naming the
// field's key and what was expected ("momentum: expected at most 1, found 2", "epochs: expected
// a whole number, found 'ten'"). A plan's text is its file name.
template <class Spec>
void setSpecValueFromText(const SpecFieldOf<Spec>& field, const std::string& given, Spec& spec) {
  const std::string text = trimmedSpecText(given);
  static const Spec defaults;
  std::visit(
      [&](auto member) {
        using T = std::decay_t<decltype(spec.*member)>;
        if (text.empty()) {
          spec.*member = defaults.*member;
          return;
        }
        if constexpr (std::is_same_v<T, bool>) {
          if (text != "true" && text != "false")
            failSpecText(field.key, "expected true or false, found '" + text + "'");
          spec.*member = text == "true";
        } else if constexpr (std::is_same_v<T, std::string>) {
          const std::string problem = specTextProblem(field.kind, field.choices, text);
          if (!problem.empty()) failSpecText(field.key, problem);
          spec.*member = text;
        } else if constexpr (std::is_same_v<T, Json>) {
          spec.*member = text;  // a plan file's name
        } else if constexpr (std::is_same_v<T, std::optional<double>>) {
          spec.*member = parseSpecNumber<double>(field.key, field.range, text);
        } else if constexpr (std::is_same_v<T, std::optional<uint64_t>>) {
          spec.*member = parseSpecNumber<uint64_t>(field.key, field.range, text);
        } else {
          spec.*member = parseSpecNumber<T>(field.key, field.range, text);
        }
      },
      field.member);
}

}  // namespace graft
