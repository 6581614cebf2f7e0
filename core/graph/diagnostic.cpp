#include "graph/diagnostic.h"

namespace graft {

std::string joinDiagnostics(const Diagnostics& diagnostics, const std::string& separator) {
  std::string text;
  for (const auto& d : diagnostics) {
    if (!text.empty()) text += separator;
    text += d.str();
  }
  return text;
}

}  // namespace graft
