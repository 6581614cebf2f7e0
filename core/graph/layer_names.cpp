#include "graph/layer_names.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace graft {

std::string kerasSnakeCase(const std::string& className) {
  // The substitutions of keras.src.utils.naming.to_snake_case, in its order.
  static const std::regex nonWord(R"(\W+)");
  static const std::regex capitalWord("(.)([A-Z][a-z]+)");
  static const std::regex lowerUpper("([a-z])([A-Z])");
  std::string name = std::regex_replace(className, nonWord, "");
  name = std::regex_replace(name, capitalWord, "$1_$2");
  name = std::regex_replace(name, lowerUpper, "$1_$2");
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

std::string uniqueLayerName(const std::string& base,
                            const std::function<bool(const std::string&)>& taken) {
  if (!taken(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!taken(candidate)) return candidate;
  }
}

}  // namespace graft
