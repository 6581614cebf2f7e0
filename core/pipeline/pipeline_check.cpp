// Checks written as text ("val_accuracy >= 0.9") and their comparison operators.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <regex>

#include "pipeline/pipeline.h"

namespace graft {

std::string checkNumberText(double value) {
  if (std::isfinite(value) && std::fabs(value) < 9007199254740992.0 &&  // 2^53
      value == std::floor(value))
    return std::to_string(static_cast<int64_t>(value));
  char text[64];
  const auto written = std::to_chars(text, text + sizeof text, value);
  return std::string(text, written.ptr);
}

std::string checkOpSymbol(CheckOp op) {
  switch (op) {
    case CheckOp::Less:
      return "<";
    case CheckOp::LessEqual:
      return "<=";
    case CheckOp::Greater:
      return ">";
    case CheckOp::GreaterEqual:
      return ">=";
    case CheckOp::Equal:
      return "==";
    case CheckOp::Is:
      return "is";
  }
  return "?";
}

PipelineCheck parseCheckText(const std::string& text, const std::string& where) {
  static const std::regex prediction(R"(^\s*prediction\s+of\s+(.+?)\s+is\s+(.+?)\s*$)");
  static const std::regex comparison(R"(^\s*([A-Za-z_ ]+?)\s*(<=|>=|==|<|>)\s*(\S+)\s*$)");
  PipelineCheck c;
  c.text = text;
  std::smatch m;
  if (std::regex_match(text, m, prediction)) {
    c.metric = "prediction";
    c.op = CheckOp::Is;
    c.file = m[1];
    c.label = m[2];
    return c;
  }
  if (!std::regex_match(text, m, comparison))
    throw Error(where + ": cannot read the check \"" + text +
                "\" (expected \"METRIC OP NUMBER\" such as \"val_accuracy >= 0.9\", or "
                "\"prediction of FILE is LABEL\")");
  // "export max difference" and "export_max_difference" name the same metric.
  c.metric = m[1];
  std::replace(c.metric.begin(), c.metric.end(), ' ', '_');
  std::transform(c.metric.begin(), c.metric.end(), c.metric.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const std::string op = m[2];
  c.op = op == "<"    ? CheckOp::Less
         : op == "<=" ? CheckOp::LessEqual
         : op == ">"  ? CheckOp::Greater
         : op == ">=" ? CheckOp::GreaterEqual
                      : CheckOp::Equal;
  const std::string number = m[3];
  size_t used = 0;
  try {
    c.value = std::stod(number, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != number.size())
    throw Error(where + ": \"" + number + "\" in \"" + text + "\" is not a number");
  // stod reads "nan": a check against it never holds ("val_loss < inf" does mean something).
  if (std::isnan(c.value))
    throw Error(where + ": \"" + number + "\" in \"" + text + "\" is not a number");
  return c;
}

}  // namespace graft
