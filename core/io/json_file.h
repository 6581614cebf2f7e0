#pragma once
// Reading a whole JSON file with errors that name it (recipes, pipelines).
#include <string>

#include "graph/model.h"

namespace graft {

// Throws graft::Error "PATH: cannot read the WHAT file" or "PATH: not valid JSON: ...".
Json readJsonFile(const std::string& path, const std::string& what);

}  // namespace graft
