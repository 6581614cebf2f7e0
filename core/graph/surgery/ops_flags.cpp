// freeze / unfreeze (by layers, `upto` and `from` in topological order, by type) and rename:
// edits that never touch a weight value.
#include <algorithm>

#include "graph/layer_names.h"
#include "graph/layer_registry.h"
#include "graph/surgery/draft.h"

namespace graft::surgery {
namespace {

std::vector<std::string> selected(const Draft& d) {
  std::set<std::string> chosen;
  bool any = false;
  if (d.has("layers")) {
    any = true;
    for (const auto& name : d.nameList("layers")) {
      // A nested model's name (Teachable Machine's "model1") stands for all of its layers.
      const std::vector<std::string> inside =
          d.contains(name) ? std::vector<std::string>{} : d.layersOfNestedModel(name);
      if (!inside.empty())
        chosen.insert(inside.begin(), inside.end());
      else
        chosen.insert(d.node(name).name);
    }
  }
  if (d.has("upto") || d.has("from")) {
    const Graph graph(d.original().graph.name(), d.nodes, d.outputs);
    const auto order = graph.topologicalOrder().value();
    std::vector<std::string> names;
    for (size_t i : order) names.push_back(graph.nodes()[i].name);
    for (const char* key : {"upto", "from"}) {
      if (!d.has(key)) continue;
      any = true;
      const std::string bound = d.stringField(key);
      auto it = std::find(names.begin(), names.end(), bound);
      if (it == names.end()) d.node(bound);  // throws naming the missing layer
      if (std::string(key) == "upto")
        chosen.insert(names.begin(), it + 1);
      else
        chosen.insert(it, names.end());
    }
  }
  for (const char* key : {"types", "type"}) {
    if (!d.has(key)) continue;
    any = true;
    for (const auto& type : d.nameList(key)) {
      if (!LayerRegistry::standard().find(type))
        throw Error(Diagnostic{key, "'" + type + "' is not a layer type Graft knows"});
      for (const auto& n : d.nodes)
        if (n.className == type) chosen.insert(n.name);
    }
  }
  if (!any)
    throw Error(Diagnostic{"layers",
                           "say which layers: \"layers\", \"upto\", \"from\" or "
                           "\"types\""});
  // Keep model order so notes read naturally.
  std::vector<std::string> result;
  for (const auto& n : d.nodes)
    if (chosen.count(n.name)) result.push_back(n.name);
  return result;
}

void setTrainable(Draft& d, bool trainable) {
  const auto layers = selected(d);
  size_t changed = 0;
  for (const auto& name : layers) {
    Node& n = d.node(name);
    if (n.trainable != trainable) ++changed;
    n.trainable = trainable;
  }
  // The layers the operation names ("upto" names many): not "selected", which in the
  // workbench means what the user clicked.
  const std::string verb = trainable ? "unfroze " : "froze ";
  const std::string already =
      trainable ? " (the others were not frozen)" : " (the others already were)";
  d.notes.push_back(changed == layers.size()
                        ? verb + std::to_string(changed) + (changed == 1 ? " layer" : " layers")
                        : verb + std::to_string(changed) + " of " + std::to_string(layers.size()) +
                              " layers" + already);
}

}  // namespace

void freezeOperation(Draft& d) {
  setTrainable(d, false);
}
void unfreezeOperation(Draft& d) {
  setTrainable(d, true);
}

void renameOperation(Draft& d) {
  const std::string from = d.stringField("layer");
  const std::string to = d.stringField("to");
  d.node(from);
  if (from == to) return;
  if (d.contains(to))
    throw Error(Diagnostic{to, "a layer of this name already exists; names must be unique"});
  if (auto problem = layerNameProblem(to)) throw Error(Diagnostic{"to", *problem});
  d.node(from).name = to;
  d.redirect(from, to);
  // The same tensors under the new key: renaming never copies or changes a weight.
  if (const auto* w = d.weights.find(from)) {
    auto tensors = *w;
    d.weights.erase(from);
    d.weights.set(to, std::move(tensors));
  }
}

}  // namespace graft::surgery
