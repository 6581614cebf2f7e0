#include "graph/nearest_name.h"

#include <algorithm>
#include <cctype>

namespace graft {
namespace {

size_t editDistance(const std::string& a, const std::string& b) {
  const auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min(
          {row[j] + 1, row[j - 1] + 1, diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> nearestName(const std::string& wanted,
                                       const std::vector<std::string>& names) {
  const size_t allowed = std::max<size_t>(2, wanted.size() / 5);
  std::optional<std::string> best;
  size_t bestDistance = allowed + 1;
  bool tie = false;
  for (const std::string& name : names) {
    // Lengths alone rule most names out before the quadratic comparison.
    const size_t gap =
        name.size() > wanted.size() ? name.size() - wanted.size() : wanted.size() - name.size();
    if (gap > allowed) continue;
    const size_t distance = editDistance(wanted, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
      tie = false;
    } else if (distance == bestDistance && best && *best != name) {
      tie = true;
    }
  }
  if (tie) return std::nullopt;
  return best;
}

std::string didYouMean(const Graph& graph, const std::string& wanted) {
  std::vector<std::string> names;
  for (const Node& node : graph.nodes()) names.push_back(node.name);
  const std::optional<std::string> meant = nearestName(wanted, names);
  return meant ? "; did you mean '" + *meant + "'?" : std::string();
}

}  // namespace graft
