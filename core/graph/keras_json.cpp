#include "graph/keras_json.h"

#include "graph/limits.h"

namespace graft {
namespace {

// One inbound tensor reference [layer, node_index, tensor_index(, kwargs)] -> layer name.
std::string producerOf(const Json& ref, const std::string& layer) {
  if (ref.is_array() && !ref.empty() && ref[0].is_string()) {
    if ((ref.size() > 1 && ref[1] != 0) || (ref.size() > 2 && ref[2] != 0))
      throw Error(Diagnostic{layer, "uses a shared layer or a multi-output layer (" + ref.dump() +
                                        "); Graft models have one call per layer"});
    return ref[0].get<std::string>();
  }
  throw Error(Diagnostic{layer, "cannot read inbound tensor " + ref.dump()});
}

// Keras 3 call arguments: keras tensors anywhere inside args (merge layers pass a list).
void collectKeras3Inputs(const Json& value, const std::string& layer,
                         std::vector<std::string>& inputs) {
  if (value.is_object()) {
    if (value.value("class_name", "") == "__keras_tensor__") {
      inputs.push_back(producerOf(value.at("config").at("keras_history"), layer));
      return;
    }
    for (const auto& item : value) collectKeras3Inputs(item, layer, inputs);
  } else if (value.is_array()) {
    for (const auto& item : value) collectKeras3Inputs(item, layer, inputs);
  }
}

std::vector<std::string> inboundLayers(const Json& layerJson, const std::string& name) {
  std::vector<std::string> inputs;
  if (!layerJson.contains("inbound_nodes")) return inputs;
  const Json& calls = layerJson.at("inbound_nodes");
  if (!calls.is_array()) throw Error(Diagnostic{name, "field 'inbound_nodes' must be a list"});
  if (calls.size() > 1)
    throw Error(Diagnostic{name, "is called " + std::to_string(calls.size()) +
                                     " times (a shared layer); Graft supports one call per layer"});
  if (calls.empty()) return inputs;
  const Json& call = calls[0];
  if (call.is_object()) {  // Keras 3
    collectKeras3Inputs(call.value("args", Json::array()), name, inputs);
  } else if (call.is_array()) {  // Keras 1 and 2
    for (const auto& ref : call) inputs.push_back(producerOf(ref, name));
  } else {
    throw Error(Diagnostic{name, "cannot read inbound_nodes " + call.dump()});
  }
  return inputs;
}

Node nodeFromLayerJson(const Json& raw, const LayerRegistry& registry) {
  if (!raw.is_object() || !raw.contains("class_name"))
    throw Error("every entry of config.layers needs a 'class_name', got " +
                raw.dump().substr(0, 200));
  const Json layer = upgradeKeras1Layer(raw);
  Node node;
  node.className = layer.at("class_name").get<std::string>();
  const Json config = layer.value("config", Json::object());
  node.name = layer.contains("name") ? layer["name"].get<std::string>()
                                     : config.value("name", std::string());
  if (node.name.empty()) throw Error("a " + node.className + " layer has no name");
  node.trainable = config.value("trainable", true);
  try {
    node.config = registry.normalizeConfig(node.className, config);
  } catch (const Error& e) {
    throw Error(Diagnostic{node.name, e.what()});
  }
  node.inputs = inboundLayers(layer, node.name);
  return node;
}

// A layer entry whose fields have the wrong JSON types ("config": null, "name": 3) makes
// nlohmann throw its own exceptions; they become graft::Errors naming the entry.
Node nodeAt(const Json& layers, size_t index, const LayerRegistry& registry) {
  try {
    return nodeFromLayerJson(layers.at(index), registry);
  } catch (const Json::exception& e) {
    throw Error("config.layers[" + std::to_string(index) + "]: a field has the wrong type (" +
                e.what() + ")");
  }
}

std::vector<std::string> layerList(const Json& refs, const char* field) {
  std::vector<std::string> names;
  if (refs.is_null()) return names;
  if (!refs.is_array()) throw Error(std::string("field '") + field + "' must be a list");
  if (!refs.empty() && refs[0].is_string()) return {refs[0].get<std::string>()};  // Keras 3 single
  for (const auto& r : refs) names.push_back(producerOf(r, field));
  return names;
}

Graph sequentialGraph(const Json& config, const LayerRegistry& registry) {
  const Json& layers = config.is_array() ? config : config.at("layers");
  std::string modelName = config.is_object() ? config.value("name", "sequential") : "sequential";
  std::vector<Node> nodes;
  if (!layers.is_array()) throw Error("model_config field 'config.layers' is not a list");
  if (layers.size() > limits::kMaxLayers)
    throw Error("model_config lists " + std::to_string(layers.size()) +
                " layers, more than Graft accepts (" + std::to_string(limits::kMaxLayers) + ")");
  for (size_t index = 0; index < layers.size(); ++index) {
    const Json& raw = layers[index];
    Node node = nodeAt(layers, index, registry);
    if (nodes.empty() && node.className != "InputLayer") {
      const Json& c = raw.at("config");
      Json shape = c.contains("batch_input_shape") ? c["batch_input_shape"]
                   : c.contains("batch_shape")     ? c["batch_shape"]
                                                   : Json();
      if (shape.is_null())
        throw Error(Diagnostic{node.name,
                               "the first layer of a Sequential model must give "
                               "batch_input_shape (the model's input shape)"});
      Node input;
      input.name = node.name + "_input";
      input.className = "InputLayer";
      input.config = registry.normalizeConfig("InputLayer", {{"batch_input_shape", shape}});
      nodes.push_back(input);
    }
    node.config.erase("batch_input_shape");
    if (node.className == "InputLayer")
      node.config = registry.normalizeConfig("InputLayer", raw.at("config"));
    if (!nodes.empty()) node.inputs = {nodes.back().name};
    nodes.push_back(std::move(node));
  }
  return Graph(modelName, std::move(nodes));
}

}  // namespace

Json parseBoundedJson(const std::string& text, const std::string& what) {
  try {
    return Json::parse(text, jsonDepthGuard(what));
  } catch (const Json::exception& e) {
    throw Error(what + " is not valid JSON: " + e.what());
  }
}

Json::parser_callback_t jsonDepthGuard(const std::string& what) {
  // Depth is checked while parsing: a deeply nested document would otherwise exhaust the stack
  // when it is destroyed, long after parsing succeeded.
  return [what](int depth, Json::parse_event_t, Json&) {
    if (depth > limits::kMaxJsonDepth)
      throw Error(what + " is nested more than " + std::to_string(limits::kMaxJsonDepth) +
                  " levels deep; no Graft or Keras file is");
    return true;
  };
}

namespace {

Graph graphFromCheckedKerasJson(const Json& modelConfig, const LayerRegistry& registry) {
  const Json* root = &modelConfig;
  if (root->contains("modelTopology")) root = &root->at("modelTopology");  // TF.js model.json
  if (root->contains("model_config")) root = &root->at("model_config");
  if (!root->is_object() || !root->contains("config"))
    throw Error("not a Keras model_config: expected an object with 'class_name' and 'config'");
  const std::string cls = root->value("class_name", "Functional");
  const Json& config = root->at("config");
  if (cls == "Sequential") return sequentialGraph(config, registry);
  if (cls != "Functional" && cls != "Model")
    throw Error("model class '" + cls + "' is not supported (Functional, Model or Sequential are)");
  if (!config.contains("layers") || !config["layers"].is_array())
    throw Error("model_config field 'config.layers' is missing or not a list");
  if (config["layers"].size() > limits::kMaxLayers)
    throw Error("model_config lists " + std::to_string(config["layers"].size()) +
                " layers, more than Graft accepts (" + std::to_string(limits::kMaxLayers) + ")");
  std::vector<Node> nodes;
  for (size_t index = 0; index < config["layers"].size(); ++index)
    nodes.push_back(nodeAt(config["layers"], index, registry));
  std::vector<std::string> outputs =
      layerList(config.value("output_layers", Json()), "config.output_layers");
  Graph graph(config.value("name", "model"), std::move(nodes), std::move(outputs));
  Diagnostics problems = graph.validate();
  if (!problems.empty()) throw Error(problems);
  return graph;
}

}  // namespace

Graph graphFromKerasJson(const Json& modelConfig, const LayerRegistry& registry) {
  try {
    return graphFromCheckedKerasJson(modelConfig, registry);
  } catch (const Json::exception& e) {
    // Wrong types outside a layer entry ("config": [], "name": 1): still a graft::Error.
    throw Error(std::string("model_config has a field of the wrong type (") + e.what() + ")");
  }
}

Graph graphFromKerasJsonText(const std::string& text, const LayerRegistry& registry) {
  return graphFromKerasJson(parseBoundedJson(text, "model_config"), registry);
}

Json graphToKerasJson(const Graph& graph) {
  Json layers = Json::array();
  for (const auto& node : graph.nodes()) {
    Json config = {{"name", node.name}, {"trainable", node.trainable}};
    config.update(node.config);
    Json inbound = Json::array();
    if (!node.inputs.empty()) {
      Json call = Json::array();
      for (const auto& in : node.inputs) call.push_back({in, 0, 0, Json::object()});
      inbound.push_back(call);
    }
    layers.push_back({{"class_name", node.className},
                      {"name", node.name},
                      {"config", config},
                      {"inbound_nodes", inbound}});
  }
  Json inputs = Json::array(), outputs = Json::array();
  for (const auto& in : graph.inputs()) inputs.push_back({in, 0, 0});
  for (const auto& out : graph.outputs()) outputs.push_back({out, 0, 0});
  return {{"class_name", "Functional"},
          {"config",
           {{"name", graph.name()},
            {"layers", layers},
            {"input_layers", inputs},
            {"output_layers", outputs}}}};
}

}  // namespace graft
