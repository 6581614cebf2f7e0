#include "graph/keras_json.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "graph/analysis.h"
#include "graph/channels_first.h"
#include "graph/image_resize.h"
#include "graph/keras_op_layers.h"
#include "graph/limits.h"

namespace graft {
namespace {

// One inbound tensor reference [layer, node_index, tensor_index(, kwargs)] -> layer name.
std::string producerOf(const Json& ref, const std::string& layer) {
  if (ref.is_array() && !ref.empty() && ref[0].is_string()) {
    // The node index is not checked here: a nested model's call is its node 1 (node 0 is its
    // own construction). A layer called twice is refused where its inbound_nodes are read.
    if (ref.size() > 2 && ref[2] != 0)
      throw Error(Diagnostic{layer, "uses output " + ref[2].dump() + " of a multi-output layer (" +
                                        ref.dump() + "); Graft layers have one output"});
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

Node nodeFromLayerJson(const Json& raw, const LayerRegistry& registry, DataFormats& formats) {
  if (!raw.is_object() || !raw.contains("class_name"))
    throw Error("every entry of config.layers needs a 'class_name', got " +
                raw.dump().substr(0, 200));
  const Json layer = rewriteOpLayer(upgradeKeras1Layer(raw));
  Node node;
  node.className = layer.at("class_name").get<std::string>();
  Json config = layer.value("config", Json::object());
  node.name = layer.contains("name") ? layer["name"].get<std::string>()
                                     : config.value("name", std::string());
  if (node.name.empty()) throw Error("a " + node.className + " layer has no name");
  node.trainable = config.value("trainable", true);
  // Keras's AutoContrast takes each image's minimum and maximum over axes 1 and 2 whatever its
  // data_format: of a channels_first image, its channels and height, not its height and width.
  if (node.className == "AutoContrast" && config.is_object() &&
      config.value("data_format", Json()) == "channels_first")
    throw Error(
        Diagnostic{node.name,
                   "is an AutoContrast with data_format \"channels_first\": Keras takes its "
                   "minimum and maximum over axes 1 and 2 (channels and height) there, "
                   "which Graft does not compute; save it channels_last"});
  if (config.is_object()) takeChannelsFirst(node.name, config, formats);
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
Node nodeAt(const Json& layers, size_t index, const LayerRegistry& registry, DataFormats& formats) {
  try {
    return nodeFromLayerJson(layers.at(index), registry, formats);
  } catch (const Json::exception& e) {
    throw Error("config.layers[" + std::to_string(index) + "]: a field has the wrong type (" +
                e.what() + ")");
  }
}

std::vector<std::string> layerList(const Json& refs, const char* field) {
  std::vector<std::string> names;
  if (refs.is_null()) return names;
  if (refs.is_object()) {  // Keras 3 models built on a dict of inputs: {"a": ["a", 0, 0]}
    for (const auto& r : refs) names.push_back(producerOf(r, field));
    return names;
  }
  if (!refs.is_array()) throw Error(std::string("field '") + field + "' must be a list");
  if (!refs.empty() && refs[0].is_string()) return {refs[0].get<std::string>()};  // Keras 3 single
  for (const auto& r : refs) names.push_back(producerOf(r, field));
  return names;
}

bool isModelClass(const std::string& cls) {
  return cls == "Sequential" || cls == "Functional" || cls == "Model";
}

// Keras's augmentation layers that return their input unchanged outside training (each one's
// transform_images changes images only `if training`). Not so: AutoContrast (it computes at
// inference too) and RandomCrop (it returns its input unchanged outside training only since
// Keras 3.8, and only where the input already has its size in every Keras): both are layer
// types of their own (graph/auto_contrast.h, graph/image_resize.cpp).
bool isAugmentation(const std::string& cls) {
  static const std::set<std::string> kLayers = {"RandomFlip",
                                                "RandomRotation",
                                                "RandomZoom",
                                                "RandomTranslation",
                                                "RandomContrast",
                                                "RandomBrightness",
                                                "RandomHeight",
                                                "RandomWidth",
                                                "RandomGrayscale",
                                                "RandomSaturation",
                                                "RandomHue",
                                                "RandomColorJitter",
                                                "RandomColorDegeneration",
                                                "RandomErasing",
                                                "RandomGaussianBlur",
                                                "RandomSharpness",
                                                "RandomInvert",
                                                "RandomPosterization",
                                                "RandomPerspective",
                                                "RandomShear",
                                                "RandomElasticTransform",
                                                "Solarization",
                                                "AugMix",
                                                "RandAugment",
                                                "CutMix",
                                                "MixUp"};
  return kLayers.count(cls) != 0;
}

// Layers Graft leaves out of the graph: augmentation, and layers that are the identity outside
// training (Identity always; ActivityRegularization adds a loss only).
bool passesImagesUnchangedAtInference(const std::string& cls) {
  return isAugmentation(cls) || cls == "Identity" || cls == "ActivityRegularization";
}

// The entry's class name, "" when it is missing or not a string (reported with the entry's index
// when the layer itself is read).
std::string classNameOf(const Json& entry) {
  if (!entry.is_object() || !entry.contains("class_name") || !entry["class_name"].is_string())
    return "";
  return entry["class_name"].get<std::string>();
}

std::string entryName(const Json& entry) {
  if (entry.contains("name") && entry["name"].is_string()) return entry["name"].get<std::string>();
  const Json config = entry.value("config", Json::object());
  return config.is_object() ? config.value("name", std::string()) : std::string();
}

const Json& layersOf(const Json& config, const std::string& model) {
  const Json& layers = config.is_array() ? config : config.at("layers");
  if (!layers.is_array())
    throw Error("model_config: the layers of model '" + model + "' are not a list");
  return layers;
}

// Every layer type in the model (nested models included) that the registry does not know, with
// the first layer using it: the whole list in one message, before anything is built.
void collectUnsupported(const Json& config, const LayerRegistry& registry,
                        std::vector<std::pair<std::string, std::string>>& found, size_t depth) {
  if (depth > static_cast<size_t>(limits::kMaxJsonDepth))
    throw Error("model_config: nested models nest too deeply");
  for (const auto& raw : layersOf(config, "")) {
    Json layer;
    try {
      if (classNameOf(raw).empty()) continue;
      layer = upgradeKeras1Layer(raw);
    } catch (const Json::exception&) {
      continue;  // a field of the wrong type: reported with the entry's index when it is read
    }
    const std::string cls = classNameOf(layer);
    if (isModelClass(cls)) {
      if (layer.contains("config") && (layer["config"].is_object() || layer["config"].is_array()))
        collectUnsupported(layer["config"], registry, found, depth + 1);
      continue;
    }
    if (passesImagesUnchangedAtInference(cls)) continue;  // left out (Flattener)
    // Op layers (TFOpLambda, Lambda, Keras 3 operations) are read as Graft types when they
    // compute what Graft knows.
    const std::string what = isOpLayer(layer)     ? unsupportedOpLayer(layer)
                             : registry.find(cls) ? std::string()
                                                  : cls;
    if (what.empty()) continue;
    bool known = false;
    for (const auto& f : found) known = known || f.first == what;
    if (!known) found.emplace_back(what, entryName(raw));
  }
}

void refuseUnsupported(const Json& config, const LayerRegistry& registry) {
  std::vector<std::pair<std::string, std::string>> found;
  collectUnsupported(config, registry, found, 0);
  if (found.empty()) return;
  std::string list, notes;
  bool lambda = false, op = false, keras3Op = false;
  for (const auto& [cls, layer] : found) {
    list += (list.empty() ? "" : ", ") + cls + " (first used by layer '" + layer + "')";
    lambda = lambda || cls == "Lambda";
    op = op || cls.rfind("TFOpLambda", 0) == 0;
    keras3Op = keras3Op || cls.rfind("Keras 3 operation", 0) == 0;
  }
  if (lambda)
    notes +=
        " A Lambda layer is Python code; Graft reads only InceptionResNetV2's residual "
        "scaling (a Lambda on two tensors with arguments {\"scale\": s}).";
  if (op) {
    notes += " Of the TensorFlow functions tf.keras records as TFOpLambda layers, Graft computes " +
             opFunctionList() + " on tensors and constants.";
  }
  if (keras3Op)
    notes += " Of Keras 3's operations on tensors (keras.ops), Graft computes " + keras3OpList() +
             " on tensors and constants.";
  std::string known;
  for (const auto& name : registry.classNames()) known += (known.empty() ? "" : ", ") + name;
  throw Error("the model uses layer types Graft cannot run: " + list + "." + notes +
              " Graft runs 2-D image networks; it knows " + known);
}

// Keras models nest: a Sequential or Functional can be a layer of another. The graph is flat —
// each nested model's layers take its place, with Node::group naming the models they sit in —
// and the inner InputLayers disappear: their consumers read the tensor the nested model was
// called on, and the nested model's name stands for its output layer.
class Flattener {
 public:
  Flattener(const LayerRegistry& registry, bool keras3) : registry_(registry), keras3_(keras3) {}

  // The model's output layers (before alias resolution). `callInputs` are the producers the
  // nested model is called on; empty for the top-level model, whose InputLayers stay.
  std::vector<std::string> model(const std::string& cls, const Json& config,
                                 const std::string& group,
                                 const std::vector<std::string>& callInputs) {
    if (++depth_ > static_cast<size_t>(limits::kMaxJsonDepth))
      throw Error("model_config: nested models nest too deeply");
    auto outputs = cls == "Sequential" ? sequential(config, group, callInputs)
                                       : functional(config, group, callInputs);
    --depth_;
    return outputs;
  }

  Graph finish(const std::string& name, std::vector<std::string> outputs,
               const std::vector<NodeGroup>& annotated) {
    for (auto& node : nodes_)
      for (auto& input : node.inputs) input = resolve(input);
    for (auto& output : outputs) output = resolve(output);
    std::vector<NodeGroup> groups = groups_;
    groups.insert(groups.end(), annotated.begin(), annotated.end());
    refuseNamesSharedAcrossModels();
    if (nodes_.size() > limits::kMaxLayers)
      throw Error("model_config lists " + std::to_string(nodes_.size()) +
                  " layers, more than Graft accepts (" + std::to_string(limits::kMaxLayers) + ")");
    Graph graph(name, std::move(nodes_), std::move(outputs), std::move(groups));
    Diagnostics problems = graph.validate();
    if (!problems.empty()) throw Error(problems);
    return channelsLastGraph(graph, formats_, registry_);
  }

 private:
  std::string resolve(const std::string& name) const {
    std::string current = name;
    for (size_t hops = 0; hops <= alias_.size(); ++hops) {
      auto it = alias_.find(current);
      if (it == alias_.end()) return current;
      current = it->second;
    }
    throw Error(Diagnostic{name, "nested models refer to each other in a cycle"});
  }

  // Keras keeps layer names unique within each model only: a nested model may hold a layer
  // named like one of the outer model's (a model saved in one session, loaded as the base of
  // another whose name counters started again). Graft's graph is one namespace, so such a file
  // is refused naming both places (graph validation would only say "duplicate layer name").
  void refuseNamesSharedAcrossModels() const {
    const auto where = [](const std::string& group) {
      return group.empty() ? std::string("the outer model") : "the nested model '" + group + "'";
    };
    std::map<std::string, const Node*> first;
    for (const auto& node : nodes_) {
      const auto [it, added] = first.emplace(node.name, &node);
      if (added || it->second->group == node.group) continue;
      throw Error(Diagnostic{
          node.name, "names a layer in " + where(it->second->group) + " and one in " +
                         where(node.group) +
                         ": Keras keeps names unique within each model, Graft joins nested "
                         "models into one graph where each name is used once; give one of the "
                         "two layers another name in Keras (name=... when building it) and save "
                         "the model again"});
    }
  }

  static std::string childPath(const std::string& group, const std::string& name) {
    return group.empty() ? name : group + "/" + name;
  }

  // A nested model entry: flattened in place; its name then stands for its output.
  std::string nested(const Json& entry, const std::string& group,
                     const std::vector<std::string>& callInputs) {
    const std::string name = entryName(entry);
    if (name.empty()) throw Error("a nested model in model_config has no name");
    const std::string cls = entry.at("class_name").get<std::string>();
    const std::string path = childPath(group, name);
    groups_.push_back({path, cls == "Model" ? "Functional" : cls});
    const size_t first = nodes_.size();
    auto outputs = model(cls, entry.at("config"), path, callInputs);
    if (outputs.size() != 1)
      throw Error(Diagnostic{name, "is a nested model with " + std::to_string(outputs.size()) +
                                       " outputs; Graft supports nested models with one output"});
    const Json config = entry.value("config", Json::object());
    if (config.is_object() && config.value("trainable", true) == false)
      for (size_t i = first; i < nodes_.size(); ++i) nodes_[i].trainable = false;
    alias_[name] = outputs.front();
    return name;
  }

  // A quantized policy's config: Keras 3.4+ writes {"mode": "int8", "source_name": ...}, earlier
  // ones {"name": "int8_from_float32"}.
  static std::string quantizationMode(const Json& config) {
    if (config.contains("mode") && config["mode"].is_string()) return config["mode"];
    if (config.contains("name") && config["name"].is_string()) return config["name"];
    return "";
  }

  Node layer(const Json& layers, size_t index, const std::string& group) {
    Node node = nodeAt(layers, index, registry_, formats_);
    // Keras 3's model.quantize() stores int8 / float8 kernels with their scales under a
    // Quantized*DTypePolicy: other weights than the layer's float ones, so say that, not
    // "3 weight arrays, the model expects 2".
    const Json dtype = node.config.value("dtype", Json());
    if (dtype.is_object() && dtype.value("class_name", std::string()).rfind("Quantized", 0) == 0)
      throw Error(
          Diagnostic{node.name, "is quantized (" + dtype.value("class_name", std::string()) + " " +
                                    quantizationMode(dtype.value("config", Json::object())) +
                                    "); Graft reads float models: open the model as saved before "
                                    "model.quantize()"});
    // Keras 3's hard_sigmoid is relu6(x + 3) / 6, not Keras 2's clip(0.2 x + 0.5, 0, 1).
    if (keras3_ && node.config.contains("activation") &&
        node.config["activation"] == "hard_sigmoid")
      node.config["activation"] = "hard_sigmoid_keras3";
    // tf.keras serialises activation="log_softmax" by its function's name, tf.nn's
    // log_softmax_v2 (only softmax_v2 is mapped back to its Keras name).
    if (node.config.contains("activation") && node.config["activation"] == "log_softmax_v2")
      node.config["activation"] = "log_softmax";
    const std::string annotated = layers[index].value("graft_group", std::string());
    node.group = annotated.empty() ? group : childPath(group, annotated);
    return node;
  }

  // The InputLayer a Sequential without one gets, named after its first layer, from the shape
  // that layer (or the model, in Keras 3) records.
  std::string sequentialInput(const Json& config, const Json& first, const std::string& name,
                              const std::string& group) {
    const Json& c = first.at("config");
    // Keras 3 Sequentials built without an InputLayer record the shape on the model.
    const Json built = config.is_object() ? config.value("build_input_shape", Json()) : Json();
    Json shape = c.contains("batch_input_shape") ? c["batch_input_shape"]
                 : c.contains("batch_shape")     ? c["batch_shape"]
                                                 : built;
    if (shape.is_null())
      throw Error(Diagnostic{name,
                             "the first layer of a Sequential model must give "
                             "batch_input_shape (the model's input shape)"});
    Node input;
    input.name = name + "_input";
    input.className = "InputLayer";
    input.group = group;
    input.config = registry_.normalizeConfig("InputLayer", {{"batch_input_shape", shape}});
    nodes_.push_back(input);
    return input.name;
  }

  std::vector<std::string> sequential(const Json& config, const std::string& group,
                                      const std::vector<std::string>& callInputs) {
    const Json& layers = layersOf(config, group);
    std::vector<std::string> previous = callInputs;
    for (size_t index = 0; index < layers.size(); ++index) {
      const Json& raw = layers[index];
      if (isModelClass(classNameOf(raw))) {
        previous = {nested(raw, group, previous)};
        continue;
      }
      if (passesImagesUnchangedAtInference(classNameOf(raw))) {
        // Left out: the identity outside training. As the first layer it still gives the
        // model's input shape.
        if (previous.empty()) previous = {sequentialInput(config, raw, entryName(raw), group)};
        continue;
      }
      Node node = layer(layers, index, group);
      if (node.className == "InputLayer") {
        // The input of a nested Sequential: its layers read `previous`, the tensor it is called
        // on. No alias by name: the outer model may have a layer of the same name (its own
        // Input, made after loading the base from a file, is often input_1 too).
        if (!previous.empty()) continue;
        node.config = registry_.normalizeConfig("InputLayer", raw.at("config"));
        node.inputs.clear();
        nodes_.push_back(node);
        previous = {node.name};
        continue;
      }
      if (previous.empty()) previous = {sequentialInput(config, raw, node.name, group)};
      node.config.erase("batch_input_shape");
      node.inputs = previous;
      previous = {node.name};
      nodes_.push_back(std::move(node));
    }
    return previous;
  }

  std::vector<std::string> functional(const Json& config, const std::string& group,
                                      const std::vector<std::string>& callInputs) {
    if (!config.is_object() || !config.contains("layers") || !config["layers"].is_array())
      throw Error("model_config field 'config.layers' is missing or not a list" +
                  (group.empty() ? std::string() : " (nested model '" + group + "')"));
    const Json& layers = config["layers"];
    std::vector<std::string> inputs =
        layerList(config.value("input_layers", Json()), "config.input_layers");
    // A nested model's inputs stand for the tensors it is called on, within this model only:
    // replaced in its own layers' inputs here rather than by a global alias, since the outer
    // model may use the same names (an outer Input named input_1 around a base whose InputLayer
    // is input_1 read as a cycle).
    std::map<std::string, std::string> ownInputs;
    if (!callInputs.empty()) {
      if (inputs.size() != callInputs.size())
        throw Error(Diagnostic{group, "is a nested model with " + std::to_string(inputs.size()) +
                                          " inputs, called on " +
                                          std::to_string(callInputs.size()) + " tensors"});
      for (size_t i = 0; i < inputs.size(); ++i) ownInputs[inputs[i]] = callInputs[i];
    }
    const auto inScope = [&](std::vector<std::string> names) {
      for (auto& n : names)
        if (const auto it = ownInputs.find(n); it != ownInputs.end()) n = it->second;
      return names;
    };
    for (size_t index = 0; index < layers.size(); ++index) {
      const Json& raw = layers[index];
      if (isModelClass(classNameOf(raw))) {
        const std::string name = entryName(raw);
        nested(raw, group, inScope(inboundLayers(raw, name)));
        continue;
      }
      if (passesImagesUnchangedAtInference(classNameOf(raw))) {
        const std::string name = entryName(raw);
        const std::vector<std::string> from = inScope(inboundLayers(raw, name));
        if (from.size() != 1)
          throw Error(Diagnostic{name, "is called on " + std::to_string(from.size()) +
                                           " tensors; an augmentation layer takes one"});
        alias_[name] = from.front();  // left out: its consumers read its input
        continue;
      }
      Node node = layer(layers, index, group);
      if (node.className == "InputLayer" && !callInputs.empty()) continue;  // replaced above
      node.inputs = inScope(node.inputs);
      nodes_.push_back(std::move(node));
    }
    return inScope(layerList(config.value("output_layers", Json()), "config.output_layers"));
  }

  const LayerRegistry& registry_;
  bool keras3_;
  DataFormats formats_;
  std::vector<Node> nodes_;
  std::vector<NodeGroup> groups_;
  std::map<std::string, std::string> alias_;
  size_t depth_ = 0;
};

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
                  " levels deep (Graft and Keras files nest far less)");
    return true;
  };
}

namespace {

// Where the parser is, as a JSON path ("$.stages[1]"), and the keys each open object has had.
class JsonPathTracker {
 public:
  void open(bool isObject) { frames_.push_back({isObject, {}, {}, 0}); }
  void close() {
    frames_.pop_back();
    elementDone();
  }
  void elementDone() {
    if (!frames_.empty() && !frames_.back().isObject) ++frames_.back().index;
  }
  // False when the innermost object already had `key`.
  bool addKey(const std::string& key) {
    if (frames_.empty() || !frames_.back().isObject) return true;
    frames_.back().lastKey = key;
    return frames_.back().keys.insert(key).second;
  }
  // The path of the innermost container.
  std::string path() const {
    std::string out = "$";
    for (size_t i = 0; i + 1 < frames_.size(); ++i)
      out += frames_[i].isObject ? "." + frames_[i].lastKey
                                 : "[" + std::to_string(frames_[i].index) + "]";
    return out;
  }

