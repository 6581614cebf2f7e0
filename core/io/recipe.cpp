#include "io/recipe.h"

#include <map>

#include "io/json_file.h"

namespace graft {

Json recipeOperations(const Json& document, const std::string& source) {
  if (!document.is_object() || !document.contains("graft_recipe"))
    throw Error(source +
                ": not a Graft recipe (expected {\"graft_recipe\": 1, \"operations\": "
                "[...]})");
  const Json& version = document.at("graft_recipe");
  if (!version.is_number_integer() || version.get<int64_t>() < 1)
    throw Error(source + ": field 'graft_recipe' must be a positive integer (the format version)");
  if (version.get<int64_t>() > kRecipeFormatVersion)
    throw Error(source + ": recipe format version " + version.dump() +
                " was written by a newer Graft; this build reads versions up to " +
                std::to_string(kRecipeFormatVersion));
  for (auto it = document.begin(); it != document.end(); ++it)
    if (it.key() != "graft_recipe" && it.key() != "operations")
      throw Error(source + ": unknown field '" + it.key() +
                  "' (a recipe is {\"graft_recipe\": 1, \"operations\": [...]})");
  if (!document.contains("operations") || !document.at("operations").is_array())
    throw Error(source + ": field 'operations' must be a list of operations");
  return document.at("operations");
}

Json readRecipeFile(const std::string& path) {
  return recipeOperations(readJsonFile(path, "recipe"), path);
}

Json recipeDocument(const Json& operations) {
  return {{"graft_recipe", kRecipeFormatVersion},
          {"operations", operations.is_array() ? operations : Json::array()}};
}

namespace {

std::string stepName(size_t index, const Json& op) {
  std::string name = op.is_object() && op.contains("op") && op.at("op").is_string()
                         ? op.at("op").get<std::string>()
                         : std::string("?");
  return "operations[" + std::to_string(index) + "] (" + name + ")";
}

Diagnostics atStep(size_t index, const Json& op, const Diagnostics& problems) {
  Diagnostics result;
  for (const auto& p : problems) result.push_back({stepName(index, op), p.str()});
  return result;
}

}  // namespace

Expected<RecipeResult> applyRecipe(const Model& model, const Json& operations,
                                   const EditOptions& options, const RecipeStepRunner& runStep) {
  if (!operations.is_array()) return Diagnostic{"operations", "must be a list of operations"};
  EditOptions stepOptions = options;
  stepOptions.weightFit = WeightFit::Defer;
  RecipeResult result{model, {}};
  // Layers whose weights stopped fitting, and the step that did it (blamed if never repaired).
  std::map<std::string, size_t> brokenAt;
  for (size_t i = 0; i < operations.size(); ++i) {
    const Json& op = operations[i];
    Expected<EditResult> step = runStep ? runStep(result.model, op, stepOptions)
                                        : applyOperation(result.model, op, stepOptions);
    if (!step) return atStep(i, op, step.diagnostics());
    EditResult edit = std::move(step).value();
    if (op.value("op", "") == "rename" && brokenAt.count(op.value("layer", ""))) {
      brokenAt[op.value("to", "")] = brokenAt[op.value("layer", "")];
      brokenAt.erase(op.value("layer", ""));
    }
    std::map<std::string, size_t> stillBroken;
    for (const auto& layer : edit.staleLayers)
      stillBroken[layer] = brokenAt.count(layer) ? brokenAt[layer] : i;
    brokenAt = std::move(stillBroken);
    for (const auto& note : edit.notes) result.notes.push_back(stepName(i, op) + ": " + note);
    result.model = std::move(edit.model);
  }
  if (!brokenAt.empty()) {
    const GraphAnalysis analysis = analyze(result.model.graph);
    Diagnostics problems;
    for (const auto& d : checkWeights(result.model.graph, analysis, result.model.weights)) {
      const size_t i = brokenAt.count(d.subject) ? brokenAt[d.subject] : operations.size() - 1;
      problems.push_back({stepName(i, operations[i]),
                          d.str() + " (no later operation made it fit again; add "
                                    "\"reinitialize\": true to this operation for fresh weights)"});
    }
    if (!problems.empty()) return problems;
  }
  return result;
}

std::vector<std::string> layersAddedByRecipe(const Json& recipe) {
  std::vector<std::string> added;
  const auto addSpec = [&](const Json& spec) {
    if (spec.is_object() && spec.contains("config") && spec["config"].contains("name") &&
        spec["config"]["name"].is_string())
      added.push_back(spec["config"]["name"].get<std::string>());
  };
  for (const auto& op : recipe) {
    if (!op.is_object()) continue;
    const std::string kind = op.value("op", "");
    if (kind == "rename") {  // an added layer keeps being the user's under its new name
      const std::string from = op.value("layer", "");
      const std::string to = op.value("to", "");
      for (std::string& name : added)
        if (name == from) name = to;
      continue;
    }
    const Json& specs = kind == "stack"     ? op.value("layers", Json())
                        : kind == "insert"  ? op.value("layer", Json())
                        : kind == "replace" ? op.value("with", Json())
                                            : Json();
    if (specs.is_array())
      for (const auto& spec : specs) addSpec(spec);
    else
      addSpec(specs);
  }
  return added;
}

}  // namespace graft
