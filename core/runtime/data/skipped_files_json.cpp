#include "runtime/data/skipped_files_json.h"

namespace graft {

void addSkippedFiles(Json& out, const std::vector<std::pair<std::string, std::string>>& files) {
  if (files.empty()) return;
  Json skipped = Json::array();
  for (const auto& [path, reason] : files) skipped.push_back({{"file", path}, {"reason", reason}});
  out["skipped"] = skipped;
}

}  // namespace graft
