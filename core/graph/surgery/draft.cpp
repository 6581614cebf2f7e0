#include "graph/surgery/draft.h"

#include <algorithm>
#include <optional>

#include "graph/nearest_name.h"

namespace graft::surgery {

Draft::Draft(const Model& model, const Json& operation)
    : nodes(model.graph.nodes()),
      outputs(model.graph.outputs()),
      weights(model.weights),
      untrained(model.untrainedLayers),
      recorded(operation),
      original_(model),
      originalAnalysis_(analyze(model.graph)),
      operation_(operation) {}

std::string Draft::stringField(const char* key) const {
  if (!operation_.contains(key))
    throw Error(Diagnostic{key, "missing (the operation needs a layer name here)"});
  const Json& v = operation_.at(key);
  if (!v.is_string() || v.get<std::string>().empty())
    throw Error(Diagnostic{key, "must be a layer name (a non-empty string), got " + v.dump()});
  return v.get<std::string>();
}

std::vector<std::string> Draft::nameList(const char* key) const {
  if (!operation_.contains(key)) throw Error(Diagnostic{key, "missing"});
  const Json& v = operation_.at(key);
  std::vector<std::string> result;
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array() || v.empty())
    throw Error(
        Diagnostic{key, "must be a layer name or a non-empty list of names, got " + v.dump()});
  for (const auto& item : v) {
    if (!item.is_string())
      throw Error(Diagnostic{key, "must list layer names (strings), got " + item.dump()});
    result.push_back(item.get<std::string>());
  }
  return result;
}

bool Draft::flag(const char* key) const {
  if (!operation_.contains(key)) return false;
  const Json& v = operation_.at(key);
  if (!v.is_boolean()) throw Error(Diagnostic{key, "must be true or false, got " + v.dump()});
  return v.get<bool>();
}

bool Draft::contains(const std::string& name) const {
  return std::any_of(nodes.begin(), nodes.end(), [&](const Node& n) { return n.name == name; });
}

size_t Draft::indexOf(const std::string& name) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return i;
  const std::vector<std::string> inside = layersOfNestedModel(name);
  if (!inside.empty()) {
    // The name summary shows for a nested model: say which layer to name instead.
    std::string output = inside.back();
    for (const auto& layer : inside)
      for (const auto& consumer : consumersOf(layer))
        if (std::find(inside.begin(), inside.end(), consumer) == inside.end()) output = layer;
    throw Error(Diagnostic{name, "is a nested model of " + std::to_string(inside.size()) +
                                     " layers, not a layer: name its output layer '" + output +
                                     "' (freeze and unfreeze take the nested model's name in "
                                     "\"layers\" for all of its layers)"});
  }
  const std::optional<std::string> meant = nearestName(name, names());
  throw Error(Diagnostic{name, "no layer of this name in model '" + original_.graph.name() + "'" +
                                   (meant ? "; did you mean '" + *meant + "'?" : std::string())});
}

std::vector<std::string> Draft::layersOfNestedModel(const std::string& name) const {
  std::vector<std::string> inside;
  for (const auto& n : nodes) {
    // Node::group is the path of nested models a layer sits in, "sequential_1/model1".
    const std::string path = "/" + n.group + "/";
    if (!n.group.empty() && path.find("/" + name + "/") != std::string::npos)
      inside.push_back(n.name);
  }
  return inside;
}

Node& Draft::node(const std::string& name) {
  return nodes[indexOf(name)];
}
const Node& Draft::node(const std::string& name) const {
  return nodes[indexOf(name)];
}

std::vector<std::string> Draft::consumersOf(const std::string& name) const {
  std::vector<std::string> result;
  for (const auto& n : nodes)
    if (std::find(n.inputs.begin(), n.inputs.end(), name) != n.inputs.end())
      result.push_back(n.name);
  return result;
}

std::vector<std::string> Draft::names() const {
  std::vector<std::string> result;
  for (const auto& n : nodes) result.push_back(n.name);
  return result;
}

std::vector<std::string> Draft::takenNames() const {
  std::vector<std::string> result = names();
  std::set<std::string> nested;
  for (const auto& n : nodes) {
    size_t start = 0;
    while (!n.group.empty() && start <= n.group.size()) {
      const size_t slash = std::min(n.group.find('/', start), n.group.size());
      nested.insert(n.group.substr(start, slash - start));
      start = slash + 1;
    }
  }
  result.insert(result.end(), nested.begin(), nested.end());
  return result;
}

bool Draft::isOutput(const std::string& name) const {
  return std::find(outputs.begin(), outputs.end(), name) != outputs.end();
}

void Draft::redirect(const std::string& from, const std::string& to, const std::string& except) {
  for (auto& n : nodes) {
    if (n.name == except) continue;
    std::replace(n.inputs.begin(), n.inputs.end(), from, to);
  }
  std::replace(outputs.begin(), outputs.end(), from, to);
  // A model output listed twice (both ends of a removed chain were outputs) is one output.
  std::vector<std::string> unique;
  for (const auto& o : outputs)
    if (std::find(unique.begin(), unique.end(), o) == unique.end()) unique.push_back(o);
  outputs = std::move(unique);
}

