// freeze / unfreeze (by layers, `upto` and `from` in topological order, by type) and rename:
// edits that never touch a weight value.
#include <algorithm>

#include "graph/layer_names.h"
#include "graph/layer_registry.h"
#include "graph/surgery/draft.h"

namespace graft::surgery {
namespace {

// The layers a freeze / unfreeze names. `layers` and the range (`from` and `upto` together are
// the layers between them, both included) add up; `types` keeps only those types among them, or
// picks every layer of those types when nothing else is given: "the Conv2D layers up to X".
std::vector<std::string> selected(const Draft& d) {
  std::set<std::string> chosen;
  bool placed = false;  // `layers`, `from` or `upto` given
  if (d.has("layers")) {
    placed = true;
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
    placed = true;
    const Graph graph(d.original().graph.name(), d.nodes, d.outputs);
    const auto order = graph.topologicalOrder().value();
    std::vector<std::string> names;
    for (size_t i : order) names.push_back(graph.nodes()[i].name);
    const auto position = [&](const char* key) {
      const std::string bound = d.stringField(key);
      auto it = std::find(names.begin(), names.end(), bound);
      if (it == names.end()) d.node(bound);  // throws naming the missing layer
      return it;
    };
    const auto first = d.has("from") ? position("from") : names.begin();
    const auto last = d.has("upto") ? position("upto") : names.end() - 1;
    if (first > last)
      throw Error(
          Diagnostic{"from", "'" + *first + "' comes after upto's '" + *last +
                                 "' in the model: the range between them is empty (swap them?)"});
    chosen.insert(first, last + 1);
  }
  if (d.has("types") || d.has("type")) {
    std::set<std::string> types;
    for (const char* key : {"types", "type"}) {
      if (!d.has(key)) continue;
      for (const auto& type : d.nameList(key)) {
        if (!LayerRegistry::standard().find(type))
          throw Error(Diagnostic{key, "'" + type + "' is not a layer type Graft knows"});
        types.insert(type);
      }
    }
    std::set<std::string> ofTypes;
    for (const auto& n : d.nodes)
      if (types.count(n.className) && (!placed || chosen.count(n.name))) ofTypes.insert(n.name);
    // Recipes of earlier builds took the types besides the other fields: one that narrows to
    // nothing would now do nothing without a word.
    if (placed && ofTypes.empty() && !chosen.empty())
      throw Error(Diagnostic{d.has("types") ? "types" : "type",
                             "none of the " + std::to_string(chosen.size()) +
                                 " layers the other fields name is of these types (types narrow "
                                 "what layers / from / upto name)"});
    chosen = std::move(ofTypes);
    placed = true;
  }
  if (!placed)
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
  const auto layersText = [](size_t n) {
    return std::to_string(n) + (n == 1 ? " layer" : " layers");
  };
  if (changed == layers.size())
    d.notes.push_back(verb + layersText(changed));
  else if (changed == 0)
    d.notes.push_back(
        trainable
            ? "nothing to unfreeze: none of the " + layersText(layers.size()) + " named was frozen"
            : "nothing to freeze: the " + layersText(layers.size()) + " named already " +
                  (layers.size() == 1 ? "was" : "were") + " frozen");
  else
    d.notes.push_back(verb + std::to_string(changed) + " of " + layersText(layers.size()) +
                      (trainable ? " (the others were not frozen)" : " (the others already were)"));
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
  if (!d.layersOfNestedModel(to).empty())
    throw Error(Diagnostic{to,
                           "a nested model of this name exists; a layer under its name would "
                           "make \"" +
                               to + "\" in freeze and unfreeze mean the layer"});
  if (auto problem = layerNameProblem(to)) throw Error(Diagnostic{"to", *problem});
  d.node(from).name = to;
  d.redirect(from, to);
  std::replace(d.untrained.begin(), d.untrained.end(), from, to);
  // The same tensors under the new key: renaming never copies or changes a weight.
  if (const auto* w = d.weights.find(from)) {
    auto tensors = *w;
    d.weights.erase(from);
    d.weights.set(to, std::move(tensors));
  }
}

}  // namespace graft::surgery
