#include "run/spec_fields.h"

#include <cmath>
#include <sstream>

#include "graph/diagnostic.h"
#include "run/compute_choice.h"

namespace graft {

namespace {

std::string number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

std::string specOptionNames(const char* key, const char* names) {
  if (names) return names;
  std::string flag = std::string("--") + key;
  for (char& c : flag)
    if (c == '_') c = '-';
  return flag;
}

std::string rangeText(const SpecRange& range) {
  std::string text;
  if (range.min) text += (range.minExclusive ? "above " : "at least ") + number(*range.min);
  if (range.min && range.max) text += " and ";
  if (range.max) text += (range.maxExclusive ? "below " : "at most ") + number(*range.max);
  return text;
}

std::string rangeProblem(const SpecRange& range, double value) {
  // inf passes "above 0" and nan fails it: neither is a number any field means, and "expected
  // above 0, found inf" read as a contradiction.
  if (!std::isfinite(value))
    return "expected a finite number " + rangeText(range) + ", found " + number(value);
  const bool low =
      range.min && (range.minExclusive ? !(value > *range.min) : !(value >= *range.min));
  const bool high =
      range.max && (range.maxExclusive ? !(value < *range.max) : !(value <= *range.max));
  if (!low && !high) return "";
  return "expected " + rangeText(range) + ", found " + number(value);
}

std::string choiceProblem(const std::vector<std::string>& choices, const std::string& value) {
  std::string list;
  for (const std::string& choice : choices) {
    if (choice == value) return "";
    list += (list.empty() ? "" : ", ") + choice;
  }
  return "expected one of " + list + ", found \"" + value + "\"";
}

std::string specTextProblem(SpecKind kind, const std::vector<std::string>& choices,
                            const std::string& text) {
  if (kind == SpecKind::Choice) return choiceProblem(choices, text);
  if (kind == SpecKind::Device) return deviceChoiceProblem(text);
  return "";
}

void throwNoSuchField(const char* what, const std::string& key) {
  throw Error(std::string("internal: no ") + what + " field '" + key + "'");
}

}  // namespace graft