void Draft::insertAt(size_t index, Node n) {
  nodes.insert(nodes.begin() + static_cast<std::ptrdiff_t>(std::min(index, nodes.size())),
               std::move(n));
}

void Draft::erase(const std::set<std::string>& doomed) {
  nodes.erase(std::remove_if(nodes.begin(), nodes.end(),
                             [&](const Node& n) { return doomed.count(n.name) != 0; }),
              nodes.end());
  outputs.erase(std::remove_if(outputs.begin(), outputs.end(),
                               [&](const std::string& o) { return doomed.count(o) != 0; }),
                outputs.end());
  for (const auto& name : doomed) weights.erase(name);
}

namespace {

// Why the stored tensors do not fit the layer's weight specs, or nothing when they do.
std::optional<std::string> misfit(const std::vector<WeightTensor>* have,
                                  const std::vector<WeightSpec>& want) {
  if (!have) return std::string("has no weights");
  if (have->size() != want.size())
    return "now needs " + std::to_string(want.size()) + " weight arrays, has " +
           std::to_string(have->size());
  for (size_t i = 0; i < want.size(); ++i)
    if ((*have)[i].shape != want[i].shape)
      return "weight '" + want[i].name + "' " + shapeToString((*have)[i].shape) +
             " no longer fits: the layer now expects " + shapeToString(want[i].shape);
  return std::nullopt;
}

// splitmix64: decorrelates seeds of neighbouring steps.
uint64_t mixSeed(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

uint64_t seedFor(const Draft& d, const EditOptions& options) {
  if (d.operation().contains("seed")) {
    const Json& s = d.operation().at("seed");
    if (!s.is_number_unsigned() && !(s.is_number_integer() && s.get<int64_t>() >= 0))
      throw Error(Diagnostic{"seed", "must be a non-negative integer, got " + s.dump()});
    return s.get<uint64_t>();
  }
  // JSON integers are safest below 2^53 (other tools read them as doubles).
  return mixSeed(options.seed ^ mixSeed(d.original().recipe.size())) & ((1ULL << 53) - 1);
}

// A re-initialised layer keeps each tensor whose name and shape did not change (set_config
// use_bias=False keeps the kernel and only drops the bias).
std::vector<std::string> keepUnchangedTensors(const Draft& d, const std::string& layer,
                                              const NodeInfo& now, WeightStore& store) {
  std::vector<std::string> renewed;
  const auto* before = d.original().weights.find(layer);
  const NodeInfo* beforeInfo = d.originalAnalysis().find(layer);
  auto fresh = *store.find(layer);
  for (size_t i = 0; i < now.weights.size(); ++i) {
    bool kept = false;
    if (before && beforeInfo && beforeInfo->weights.size() == before->size()) {
      for (size_t j = 0; j < before->size(); ++j)
        if (beforeInfo->weights[j].name == now.weights[i].name &&
            (*before)[j].shape == now.weights[i].shape) {
          fresh[i] = (*before)[j];
          kept = true;
        }
    }
    if (!kept) renewed.push_back(now.weights[i].name + " " + shapeToString(now.weights[i].shape));
  }
  store.set(layer, std::move(fresh));
  return renewed;
}

}  // namespace

namespace {

// A layer the edit added sits in the innermost nested model that holds both its input and every
// layer it feeds: inserted inside a group, it joins the group; a new head after a cut, which
// feeds nothing, stays at the top level.
void placeNewLayersInGroups(Draft& d) {
  const Graph& before = d.original().graph;
  for (auto& node : d.nodes) {
    if (before.find(node.name) || !node.group.empty()) continue;
    if (node.inputs.empty() || d.consumersOf(node.name).empty()) continue;
    std::string group = d.node(node.inputs.front()).group;
    for (const auto& consumer : d.consumersOf(node.name))
      group = commonGroup(group, d.node(consumer).group);
    node.group = group;
  }
}

}  // namespace

namespace {

// The size of the model's one class vector (N, classes); nullopt for any other output.
std::optional<int64_t> classVectorSize(const Graph& graph, const GraphAnalysis& analysis) {
  if (graph.outputs().size() != 1) return std::nullopt;
  const NodeInfo* info = analysis.find(graph.outputs().front());
  if (!info || info->outputShape.size() != 2) return std::nullopt;
  return info->outputShape.back();
}

// The model's class names describe one output of exactly that many classes (model.h). An edit
// after which that output is gone or has another size (a cut, a new head) leaves them
// describing another model: they are dropped with a note, so predictions and exports never
// name the wrong classes. Names that did not fit before the edit (the user's business) stay.
std::optional<std::string> labelsThatNoLongerFit(const Model& before, const Graph& graph,
                                                 const GraphAnalysis& analysis) {
  const std::vector<std::string>& labels = before.labels;
  if (labels.empty()) return std::nullopt;
  const auto count = static_cast<int64_t>(labels.size());
  const auto after = classVectorSize(graph, analysis);
  if (after == count) return std::nullopt;
  if (classVectorSize(before.graph, analyze(before.graph)) != count) return std::nullopt;
  std::string now = "no longer a single class vector";
  if (after) {
    now = classesCount(*after);
  } else if (graph.outputs().size() == 1) {
    if (const NodeInfo* info = analysis.find(graph.outputs().front()))
      now = shapeToString(info->outputShape);
  }
  std::string names;
  for (size_t i = 0; i < labels.size() && i < 5; ++i)
    names += (names.empty() ? "" : ", ") + labels[i];
  if (labels.size() > 5) names += ", ...";
  return "the model's " + classNamesCount(labels.size()) + " (" + names +
         ") no longer fit its output (" + now +
         "): dropped; give the new classes' names with --labels, or train on an image folder "
         "(its folder names become the labels)";
}

}  // namespace

Expected<EditResult> finish(Draft& d, const EditOptions& options) {
  placeNewLayersInGroups(d);
  Graph graph(d.original().graph.name(), d.nodes, d.outputs, d.original().graph.groups());
  GraphAnalysis analysis = analyze(graph);
  if (!analysis.ok()) {
    Diagnostics problems = analysis.diagnostics;
    // Shapes are checked after every step (weights only at the recipe's end): a layer removed
    // to make way for another broke them before the next step could put the other in.
    if (d.operation().value("op", std::string()) == "remove")
      problems.push_back(Diagnostic{
          "",
          "to put another layer in the removed one's place, use replace, or insert the new "
          "layer first and remove the old one after (shapes are checked after every step)"});
    return problems;
  }

  for (const auto& layer : d.weights.layers()) {
    const NodeInfo* info = analysis.find(layer);
    if (!graph.find(layer) || !info || info->weights.empty()) d.weights.erase(layer);
  }
  std::vector<std::string> reinit, stale;
  Diagnostics refused;
  for (const auto& node : graph.nodes()) {
    const NodeInfo* info = analysis.find(node.name);
    if (!info || info->weights.empty()) continue;
    if (std::find(d.fresh.begin(), d.fresh.end(), node.name) != d.fresh.end()) continue;
    auto problem = misfit(d.weights.find(node.name), info->weights);
    if (!problem) continue;
    if (d.reinitializeMisfits || d.reconfigured.count(node.name))
      reinit.push_back(node.name);
    else if (options.weightFit == WeightFit::Defer)
      stale.push_back(node.name);
    else
      refused.push_back({node.name, *problem});
  }
  if (!refused.empty()) {
    refused.push_back({"",
                       "the edit changes what these layers receive, so their weights no "
                       "longer fit; add \"reinitialize\": true to the operation to give them "
                       "fresh weights, or change the edit"});
    return refused;
  }

  std::vector<std::string> drawn = d.fresh;
  drawn.insert(drawn.end(), reinit.begin(), reinit.end());
  std::vector<std::string> withWeights;
  for (const auto& name : drawn)
    if (const NodeInfo* info = analysis.find(name); info && !info->weights.empty())
      withWeights.push_back(name);
  if (!withWeights.empty()) {
    const uint64_t seed = seedFor(d, options);
    // initializeWeights treats an empty list as "every layer"; withWeights is never empty here.
    for (auto& note : initializeWeights(graph, analysis, d.weights, seed, withWeights))
      d.notes.push_back(std::move(note));
    if (!d.recorded.contains("seed")) d.recorded["seed"] = seed;
  }
  // Untrained: new layers, and re-initialised ones with a tensor drawn afresh (a BatchNorm that
  // only lost its scale keeps trained statistics).
  std::set<std::string> untrained(d.untrained.begin(), d.untrained.end());
  for (const auto& layer : d.fresh) untrained.insert(layer);
  for (const auto& layer : reinit) {
    auto renewed = keepUnchangedTensors(d, layer, *analysis.find(layer), d.weights);
    std::string list;
    for (const auto& r : renewed) list += (list.empty() ? "" : ", ") + r;
    if (!renewed.empty()) {
      d.notes.push_back(layer + ": re-initialised " + list + " (its weight shapes changed)");
      untrained.insert(layer);
    }
  }

  EditResult result;
  result.model = d.original();
  if (d.preprocessing) result.model.preprocessing = *d.preprocessing;
  if (auto dropped = labelsThatNoLongerFit(d.original(), graph, analysis)) {
    result.model.labels.clear();
    d.notes.push_back(*dropped);
  }
  result.model.untrainedLayers.clear();
  for (const auto& node : graph.nodes())
    if (untrained.count(node.name) && d.weights.contains(node.name))
      result.model.untrainedLayers.push_back(node.name);
  result.model.graph = std::move(graph);
  result.model.weights = std::move(d.weights);
  if (!result.model.recipe.is_array()) result.model.recipe = Json::array();
  result.model.recipe.push_back(d.recorded);
  result.operation = d.recorded;
  result.notes = std::move(d.notes);
  result.staleLayers = std::move(stale);
  return result;
}

}  // namespace graft::surgery
