// set_config (any Keras config field of one layer) and set_input_shape (224 -> 160): edits that
// change shapes in place. Layers whose weight shapes change are reported by name.
#include <algorithm>

#include "graph/layer_registry.h"
#include "graph/surgery/draft.h"

namespace graft::surgery {

namespace {

void setConfigOf(Draft& d, const std::string& name, const Json& given) {
  Node& node = d.node(name);
  d.reconfigured.insert(name);
  if (!given.is_object())
    throw Error(Diagnostic{name,
                           "the new config must be an object of Keras config fields, e.g. "
                           "{\"units\": 512}"});
  const LayerType& type = LayerRegistry::standard().at(node.className);
  Json merged = node.config;
  for (auto it = given.begin(); it != given.end(); ++it) {
    const std::string& key = it.key();
    if (key == "name")
      throw Error(Diagnostic{name, "use the rename operation to change a layer's name"});
    if (key == "trainable") {
      if (!it.value().is_boolean())
        throw Error(Diagnostic{name, "config field 'trainable' must be true or false"});
      node.trainable = it.value().get<bool>();
      continue;
    }
    if (!type.defaults.contains(key) && !type.aliases.count(key)) {
      std::string known;
      for (auto k = type.defaults.begin(); k != type.defaults.end(); ++k)
        known += (known.empty() ? "" : ", ") + k.key();
      throw Error(Diagnostic{name, "config field '" + key + "' is not a " + node.className +
                                       " setting (" + node.className + " takes: " + known + ")"});
    }
    merged[key] = it.value();
  }
  try {
    node.config = LayerRegistry::standard().normalizeConfig(node.className, merged);
  } catch (const Error& e) {
    throw Error(Diagnostic{name, e.what()});
  }
}

}  // namespace

void setConfigOperation(Draft& d) {
  if (d.has("layers")) {
    // Several layers at once, for changes that are only valid together (a classifier's filter
    // count and the Reshape after it): {"layers": {"conv_preds": {...}, "reshape_2": {...}}}.
    const Json& layers = d.operation().at("layers");
    if (!layers.is_object() || layers.empty())
      throw Error(Diagnostic{"layers",
                             "must map layer names to config changes, e.g. "
                             "{\"fc1\": {\"units\": 512}}"});
    for (auto it = layers.begin(); it != layers.end(); ++it) {
      setConfigOf(d, it.key(), it.value());
    }
  } else {
    const std::string name = d.stringField("layer");
    if (!d.has("config"))
      throw Error(Diagnostic{"config",
                             "missing (an object of Keras config fields, e.g. "
                             "{\"units\": 512})"});
    setConfigOf(d, name, d.operation().at("config"));
  }
  // Changing units, filters or kernel_size changes this layer's weights and often its
  // consumers'; they get fresh weights and finish() reports each one. "reinitialize": false
  // refuses instead when layers after the changed ones would lose their weights: the GUI sends
  // it to ask the user first (saved recipes without the field keep today's meaning).
  d.reinitializeMisfits = !d.has("reinitialize") || d.flag("reinitialize");
}

void setInputShapeOperation(Draft& d) {
  std::string input;
  if (d.has("input")) {
    input = d.stringField("input");
    if (d.node(input).className != "InputLayer")
      throw Error(Diagnostic{input, "is a " + d.node(input).className + ", not an InputLayer"});
  } else {
    std::vector<std::string> inputs;
    for (const auto& n : d.nodes)
      if (n.className == "InputLayer") inputs.push_back(n.name);
    if (inputs.size() != 1)
      throw Error(Diagnostic{"input", "the model has " + std::to_string(inputs.size()) +
                                          " inputs; name the one to change with \"input\""});
    input = inputs[0];
  }
  if (!d.has("shape") || !d.operation().at("shape").is_array() || d.operation().at("shape").empty())
    throw Error(Diagnostic{"shape",
                           "must list the input dimensions without the batch, e.g. "
                           "[160, 160, 3]"});
  Json batchShape = Json::array({nullptr});
  for (const auto& dim : d.operation().at("shape")) {
    if (!dim.is_null() && !(dim.is_number_integer() && dim.get<int64_t>() > 0))
      throw Error(Diagnostic{"shape", "entries must be positive integers or null, got " +
                                          d.operation().at("shape").dump()});
    batchShape.push_back(dim);
  }
  Node& node = d.node(input);
  node.config["batch_input_shape"] = batchShape;
  // Convolutions accept any size; a Flatten -> Dense kernel does not. Those layers are refused by
  // name unless the operation says "reinitialize": true (read by applyOperation for every op).
}

void setPreprocessingOperation(Draft& d) {
  // A Keras file records no preprocessing and Graft guesses for user files: this is how a user
  // (or a recipe) says what the model was trained with, as one replayable, undoable step.
  const char* expected = "one of caffe, tf, torch, unit (x/255) or none";
  if (!d.has("preprocessing") || !d.operation().at("preprocessing").is_string())
    throw Error(Diagnostic{"preprocessing", std::string("missing: ") + expected});
  try {
    d.preprocessing = preprocessingFromName(d.operation().at("preprocessing").get<std::string>());
  } catch (const Error& e) {
    throw Error(Diagnostic{"preprocessing", e.what()});
  }
}

}  // namespace graft::surgery
