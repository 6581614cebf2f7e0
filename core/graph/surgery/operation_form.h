#pragma once
// What can be said of a recipe operation without a model: that it is an object with a known
// "op" (an unknown one named with the nearest known one), only that operation's fields, and at
// most one of the fields that say the same thing two ways. applyOperation refuses these first;
// a pipeline checks them when it is read, so a typo is reported with the file and JSON path
// before a model is loaded.
#include <optional>

#include "graph/diagnostic.h"
#include "graph/graph.h"

namespace graft {

// The problem, its subject the field concerned ("op", an unknown field's name); nothing when the
// operation's form is right.
std::optional<Diagnostic> operationFormProblem(const Json& operation);

}  // namespace graft
