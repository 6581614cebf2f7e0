#include "pipeline/recipe_with_labels.h"

#include "graph/diagnostic.h"
#include "runtime/prediction/predict_output.h"

namespace graft {

Expected<RecipeResult> applyRecipeNamingItsClasses(const Model& model, const Json& operations,
                                                   const std::string& labelsFile,
                                                   const EditOptions& options,
                                                   const RecipeStepRunner& runStep) {
  if (labelsFile.empty()) return applyRecipe(model, operations, options, runStep);
  Model unnamed = model;
  unnamed.labels.clear();
  Expected<RecipeResult> edited = applyRecipe(unnamed, operations, options, runStep);
  if (!edited) return edited;
  RecipeResult result = std::move(edited).value();
  result.model.labels = model.labels;
  try {
    checkModelLabels(result.model);
  } catch (const Error& e) {
    throw Error(Diagnostic{labelsFile, e.diagnostics().front().message});
  }
  return result;
}

}  // namespace graft
