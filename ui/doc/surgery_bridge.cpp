#include "ui/doc/surgery_bridge.h"

#include "graph/surgery/surgery.h"
#include "io/recipe.h"

namespace graft::ui {

Expected<AppliedEdit> applyOperations(const Model& model, const Json& operations) {
  if (operations.size() == 1) {
    Expected<EditResult> result = applyOperation(model, operations[0]);
    if (!result) return result.diagnostics();
    EditResult done = std::move(result).value();
    return AppliedEdit{std::move(done.model), std::move(done.notes)};
  }
  // Several steps behave as a recipe: all or nothing, and a layer's weights may misfit between
  // steps as long as the last step makes them fit again.
  Expected<RecipeResult> result = applyRecipe(model, operations);
  if (!result) return result.diagnostics();
  RecipeResult done = std::move(result).value();
  return AppliedEdit{std::move(done.model), std::move(done.notes)};
}

}  // namespace graft::ui
