#pragma once
// Reading a whole JSON file with errors that name it (recipes, pipelines).
#include <string>

#include "graph/model.h"

namespace graft {

// Throws graft::Error "PATH: cannot read the WHAT file" or "PATH: not valid JSON: ...".
Json readJsonFile(const std::string& path, const std::string& what);

// `json` on one line for a report or a log. Text that is not UTF-8 (file names are bytes) is
// written with U+FFFD in place of each bad byte instead of failing the whole report.
std::string jsonText(const Json& json);

// Whether `text` is UTF-8, which every name JSON stores must be (class names, layer names).
bool isUtf8(const std::string& text);

}  // namespace graft
