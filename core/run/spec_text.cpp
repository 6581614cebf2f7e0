#include "run/spec_text.h"

#include "graph/diagnostic.h"

namespace graft {

std::string trimmedSpecText(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

void failSpecText(const char* key, const std::string& message) {
  throw Error(std::string(key) + ": " + message);
}

}  // namespace graft
