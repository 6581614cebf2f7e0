#pragma once
// The files a command could not read, as its --json output says them (eval, probe, train):
// [{"file": path, "reason": why}, ...] under "skipped", only when there are any.
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"  // Json

namespace graft {

void addSkippedFiles(Json& out, const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace graft
