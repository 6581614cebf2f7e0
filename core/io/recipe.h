#pragma once
// Recipes: surgery as data (DESIGN.md "Recipes"). A recipe file is
//   {"graft_recipe": 1, "operations": [{"op": "cut", "at": "block2_pool"}, ...]}
// and applies its operations in order through applyOperation(), all or nothing.
#include <functional>
#include <string>
#include <vector>

#include "graph/surgery/surgery.h"

namespace graft {

constexpr int kRecipeFormatVersion = 1;

// The operations of a recipe document; throws graft::Error naming `source` and the field when
// the document is not a recipe or comes from a newer Graft.
Json recipeOperations(const Json& document, const std::string& source = "recipe");
// Reads and checks a recipe file; returns its operations.
Json readRecipeFile(const std::string& path);
// {"graft_recipe": 1, "operations": operations}: what a model's recorded recipe looks like in a
// file (graft-cli edit can replay it on any model whose layer names match).
Json recipeDocument(const Json& operations);

struct RecipeResult {
  Model model;                     // its recipe is the input model's recipe plus these steps
  std::vector<std::string> notes;  // "operations[2] (remove): ..."
};

// Runs one recipe step. The default is applyOperation(); the runtime supplies one that also
// performs the least-squares fusion, which needs sample activations the core cannot compute
// (runtime/fusion/fuse_with_samples.h). Diagnostics it returns are reported at the step's index.
using RecipeStepRunner =
    std::function<Expected<EditResult>(const Model&, const Json& operation, const EditOptions&)>;

// Applies every operation in order. Between steps a layer's weights may stop fitting as long as
// a later step makes them fit again (remove two convs, then insert one with the same filter
// count); at the end every weight must fit. On failure the diagnostics start with
// "operations[i] (op)" (the failing step's index and name) and `model` is unchanged.
Expected<RecipeResult> applyRecipe(const Model& model, const Json& operations,
                                   const EditOptions& options = {},
                                   const RecipeStepRunner& runStep = {});

// The layers a model's recorded recipe stacked, inserted or put in as replacements: the user's
// own, not the pretrained file's. A project written before "untrained_layers" counts them as
// untrained, as Graft then did; the training advisor never calls them pretrained.
std::vector<std::string> layersAddedByRecipe(const Json& recipe);

}  // namespace graft
