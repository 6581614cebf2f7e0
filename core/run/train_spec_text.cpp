#include "run/train_spec_text.h"

#include <sstream>

#include "graph/diagnostic.h"

namespace graft {

namespace {

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

[[noreturn]] void fail(const SpecField& field, const std::string& message) {
  throw Error(std::string(field.key) + ": " + message);
}

// The whole text as a number of type T, or a message naming what was expected.
template <typename T>
T parseNumber(const SpecField& field, const std::string& text) {
  std::istringstream in(text);
  T value{};
  in >> value;
  if (!in || !in.eof())
    fail(field, std::string("expected ") + (std::is_integral_v<T> ? "a whole number" : "a number") +
                    ", found '" + text + "'");
  const std::string problem = rangeProblem(field.range, static_cast<double>(value));
  if (!problem.empty()) fail(field, problem);
  return value;
}

}  // namespace

std::string specValueText(const SpecField& field, const TrainSpec& spec) {
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

void setSpecValueFromText(const SpecField& field, const std::string& given, TrainSpec& spec) {
  const std::string text = trimmed(given);
  static const TrainSpec defaults;
  std::visit(
      [&](auto member) {
        using T = std::decay_t<decltype(spec.*member)>;
        if (text.empty()) {
          spec.*member = defaults.*member;
          return;
        }
        if constexpr (std::is_same_v<T, bool>) {
          if (text != "true" && text != "false")
            fail(field, "expected true or false, found '" + text + "'");
          spec.*member = text == "true";
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (field.kind == SpecKind::Choice) {
            const std::string problem = choiceProblem(field.choices, text);
            if (!problem.empty()) fail(field, problem);
          }
          spec.*member = text;
        } else if constexpr (std::is_same_v<T, Json>) {
          spec.*member = text;  // a plan file's name
        } else if constexpr (std::is_same_v<T, std::optional<double>>) {
          spec.*member = parseNumber<double>(field, text);
        } else if constexpr (std::is_same_v<T, std::optional<uint64_t>>) {
          spec.*member = parseNumber<uint64_t>(field, text);
        } else {
          spec.*member = parseNumber<T>(field, text);
        }
      },
      field.member);
}

}  // namespace graft
