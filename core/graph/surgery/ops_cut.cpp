// cut: keep a layer and everything it depends on; that layer becomes the model's output
// (Keras: Model(inputs, layer_dict[name].output)).
#include <algorithm>
#include <map>

#include "graph/surgery/draft.h"

namespace graft::surgery {
namespace {

std::set<std::string> ancestorsOf(const Draft& d, const std::string& name) {
  std::set<std::string> seen{name};
  std::vector<std::string> todo{name};
  while (!todo.empty()) {
    const std::string current = todo.back();
    todo.pop_back();
    for (const auto& in : d.node(current).inputs)
      if (seen.insert(in).second) todo.push_back(in);
  }
  return seen;
}

std::set<std::string> descendantsOf(const Draft& d, const std::string& name) {
  std::set<std::string> seen{name};
  std::vector<std::string> todo{name};
  while (!todo.empty()) {
    const std::string current = todo.back();
    todo.pop_back();
    for (const auto& c : d.consumersOf(current))
      if (seen.insert(c).second) todo.push_back(c);
  }
  return seen;
}

// Where the dropped branch (starting at `dropped`) and the path through `at` join again: the
// first layer, in model order, reached from both. Empty when they never join (another output).
std::string joinPoint(const Draft& d, const std::string& at, const std::string& dropped) {
  const auto fromAt = descendantsOf(d, at);
  const auto fromDropped = descendantsOf(d, dropped);
  for (const auto& n : d.nodes)
    if (n.name != at && fromAt.count(n.name) && fromDropped.count(n.name)) return n.name;
  return "";
}

}  // namespace

void cutOperation(Draft& d) {
  const std::string at = d.stringField("at");
  // d.node names the layer when it does not exist.
  if (d.node(at).className == "InputLayer")
    throw Error(Diagnostic{at, "cutting at the input '" + at +
                                   "' would remove every layer of the model; cut at a layer "
                                   "after it"});
  const bool dropBranches = d.flag("drop_branches");
  const std::set<std::string> kept = ancestorsOf(d, at);

  // A kept layer (other than the cut point) that feeds a removed one is where a parallel branch
  // leaves: cutting inside a residual or Inception block drops the block's other branches.
  // Keras would silently build the smaller model; we say what would be lost and where the
  // branches join, unless the user asked for exactly that.
  if (!dropBranches) {
    Diagnostics problems;
    for (const auto& n : d.nodes) {
      if (!kept.count(n.name) || n.name == at) continue;
      for (const auto& c : d.consumersOf(n.name)) {
        if (kept.count(c)) continue;
        const std::string join = joinPoint(d, at, c);
        std::string message = "cutting at '" + at + "' cuts through a branch: '" + n.name +
                              "' also feeds '" + c + "'";
        if (!join.empty())
          message += ", which joins the kept path again at '" + join +
                     "' (the end of the block); that branch would be dropped. Cut at '" + join +
                     "' to keep the whole block, or at '" + n.name +
                     "' before it splits, or add \"drop_branches\": true to keep only what '" + at +
                     "' depends on";
        else
          message +=
              ", which leads to another output that would be dropped; add "
              "\"drop_branches\": true to keep only what '" +
              at + "' depends on";
        problems.push_back({at, message});
      }
    }
    if (!problems.empty()) throw Error(problems);
  }

  std::set<std::string> removed;
  for (const auto& n : d.nodes)
    if (!kept.count(n.name)) removed.insert(n.name);
  d.erase(removed);
  d.outputs = {at};
  if (!removed.empty())
    d.notes.push_back("cut at " + at + ": removed " + std::to_string(removed.size()) +
                      (removed.size() == 1 ? " layer" : " layers"));
}

}  // namespace graft::surgery
