#include "graph/layer_names.h"

#include "graph/limits.h"

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

std::optional<std::string> layerNameProblem(const std::string& name) {
  if (name.empty()) return "a layer name cannot be empty";
  if (name.find('/') != std::string::npos)
    return "layer names cannot contain '/' (it separates HDF5 groups in weight files)";
  if (name == "." || name == "..") return "a layer cannot be named '" + name + "'";
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; }))
    return "layer names cannot contain control characters";
  if (name.size() > limits::kMaxLayerNameBytes)
    return "a layer name is at most " + std::to_string(limits::kMaxLayerNameBytes) +
           " bytes, this one has " + std::to_string(name.size());
  return std::nullopt;
}

}  // namespace graft
