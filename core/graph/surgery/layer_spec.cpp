// New layers as recipes give them (Keras's {"class_name", "config"}), and the chain rule shared
// by remove and replace.
#include <algorithm>
#include <set>

#include "graph/keras_json.h"
#include "graph/layer_names.h"
#include "graph/layer_registry.h"
#include "graph/surgery/draft.h"

namespace graft {
namespace {

// Keys a user may write that are not Keras settings of the class: silently accepting a typo
// ("unit" for "units") would give a layer the user did not ask for.
// A layer pasted from a Keras config carries its dtype: float32, as Graft computes every layer,
// passes; another one would be dropped without a word (and set_config refuses it).
void checkDtype(const Json& dtype, const std::string& layer) {
  const Json name = dtype.is_object() && dtype.contains("config") && dtype["config"].is_object()
                        ? dtype["config"].value("name", Json())
                        : dtype;
  if (name == "float32") return;
  throw Error(Diagnostic{layer, "dtype " + dtype.dump() +
                                    ": Graft computes every layer in float32 (mixed precision "
                                    "is a training choice: --precision bf16 or fp16); leave "
                                    "dtype out or give \"float32\""});
}

void checkKnownKeys(const LayerType& type, const Json& config, const std::string& layer) {
  for (auto it = config.begin(); it != config.end(); ++it) {
    const std::string& key = it.key();
    if (key == "dtype") checkDtype(it.value(), layer);
    if (key == "name" || key == "trainable" || key == "dtype") continue;
    if (type.defaults.contains(key) || type.aliases.count(key)) continue;
    std::string known;
    for (auto d = type.defaults.begin(); d != type.defaults.end(); ++d)
      known += (known.empty() ? "" : ", ") + d.key();
    throw Error(Diagnostic{layer, "config field '" + key + "' is not a " + type.className +
                                      " setting (" + type.className + " takes: " + known + ")"});
  }
}

// A layer spec holds "class_name" and "config"; the other keys Keras (and Graft's own
// model_config, "graft_group") write beside them may be pasted along: a top-level "name" names
// the layer when config has none, the rest is ignored. Anything else is refused.
void checkSpecKeys(const Json& spec) {
  static const std::set<std::string> known = {"class_name",    "config",           "name",
                                              "module",        "registered_name",  "build_config",
                                              "inbound_nodes", "shared_object_id", "graft_group"};
  const std::string cls = spec.at("class_name").get<std::string>();
  for (auto it = spec.begin(); it != spec.end(); ++it)
    if (!known.count(it.key()))
      throw Error(
          Diagnostic{cls, "'" + it.key() +
                              "' is not a field of a layer (a layer is {\"class_name\": ..., "
                              "\"config\": {...}}; its settings go in config)"});
}

}  // namespace

Node nodeFromLayerSpec(const Json& rawSpec, const std::vector<std::string>& taken) {
  if (!rawSpec.is_object() || !rawSpec.contains("class_name") ||
      !rawSpec.at("class_name").is_string())
    throw Error("a layer must be given as {\"class_name\": ..., \"config\": {...}}, got " +
                rawSpec.dump().substr(0, 200));
  checkSpecKeys(rawSpec);
  const Json spec = upgradeKeras1Layer(rawSpec);
  const LayerRegistry& registry = LayerRegistry::standard();
  Node node;
  node.className = spec.at("class_name").get<std::string>();
  const Json config = spec.value("config", Json::object());
  if (!config.is_object())
    throw Error(node.className + " config must be a JSON object, got " + config.dump());
  if (config.contains("name") && !config.at("name").is_string())
    throw Error(node.className + " config field 'name' must be a string");
  node.name = config.value("name", spec.value("name", std::string()));
  const LayerType* type = registry.find(node.className);
  const std::string subject = node.name.empty() ? node.className : node.name;
  if (!type) {
    try {
      registry.at(node.className);  // throws, listing the known class names
    } catch (const Error& e) {
      throw Error(Diagnostic{subject, e.what()});
    }
  }
  if (node.className == "InputLayer")
    throw Error(Diagnostic{subject,
                           "an InputLayer cannot be added by an edit (a model has its "
                           "inputs; change one's size with set_input_shape in a recipe, or "
                           "its batch input shape in Graft's Properties)"});
  if (node.name.empty())
    node.name = uniqueLayerName(kerasSnakeCase(node.className), [&](const std::string& n) {
      return std::find(taken.begin(), taken.end(), n) != taken.end();
    });
  if (auto problem = layerNameProblem(node.name)) throw Error(Diagnostic{node.className, *problem});
  if (std::find(taken.begin(), taken.end(), node.name) != taken.end())
    throw Error(Diagnostic{node.name,
                           "a layer or nested model of this name already exists; names "
                           "must be unique (give the new layer another config.name)"});
  checkKnownKeys(*type, config, node.name);
  if (config.contains("trainable")) {
    if (!config.at("trainable").is_boolean())
      throw Error(Diagnostic{node.name, "config field 'trainable' must be true or false"});
    node.trainable = config.at("trainable").get<bool>();
  }
  try {
    node.config = registry.normalizeConfig(node.className, config);
  } catch (const Error& e) {
    throw Error(Diagnostic{node.name, e.what()});
  }
  return node;
}

namespace surgery {

std::vector<Node> newLayers(const Draft& draft, const Json& specs, const char* field,
                            const std::set<std::string>& exceptNames) {
  Json list = specs.is_object() ? Json::array({specs}) : specs;
  if (!list.is_array() || list.empty())
    throw Error(Diagnostic{field,
                           "must be a layer {\"class_name\", \"config\"} or a non-empty "
                           "list of them"});
  std::vector<std::string> taken;
  for (const auto& name : draft.takenNames())
    if (!exceptNames.count(name)) taken.push_back(name);
  std::vector<Node> result;
  for (const auto& spec : list) {
    result.push_back(nodeFromLayerSpec(spec, taken));
    taken.push_back(result.back().name);
  }
  return result;
}

std::vector<std::string> chainOf(const Draft& d, const std::vector<std::string>& layers) {
  std::set<std::string> members(layers.begin(), layers.end());
  if (members.size() != layers.size()) throw Error(Diagnostic{"layers", "lists a layer twice"});
  for (const auto& name : layers) {
    const Node& n = d.node(name);  // throws for an unknown name
    if (n.className == "InputLayer")
      throw Error(Diagnostic{name,
                             "is a model input and cannot be removed or replaced (change its "
                             "size with set_input_shape in a recipe, or its batch input shape "
                             "in Graft's Properties)"});
    if (n.inputs.size() != 1)
      throw Error(Diagnostic{name, "has " + std::to_string(n.inputs.size()) +
                                       " inputs; only layers with one input can be removed or "
                                       "replaced (the predecessor is reconnected to the "
                                       "successor)"});
  }
  // The head of the chain is the member whose input is not a member; follow consumers from it.
  std::vector<std::string> heads;
  for (const auto& name : layers)
    if (!members.count(d.node(name).inputs[0])) heads.push_back(name);
  if (heads.size() != 1) {
    std::string list;
    for (const auto& h : heads) list += (list.empty() ? "" : ", ") + h;
    throw Error(Diagnostic{heads.empty() ? layers[0] : heads[1],
                           "the layers do not form one chain (each following the previous): " +
                               list + " start separate chains; remove them one chain at a time"});
  }
  std::vector<std::string> chain{heads[0]};
  while (chain.size() < layers.size()) {
    const std::string& last = chain.back();
    std::vector<std::string> inChain, outside;
    for (const auto& c : d.consumersOf(last)) (members.count(c) ? inChain : outside).push_back(c);
    if (inChain.size() != 1) {
      throw Error(Diagnostic{last, "the layers do not form one chain: " +
                                       (inChain.empty() ? std::string("nothing listed follows it")
                                                        : "it feeds several listed layers")});
    }
    if (!outside.empty() || d.isOutput(last))
      throw Error(Diagnostic{
          last, "also feeds " +
                    (outside.empty() ? std::string("the model output") : "'" + outside[0] + "'") +
                    ", which would lose its input; only the last layer of the "
                    "chain may have other consumers"});
    chain.push_back(inChain[0]);
  }
  return chain;
}

}  // namespace surgery
}  // namespace graft
