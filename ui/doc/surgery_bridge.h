#pragma once
// The one place the document calls model surgery: the core's applyOperation(), the function
// graft-cli edit and recipes use, so a GUI edit and its recorded recipe step behave the same.
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft::ui {

struct AppliedEdit {
  Model model;                     // its recipe ends with the operations as recorded
  std::vector<std::string> notes;  // re-initialised layers and the like, for the user
};

// Applies recipe operations in order; the first failure stops and nothing is returned but
// its diagnostics (each prefixed with the operation's position when there are several).
Expected<AppliedEdit> applyOperations(const Model& model, const Json& operations);

}  // namespace graft::ui