 private:
  struct Frame {
    bool isObject;
    std::set<std::string> keys;
    std::string lastKey;
    size_t index;
  };
  std::vector<Frame> frames_;
};

}  // namespace

Json::parser_callback_t jsonInputGuard(const std::string& what) {
  const Json::parser_callback_t depth = jsonDepthGuard(what);
  // The parser copies its callback: the state is shared.
  auto tracker = std::make_shared<JsonPathTracker>();
  return [what, depth, tracker](int level, Json::parse_event_t event, Json& parsed) {
    depth(level, event, parsed);
    switch (event) {
      case Json::parse_event_t::object_start:
        tracker->open(true);
        break;
      case Json::parse_event_t::array_start:
        tracker->open(false);
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        tracker->close();
        break;
      case Json::parse_event_t::value:
        tracker->elementDone();
        break;
      case Json::parse_event_t::key: {
        const std::string key = parsed.is_string() ? parsed.get<std::string>() : parsed.dump();
        if (!tracker->addKey(key))
          throw Error(what + ": " + tracker->path() + " has the key \"" + key +
                      "\" twice (JSON would keep only the last one): remove one");
        break;
      }
    }
    return true;
  };
}

namespace {

// Keras 3 alone writes an InputLayer's shape as batch_shape and a call's arguments as an
// object ({"args", "kwargs"}), in this model or a nested one.
bool hasKeras3Form(const Json& config, size_t depth) {
  if (depth > static_cast<size_t>(limits::kMaxJsonDepth)) return false;
  const Json* layers = config.is_array()                                 ? &config
                       : config.is_object() && config.contains("layers") ? &config["layers"]
                                                                         : nullptr;
  if (!layers || !layers->is_array()) return false;
  for (const auto& layer : *layers) {
    if (!layer.is_object()) continue;
    const Json c = layer.value("config", Json());
    if (isModelClass(classNameOf(layer)) && hasKeras3Form(c, depth + 1)) return true;
    if (classNameOf(layer) == "InputLayer" && c.is_object() && c.contains("batch_shape"))
      return true;
    const Json calls = layer.value("inbound_nodes", Json());
    if (calls.is_array() && !calls.empty() && calls[0].is_object()) return true;
  }
  return false;
}

int majorVersion(const std::string& version) {
  return version.empty() || !std::isdigit(static_cast<unsigned char>(version[0]))
             ? -1
             : std::atoi(version.c_str());
}

}  // namespace

bool isKeras3Config(const Json& modelConfig, const std::string& kerasVersion) {
  if (majorVersion(kerasVersion) >= 0) return majorVersion(kerasVersion) >= 3;
  const Json* root = &modelConfig;
  if (root->is_object() && root->contains("keras_version") && (*root)["keras_version"].is_string())
    return majorVersion((*root)["keras_version"].get<std::string>()) >= 3;
  if (root->is_object() && root->contains("modelTopology")) root = &root->at("modelTopology");
  if (root->is_object() && root->contains("model_config")) root = &root->at("model_config");
  if (root->is_array()) return hasKeras3Form(*root, 0);
  return root->is_object() && root->contains("config") && hasKeras3Form(root->at("config"), 0);
}

namespace {

// The Keras that wrote the config: the file's word, else the JSON's own keras_version.
std::string versionOf(const Json& modelConfig, const std::string& kerasVersion) {
  if (!kerasVersion.empty()) return kerasVersion;
  if (modelConfig.is_object() && modelConfig.contains("keras_version") &&
      modelConfig["keras_version"].is_string())
    return modelConfig["keras_version"].get<std::string>();
  return "";
}

// What the Keras of `version` computes for a RandomCrop outside training (predict's
// training=False) where its input is not height x width. Read from each version's RandomCrop:
//  - tf.keras 2.7 to 2.15 and tf_keras 2.16 on (Keras 2 kept as its own package, the same
//    layer; RandomCrop.call's resize(), later _resize()) and Keras 3.0 to 3.5 (call's resize()):
//    smart_resize, the centre cropped to the output's aspect ratio and resized bilinearly;
//  - Keras 3.6 and 3.7 (image_preprocessing/random_crop.py, get_random_transformation and
//    transform_images): that centred box's top-left corner, then rows [top, top + height) and
//    columns [left, left + width) sliced from there (fewer where the image ends), resized
//    bilinearly to height x width only when the slice is smaller;
//  - Keras 3.8 on (to the latest, 3.15): transform_images acts only `if training`, so the image
//    comes back unchanged, at its own size, whatever height and width say;
//  - tf.keras 2.6 and earlier (resize the shorter side, then crop) and a file that names no
//    version: not read (the layer's own shape check refuses it, graph/image_resize.cpp).
enum class RandomCropRule { Unknown, SmartResize, CornerSlice, Unchanged };

RandomCropRule randomCropRule(const std::string& version) {
  int major = -1, minor = -1;
  if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2) return RandomCropRule::Unknown;
  if ((major == 2 && minor >= 7) || (major == 3 && minor >= 0 && minor <= 5))
    return RandomCropRule::SmartResize;
  if (major == 3 && (minor == 6 || minor == 7)) return RandomCropRule::CornerSlice;
  if (major == 3 && minor >= 8) return RandomCropRule::Unchanged;
  return RandomCropRule::Unknown;
}

// Keras 3.6 / 3.7's window (RandomCrop.get_random_transformation outside training, Python
// floats on a static shape) and slice (transform_images): rows [top, top + height) and columns
// [left, left + width), fewer where the image ends, stretched (backend.image.resize, bilinear)
// to height x width only when it came out smaller. For an input of fixed size: the Cropping2D
// that takes the slice, named as the layer, or, where the slice is short, that Cropping2D
// ("<name>_slice"; none when it keeps the whole image) and the Resizing that stretches it, named
// as the layer. A free size (a window that depends on each image) is refused naming the layer.
std::vector<Node> cornerSliceNodes(const Node& crop, const Shape& in, const LayerRegistry& registry,
                                   const std::string& version, const std::set<std::string>& names) {
  const int64_t h = in[1], w = in[2];
  const int64_t height = crop.config.at("height").get<int64_t>();
  const int64_t width = crop.config.at("width").get<int64_t>();
  if (h == kUnknown || w == kUnknown)
    throw Error(Diagnostic{
        crop.name,
        "is a RandomCrop of " + std::to_string(height) + " x " + std::to_string(width) +
            " on images of " + shapeToString(in) + ", saved by Keras " + version +
            ". Outside training Keras 3.6 and 3.7 slice height x width from the corner of the "
            "centred box of that aspect ratio, which depends on each image's size; Graft reads "
            "that for an input of fixed size. Give the model a fixed input size in Keras, or "
            "replace the layer by Resizing or CenterCrop"});
  const auto toInt = [](double v) { return static_cast<int64_t>(v); };
  const int64_t cropH = std::max<int64_t>(
      std::min(h, toInt(static_cast<double>(w * height) / static_cast<double>(width))), 1);
  const int64_t cropW = std::max<int64_t>(
      std::min(w, toInt(static_cast<double>(h * width) / static_cast<double>(height))), 1);
  const int64_t top = toInt(static_cast<double>(h - cropH) / 2);
  const int64_t left = toInt(static_cast<double>(w - cropW) / 2);
  const int64_t bottom = std::min(h, top + height), right = std::min(w, left + width);
  Node slice = crop;
  slice.className = "Cropping2D";
  slice.config = registry.normalizeConfig("Cropping2D",
                                          {{"cropping", {{top, h - bottom}, {left, w - right}}}});
  if (bottom - top == height && right - left == width) return {slice};
  Node stretch = crop;
  stretch.className = "Resizing";
  stretch.config = registry.normalizeConfig(
      "Resizing", {{"height", height}, {"width", width}, {"interpolation", "bilinear"}});
  if (top == 0 && left == 0 && bottom == h && right == w) return {stretch};  // the whole image
  slice.name = crop.name + "_slice";
  for (int i = 2; names.count(slice.name); ++i)
    slice.name = crop.name + "_slice_" + std::to_string(i);
  stretch.inputs = {slice.name};
  return {slice, stretch};
}

// Each RandomCrop whose input is not its own size, read as the Keras of the file computes it
// outside training: smart_resize as the Resizing (bilinear, crop_to_aspect_ratio) that computes
// the same window and resize (smart_resize divides the sizes in float32 in tf.keras, in Python
// floats on a static shape in Keras 3, Resizing in float32: the same crop for every image whose
// width x output height stays below 2^24); Keras 3.6 / 3.7's slice as a Cropping2D; Keras 3.8's
// unchanged image as the RandomCrop marked so (graph/image_resize.h, randomCropKeepsImage: its
// output is its input, at any size). Where the input already has its size every Keras returns
// the image as it is, and the layer stays a plain RandomCrop, so a Keras export keeps its
// training behaviour.
Graph readRandomCropsByVersion(const Graph& graph, const LayerRegistry& registry,
                               const std::string& version) {
  const RandomCropRule rule = randomCropRule(version);
  if (rule == RandomCropRule::Unknown ||
      std::none_of(graph.nodes().begin(), graph.nodes().end(),
                   [](const Node& n) { return n.className == "RandomCrop"; }))
    return graph;
  const GraphAnalysis analysis = analyze(graph, registry);
  std::set<std::string> names;
  for (const auto& node : graph.nodes()) names.insert(node.name);
  std::vector<Node> nodes;
  for (Node node : graph.nodes()) {
    // Pushed as read; Keras 3.6 / 3.7's short slice becomes two layers (cornerSliceNodes).
    if (node.className != "RandomCrop") {
      nodes.push_back(std::move(node));
      continue;
    }
    const NodeInfo* in = node.inputs.size() == 1 ? analysis.find(node.inputs[0]) : nullptr;
    const Json& c = node.config;
    if (!in || in->outputShape.size() != 4 || !c.at("height").is_number_integer() ||
        !c.at("width").is_number_integer() || layers::randomCropKeepsImage(c) ||
        (c.at("height") == in->outputShape[1] && c.at("width") == in->outputShape[2])) {
      nodes.push_back(std::move(node));  // a bad config: the layer's own check says what
      continue;
    }
    switch (rule) {
      case RandomCropRule::SmartResize:
        node.className = "Resizing";
        node.config = registry.normalizeConfig("Resizing", {{"height", c.at("height")},
                                                            {"width", c.at("width")},
                                                            {"interpolation", "bilinear"},
                                                            {"crop_to_aspect_ratio", true}});
        break;
      case RandomCropRule::CornerSlice:
        for (Node& part : cornerSliceNodes(node, in->outputShape, registry, version, names)) {
          names.insert(part.name);
          nodes.push_back(std::move(part));
        }
        continue;
      case RandomCropRule::Unchanged:
        node.config[layers::kRandomCropKeepsImage] = true;
        break;
      case RandomCropRule::Unknown:
        break;
    }
    nodes.push_back(std::move(node));
  }
  return Graph(graph.name(), std::move(nodes), graph.outputs(), graph.groups());
}

Graph graphFromCheckedKerasJson(const Json& modelConfig, const LayerRegistry& registry,
                                const std::string& kerasVersion) {
  const bool keras3 = isKeras3Config(modelConfig, kerasVersion);
  const Json* root = &modelConfig;
  if (root->contains("modelTopology")) root = &root->at("modelTopology");  // TF.js model.json
  if (root->contains("model_config")) root = &root->at("model_config");
  if (root->is_array()) {  // Keras 2.0-2.2 Sequential: the bare list of layers
    refuseUnsupported(*root, registry);
    Flattener flat(registry, keras3);
    auto outputs = flat.model("Sequential", *root, "", {});
    return flat.finish("sequential", outputs, {});
  }
  if (!root->is_object() || !root->contains("config"))
    throw Error("not a Keras model_config: expected an object with 'class_name' and 'config'");
  const std::string cls = root->value("class_name", "Functional");
  const Json& config = root->at("config");
  if (!isModelClass(cls))
    throw Error("model class '" + cls + "' is not supported (Functional, Model or Sequential are)");
  if (cls != "Sequential" &&
      (!config.is_object() || !config.contains("layers") || !config["layers"].is_array()))
    throw Error("model_config field 'config.layers' is missing or not a list");
  refuseUnsupported(config, registry);
  std::vector<NodeGroup> annotated;  // written by graphToKerasJson for .graft projects
  if (config.is_object() && config.contains("graft_groups"))
    for (const auto& g : config["graft_groups"])
      annotated.push_back({g.at("path").get<std::string>(), g.at("class_name").get<std::string>()});
  Flattener flat(registry, keras3);
  auto outputs = flat.model(cls, config, "", {});
  const std::string fallback = cls == "Sequential" ? "sequential" : "model";
  Graph graph = flat.finish(config.is_object() ? config.value("name", fallback) : fallback,
                            cls == "Sequential" ? std::vector<std::string>{} : outputs, annotated);
  return readRandomCropsByVersion(graph, registry, versionOf(modelConfig, kerasVersion));
}

}  // namespace

Graph graphFromKerasJson(const Json& modelConfig, const LayerRegistry& registry,
                         const std::string& kerasVersion) {
  try {
    return graphFromCheckedKerasJson(modelConfig, registry, kerasVersion);
  } catch (const Json::exception& e) {
    // Wrong types outside a layer entry ("config": [], "name": 1): still a graft::Error.
    throw Error(std::string("model_config has a field of the wrong type (") + e.what() + ")");
  }
}

Graph graphFromKerasJsonText(const std::string& text, const LayerRegistry& registry,
                             const std::string& kerasVersion) {
  return graphFromKerasJson(parseBoundedJson(text, "model_config"), registry, kerasVersion);
}

namespace {

// The (class, name) of each layer entry of a model_config whose class `wanted` takes, nested
// models' included.
using LayerEntries = std::vector<std::pair<std::string, std::string>>;
void collectLayers(const Json& config, bool (*wanted)(const std::string&), LayerEntries& found,
                   size_t depth) {
  if (depth > static_cast<size_t>(limits::kMaxJsonDepth)) return;
  const Json* layers = config.is_array()                                 ? &config
                       : config.is_object() && config.contains("layers") ? &config["layers"]
                                                                         : nullptr;
  if (!layers || !layers->is_array()) return;
  for (const auto& layer : *layers) {
    if (!layer.is_object()) continue;
    const std::string cls = classNameOf(layer);
    if (isModelClass(cls) && layer.contains("config"))
      collectLayers(layer["config"], wanted, found, depth + 1);
    else if (wanted(cls))
      found.emplace_back(cls, entryName(layer));
  }
}

LayerEntries layersOfClass(const Json& modelConfig, bool (*wanted)(const std::string&)) {
  const Json* root = &modelConfig;
  if (root->is_object() && root->contains("modelTopology")) root = &root->at("modelTopology");
  if (root->is_object() && root->contains("model_config")) root = &root->at("model_config");
  LayerEntries found;
  if (root->is_array())
    collectLayers(*root, wanted, found, 0);
  else if (root->is_object() && root->contains("config"))
    collectLayers(root->at("config"), wanted, found, 0);
  return found;
}

}  // namespace

namespace {

// The first dtype policy name starting with "mixed_" in a layer config, nested models included.
std::string findMixedPolicy(const Json& value, size_t depth) {
  if (depth > static_cast<size_t>(limits::kMaxJsonDepth)) return "";
  if (value.is_object()) {
    if (value.contains("dtype") && value["dtype"].is_object()) {
      const Json& policy = value["dtype"];
      const Json config = policy.value("config", Json::object());
      const std::string name = config.is_object() ? config.value("name", std::string()) : "";
      if (name.rfind("mixed_", 0) == 0) return name;
    }
    if (value.contains("dtype") && value["dtype"].is_string() &&
        value["dtype"].get<std::string>().rfind("mixed_", 0) == 0)
      return value["dtype"].get<std::string>();
    for (const auto& item : value) {
      const std::string found = findMixedPolicy(item, depth + 1);
      if (!found.empty()) return found;
    }
  } else if (value.is_array()) {
    for (const auto& item : value) {
      const std::string found = findMixedPolicy(item, depth + 1);
      if (!found.empty()) return found;
    }
  }
  return "";
}

const Json* membersOf(const Json& config) {
  if (config.is_array()) return &config;
  if (config.is_object() && config.contains("layers") && config["layers"].is_array())
    return &config["layers"];
  return nullptr;
}

// A nested model the Flattener turns into no layer at all.
bool computesNothing(const Json& entry, size_t depth) {
  if (depth > static_cast<size_t>(limits::kMaxJsonDepth) || !entry.is_object() ||
      !entry.contains("config"))
    return false;
  const Json* members = membersOf(entry.at("config"));  // a pointer into the entry itself
  if (!members) return false;
  for (const auto& member : *members) {
    const std::string cls = classNameOf(member);
    if (cls == "InputLayer" || passesImagesUnchangedAtInference(cls)) continue;
    if (!isModelClass(cls) || !computesNothing(member, depth + 1)) return false;
  }
  return true;
}

// The members of `config` (a container at `group`) as the Flattener keeps them, and the nested
// models it leaves out, each placed before the next kept member.
void collectLeftOut(const Json& config, const std::string& group, size_t depth,
                    std::vector<LeftOutModel>& found) {
  const Json* members = membersOf(config);
  if (!members || depth > static_cast<size_t>(limits::kMaxJsonDepth)) return;
  std::vector<LeftOutModel> waiting;
  const auto kept = [&](const std::string& member) {
    for (auto& model : waiting) {
      model.before = member;
      found.push_back(model);
    }
    waiting.clear();
  };
  for (const auto& member : *members) {
    const std::string cls = classNameOf(member);
    const std::string name = entryName(member);
    if (isModelClass(cls)) {
      if (computesNothing(member, depth + 1)) {
        waiting.push_back({group, cls == "Model" ? "Functional" : cls, ""});
        continue;
      }
      const std::string path = group.empty() ? name : group + "/" + name;
      kept(path);
      if (member.contains("config")) collectLeftOut(member.at("config"), path, depth + 1, found);
    } else if (!passesImagesUnchangedAtInference(cls) && !(cls == "InputLayer" && !group.empty())) {
      kept(name);  // a nested model's InputLayer stands for the tensor it is called on
    }
  }
  found.insert(found.end(), waiting.begin(), waiting.end());
}

// Layer configs saying channels_first, and Permute layers, in a config, nested models included.
void countChannelsFirst(const Json& value, size_t depth, ChannelsFirstCount& count) {
  if (depth > static_cast<size_t>(limits::kMaxJsonDepth)) return;
  if (value.is_object()) {
    if (passesImagesUnchangedAtInference(classNameOf(value))) return;  // left out: unconverted
    if (value.value("data_format", Json()) == "channels_first") ++count.layers;
    if (value.value("class_name", Json()) == "Permute") ++count.permutes;
  }
  if (value.is_structured())
    for (const auto& item : value) countChannelsFirst(item, depth + 1, count);
}

}  // namespace

std::vector<LeftOutModel> nestedModelsLeftOut(const Json& modelConfig) {
  const Json* root = &modelConfig;
  if (root->is_object() && root->contains("modelTopology")) root = &root->at("modelTopology");
  if (root->is_object() && root->contains("model_config")) root = &root->at("model_config");
  std::vector<LeftOutModel> found;
  if (root->is_array())
    collectLeftOut(*root, "", 0, found);
  else if (root->is_object() && root->contains("config"))
    collectLeftOut(root->at("config"), "", 0, found);
  return found;
}

ChannelsFirstCount channelsFirstLayersOf(const Json& modelConfig) {
  ChannelsFirstCount count;
  countChannelsFirst(modelConfig, 0, count);
  return count;
}

std::string mixedPrecisionPolicyOf(const Json& modelConfig) {
  return findMixedPolicy(modelConfig, 0);
}

std::string namedInputsAndOutputsOf(const Json& modelConfig) {
  const Json* root = &modelConfig;
  if (root->is_object() && root->contains("model_config")) root = &root->at("model_config");
  if (!root->is_object() || !root->contains("config") || !root->at("config").is_object()) return "";
  const Json& config = root->at("config");
  std::string said;
  for (const auto& [field, what] : {std::pair<const char*, const char*>{"input_layers", "inputs"},
                                    {"output_layers", "outputs"}}) {
    const auto it = config.find(field);
    if (it == config.end() || !it->is_object() || it->empty()) continue;
    std::string keys;
    for (const auto& item : it->items()) keys += (keys.empty() ? "" : ", ") + item.key();
    said += (said.empty() ? "" : "; ") + std::string(what) + ": " + keys;
  }
  return said;
}

std::vector<std::string> randomCropsReadByVersion(const Json& modelConfig, const Graph& graph,
                                                  const std::string& kerasVersion) {
  const LayerEntries crops =
      layersOfClass(modelConfig, [](const std::string& cls) { return cls == "RandomCrop"; });
  const std::string version = versionOf(modelConfig, kerasVersion);
  const RandomCropRule rule = randomCropRule(version);
  const std::string keras = "Keras " + version;
  std::vector<std::string> notes;
  for (const auto& [cls, name] : crops) {
    const Node* node = graph.find(name);
    if (!node) continue;
    const std::string layer = "RandomCrop '" + name + "'";
    // By the file's version only: a Graft file keeps the reading it was saved with.
    if (node->className == "Resizing" && rule == RandomCropRule::SmartResize)
      notes.push_back(layer + " is read as Resizing(crop_to_aspect_ratio=True): outside training " +
                      keras +
                      " crops the image's centre to the layer's aspect ratio and resizes it");
    else if (node->className == "Cropping2D" && rule == RandomCropRule::CornerSlice)
      notes.push_back(layer + " is read as Cropping2D: outside training " + keras +
                      " slices height x width from the corner of the image's centred box of "
                      "that aspect ratio (a crop at this input size)");
    else if (node->className == "Resizing" && rule == RandomCropRule::CornerSlice)
      notes.push_back(layer + " is read as " +
                      (node->inputs.size() == 1 && node->inputs[0].rfind(name + "_slice", 0) == 0
                           ? "Cropping2D '" + node->inputs[0] + "' then Resizing"
                           : std::string("Resizing")) +
                      " (bilinear): outside training " + keras +
                      " slices height x width from the corner of the image's centred box of "
                      "that aspect ratio, which comes out shorter at this input size, and "
                      "stretches it to height x width");
    else if (node->className == "RandomCrop" && rule == RandomCropRule::Unchanged &&
             layers::randomCropKeepsImage(node->config))
      notes.push_back(layer + " passes images unchanged: outside training " + keras +
                      " does not crop, so the layers after it see the input's size (Keras's "
                      "summary says height x width)");
  }
  return notes;
}

std::vector<std::string> augmentationLayersLeftOut(const Json& modelConfig) {
  std::vector<std::string> found;
  for (const auto& [cls, name] : layersOfClass(modelConfig, isAugmentation))
    found.push_back(cls + " '" + name + "'");
  return found;
}

Json graphToKerasJson(const Graph& graph) {
  Json layers = Json::array();
  for (const auto& node : graph.nodes()) {
    Json config = {{"name", node.name}, {"trainable", node.trainable}};
    config.update(node.config);
    Json inbound = Json::array();
    if (node.className == "TFOpLambda") {  // Keras's form: the operands in the call's kwargs
      config.erase("operands");
      inbound = tfOpLambdaInboundNodes(node);
    } else if (!node.inputs.empty()) {
      Json call = Json::array();
      for (const auto& in : node.inputs) call.push_back({in, 0, 0, Json::object()});
      inbound.push_back(call);
    }
    Json entry = {{"class_name", node.className},
                  {"name", node.name},
                  {"config", config},
                  {"inbound_nodes", inbound}};
    if (!node.group.empty()) entry["graft_group"] = node.group;  // Keras ignores the key
    layers.push_back(std::move(entry));
  }
  Json inputs = Json::array(), outputs = Json::array();
  for (const auto& in : graph.inputs()) inputs.push_back({in, 0, 0});
  for (const auto& out : graph.outputs()) outputs.push_back({out, 0, 0});
  Json config = {{"name", graph.name()},
                 {"layers", layers},
                 {"input_layers", inputs},
                 {"output_layers", outputs}};
  if (!graph.groups().empty()) {
    Json groups = Json::array();
    for (const auto& g : graph.groups())
      groups.push_back({{"path", g.path}, {"class_name", g.className}});
    config["graft_groups"] = groups;
  }
  return {{"class_name", "Functional"}, {"config", config}};
}

}  // namespace graft
