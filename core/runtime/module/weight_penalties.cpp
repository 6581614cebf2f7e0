#include "runtime/module/weight_penalties.h"

#include <map>
#include <optional>
#include <utility>

#include "runtime/module/graph_module.h"

namespace graft {
namespace {

struct Coefficients {
  double l1 = 0.0;
  double l2 = 0.0;
};

double number(const Json& config, const char* key, double fallback) {
  if (!config.is_object() || !config.contains(key) || !config[key].is_number()) return fallback;
  return config[key].get<double>();
}

// Keras's regularizers.get: a name ("l2", "L1L2"; Keras 2's "l1_l2" function) or a serialized
// object ({"class_name": "L2", "config": {"l2": 1e-4}}; Keras 3 adds "module"). L1's and L2's
// factor defaults to 0.01, L1L2's to 0 (Keras 2's l1_l2 function: 0.01 each). Nothing for
// another class (OrthogonalRegularizer, a custom one).
std::optional<Coefficients> coefficientsOf(const Json& regularizer) {
  std::string name;
  Json config = Json::object();
  if (regularizer.is_string()) {
    name = regularizer.get<std::string>();
  } else if (regularizer.is_object() && regularizer.contains("class_name") &&
             regularizer["class_name"].is_string()) {
    name = regularizer["class_name"].get<std::string>();
    if (regularizer.contains("config")) config = regularizer["config"];
  } else {
    return std::nullopt;
  }
  if (name == "L1" || name == "l1") return Coefficients{number(config, "l1", 0.01), 0.0};
  if (name == "L2" || name == "l2") return Coefficients{0.0, number(config, "l2", 0.01)};
  if (name == "L1L2" || name == "l1l2")
    return Coefficients{number(config, "l1", 0.0), number(config, "l2", 0.0)};
  if (name == "l1_l2") return Coefficients{number(config, "l1", 0.01), number(config, "l2", 0.01)};
  return std::nullopt;
}

// "L2(l2=0.0001)" for {"class_name": "L2", "config": {"l2": 0.0001}}; "MaxNorm" without numbers.
std::string describe(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (!value.is_object() || !value.contains("class_name") || !value["class_name"].is_string())
    return value.dump();
  const std::string name = value["class_name"].get<std::string>();
  const Json config = value.value("config", Json::object());
  std::string numbers;
  if (config.is_object())
    for (const auto& [key, v] : config.items())
      if (v.is_number() && v.get<double>() != 0.0)
        numbers += (numbers.empty() ? "" : ", ") + key + "=" + v.dump();
  return numbers.empty() ? name : name + "(" + numbers + ")";
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() > suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

WeightPenalties::WeightPenalties(const Graph& graph, GraphModule& module) {
  std::map<std::string, torch::Tensor> parameters;
  for (const auto& item : module.module().named_parameters()) parameters[item.key()] = item.value();
  std::vector<std::string> skipped;
  for (const Node& node : graph.nodes()) {
    if (!node.trainable || !node.config.is_object()) continue;
    bool penalised = false;
    std::string left;
    for (const auto& [key, value] : node.config.items()) {
      if (value.is_null()) continue;
      const bool regularizer = endsWith(key, "_regularizer");
      if (!regularizer && !endsWith(key, "_constraint")) continue;
      const std::optional<Coefficients> c =
          regularizer && key != "activity_regularizer" ? coefficientsOf(value) : std::nullopt;
      if (!c) {
        left += (left.empty() ? "" : ", ") + key + " " + describe(value);
        continue;
      }
      if (c->l1 == 0.0 && c->l2 == 0.0) continue;
      // kernel_regularizer -> "kernel"; depthwise_regularizer -> "depthwise_kernel".
      const std::string weight = key.substr(0, key.size() - std::string("_regularizer").size());
      const std::string prefix = parameterPrefixOf(node.name) + ".";
      auto found = parameters.find(prefix + weight);
      if (found == parameters.end()) found = parameters.find(prefix + weight + "_kernel");
      if (found == parameters.end() || !found->second.requires_grad()) continue;
      terms_.push_back({found->second, c->l1, c->l2});
      penalised = true;
    }
    if (penalised) ++layers_;
    if (!left.empty()) skipped.push_back(node.name + ": " + left);
  }
  if (skipped.empty()) return;
  std::string listed;
  for (size_t i = 0; i < skipped.size() && i < 3; ++i) listed += (i ? "; " : "") + skipped[i];
  if (skipped.size() > 3) listed += "; and " + std::to_string(skipped.size() - 3) + " more";
  notApplied_ = "not applied in training: " + std::to_string(skipped.size()) +
                (skipped.size() == 1 ? " layer's" : " layers'") +
                " activity regularizers, constraints or regularizers other than L1 and L2 (" +
                listed + "); Keras's fit would apply them";
}

torch::Tensor WeightPenalties::total() const {
  torch::Tensor sum;
  for (const Term& term : terms_) {
    torch::Tensor penalty;
    if (term.l1 != 0.0) penalty = term.parameter.abs().sum() * term.l1;
    if (term.l2 != 0.0) {
      const torch::Tensor squares = term.parameter.square().sum() * term.l2;
      penalty = penalty.defined() ? penalty + squares : squares;
    }
    sum = sum.defined() ? sum + penalty : penalty;
  }
  return sum.defined() ? sum : torch::zeros({});
}

}  // namespace graft
