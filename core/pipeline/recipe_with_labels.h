#pragma once
// A recipe run on a model whose class names the user gave with it (graft-cli edit --labels, a
// pipeline's "model.labels"): the names are meant for the model the recipe makes. Put on the
// model it starts from, a cut to a new head dropped them, with a note telling the user to give
// them with --labels, which they had (exit 0, a project without names).
#include <string>

#include "io/recipe.h"

namespace graft {

// applyRecipe with the model's labels set aside while the steps run and put on the result when
// `labelsFile` is not empty (they came from it). Throws graft::Error naming `labelsFile` when
// they do not fit the edited model's output.
Expected<RecipeResult> applyRecipeNamingItsClasses(const Model& model, const Json& operations,
                                                   const std::string& labelsFile,
                                                   const EditOptions& options = {},
                                                   const RecipeStepRunner& runStep = {});

}  // namespace graft
