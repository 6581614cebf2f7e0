#include "io/keras3_config_writer.h"
#include "graph/keras_op_layers.h"

#include <map>
#include <set>

namespace graft {
namespace {

// What Keras 3.13's get_config() returns for one layer class after the base keys (name,
// trainable, dtype), in its order, and how the layer is called. Ported from keras/src/layers.
struct Keras3Class {
  std::vector<std::string> keys;
  bool build = false;      // defines build(): the object gets build_config {"input_shape"}
  bool maskKwarg = false;  // call() takes `mask`: the node's kwargs are {"mask": null}
  bool merge = false;      // called on a list of tensors: args [[a, b]]
  std::string module = "keras.layers";  // where Keras 3 finds a class it does not export
  Json registeredName = nullptr;
};

std::vector<std::string> withPrefixes(std::vector<std::string> keys,
                                      const std::vector<std::string>& prefixes) {
  for (const char* what : {"_initializer", "_regularizer", "_constraint"})
    for (const auto& p : prefixes) keys.push_back(p + what);
  return keys;
}

const std::map<std::string, Keras3Class>& keras3Classes() {
  static const std::map<std::string, Keras3Class> classes = [] {
    std::map<std::string, Keras3Class> c;
    const std::vector<std::string> conv = {"strides",       "padding",    "data_format",
                                           "dilation_rate", "activation", "use_bias"};
    auto convKeys = [&](std::vector<std::string> head, std::vector<std::string> tail) {
      head.insert(head.end(), conv.begin(), conv.end());
      head.insert(head.end(), tail.begin(), tail.end());
      return head;
    };
    c["Conv2D"] = {convKeys({"filters", "kernel_size"}, {}), true};
    c["Conv2D"].keys.insert(c["Conv2D"].keys.begin() + 6, "groups");  // after dilation_rate
    for (const char* k :
         {"kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
          "activity_regularizer", "kernel_constraint", "bias_constraint"})
      c["Conv2D"].keys.push_back(k);
    c["DepthwiseConv2D"] = {
        convKeys({"depth_multiplier", "kernel_size"},
                 {"depthwise_initializer", "bias_initializer", "depthwise_regularizer",
                  "bias_regularizer", "activity_regularizer", "depthwise_constraint",
                  "bias_constraint"}),
        true};
    c["SeparableConv2D"] = {
        convKeys({"depth_multiplier", "filters", "kernel_size"},
                 {"depthwise_initializer", "pointwise_initializer", "bias_initializer",
                  "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
                  "activity_regularizer", "depthwise_constraint", "pointwise_constraint",
                  "bias_constraint"}),
        true};
    c["Dense"] = {{"units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
                   "kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint",
                   "quantization_config"},
                  true};
    c["BatchNormalization"] = {
        {"axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
         "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
         "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized"},
        true,
        true};
    c["LayerNormalization"] = {{"axis", "epsilon", "center", "scale", "rms_scaling",
                                "beta_initializer", "gamma_initializer", "beta_regularizer",
                                "gamma_regularizer", "beta_constraint", "gamma_constraint"},
                               true};
    c["PReLU"] = {withPrefixes({}, {"alpha"}), true};
    c["PReLU"].keys.push_back("shared_axes");
    for (const char* merge : {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"})
      c[merge] = {{}, true, false, true};
    c["Concatenate"] = {{"axis"}, true, false, true};
    c["Dropout"] = {{"rate", "seed", "noise_shape"}};
    c["SpatialDropout2D"] = {{"data_format"}};  // its base keys differ: see baseConfig
    c["GaussianNoise"] = {{"stddev", "seed"}};
    c["GaussianDropout"] = {{"rate", "seed"}};
    c["Rescaling"] = {{"scale", "offset"}};
    c["Activation"] = {{"activation"}};
    c["ReLU"] = {{"max_value", "negative_slope", "threshold"}};
    c["LeakyReLU"] = {{"negative_slope"}};
    c["ELU"] = {{}};  // Keras 3's ELU has no get_config: its alpha is not saved (see below)
    c["Softmax"] = {{"axis"}, false, true};
    for (const char* pool : {"MaxPooling2D", "AveragePooling2D"})
      c[pool] = {{"pool_size", "padding", "strides", "data_format"}};
    for (const char* pool : {"GlobalAveragePooling2D", "GlobalMaxPooling2D"})
      c[pool] = {{"data_format", "keepdims"}};
    c["ZeroPadding2D"] = {{"padding", "data_format"}};
    c["Cropping2D"] = {{"cropping", "data_format"}};
    c["UpSampling2D"] = {{"size", "data_format", "interpolation"}};
    c["Resizing"] = {{"height", "width", "interpolation", "crop_to_aspect_ratio",
                      "pad_to_aspect_ratio", "fill_mode", "fill_value", "antialias",
                      "data_format"}};
    c["CenterCrop"] = {{"height", "width", "data_format"}};
    c["RandomCrop"] = {{"height", "width", "seed", "data_format"}};
    c["AutoContrast"] = {{"value_range"}};
    c["Permute"] = {{"dims"}};
    c["Flatten"] = {{"data_format"}};
    c["Reshape"] = {{"target_shape"}};
    // Keras 3's BaseConvTranspose.get_config leaves output_padding out (layerConfig adds it
    // back when set: __init__ takes it).
    c["Conv2DTranspose"] = {
        {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
         "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
         "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"},
        true};
    c["Normalization"] = {{"axis", "invert", "mean", "variance"}, true};
    c["RepeatVector"] = {{"n"}};
    // keras.applications.inception_resnet_v2's own class, found by its module.
    c["CustomScaleLayer"] = {
        {"scale"},         false, false, true, "keras.src.applications.inception_resnet_v2",
        "CustomScaleLayer"};
    // keras.applications.convnext's own classes: LayerScale defines build() (its gamma);
    // both are found by their module (Keras 3 writes the class name as registered_name).
    for (const char* cls : {"LayerScale", "StochasticDepth"}) {
      c[cls].module = "keras.src.applications.convnext";
      c[cls].registeredName = cls;
    }
    c["LayerScale"].keys = {"init_values", "projection_dim"};
    c["LayerScale"].build = true;
    c["StochasticDepth"].keys = {"drop_path_rate"};
    return c;
  }();
  return classes;
}

// Keras 3's defaults for keys Graft's registry does not keep (newer than Keras 2).
const std::map<std::string, Json>& newerKeyDefaults() {
  static const std::map<std::string, Json> defaults = {{"quantization_config", nullptr},
                                                       {"synchronized", false},
                                                       {"rms_scaling", false},
                                                       {"keepdims", false},
                                                       {"groups", 1},
                                                       {"seed", nullptr},
                                                       // Resizing and CenterCrop
                                                       {"pad_to_aspect_ratio", false},
                                                       {"fill_mode", "constant"},
                                                       {"fill_value", 0.0},
                                                       {"antialias", false},
                                                       {"data_format", "channels_last"}};
  return defaults;
}

Json dtypePolicy() {
  return {{"module", "keras"},
          {"class_name", "DTypePolicy"},
          {"config", {{"name", "float32"}}},
          {"registered_name", nullptr}};
}

// Initializers, regularizers and constraints as Keras 3 serializes them: Keras 2's
// {"class_name", "config"} gains "module" and "registered_name".
Json keras3Object(const Json& value, const std::string& key) {
  if (!value.is_object() || !value.contains("class_name") || value.contains("module")) return value;
  std::string module = "keras.initializers";
  if (key.size() > 12 && key.compare(key.size() - 12, 12, "_regularizer") == 0)
    module = "keras.regularizers";
  if (key.size() > 11 && key.compare(key.size() - 11, 11, "_constraint") == 0)
    module = "keras.constraints";
  return {{"module", module},
          {"class_name", value["class_name"]},
          {"config", value.value("config", Json::object())},
          {"registered_name", nullptr}};
}

Json shapeJson(const Shape& shape) {
  Json out = Json::array();
  for (int64_t d : shape) out.push_back(d == kUnknown ? Json(nullptr) : Json(d));
  return out;
}

const Shape& outputShape(const GraphAnalysis& analysis, const std::string& layer) {
  const NodeInfo* info = analysis.find(layer);
  if (!info) throw Error(Diagnostic{layer, "has no known output shape; cannot save it as .keras"});
  return info->outputShape;
}

// The value Keras 3 keeps under `key`, from Graft's normalized config.
Json keras3Value(const Node& node, const std::string& key) {
  const Json& config = node.config;
  // Keras 3's "hard_sigmoid" is what Graft's graphs call hard_sigmoid_keras3.
  if (key == "activation" && config.value("activation", Json()) == "hard_sigmoid_keras3")
    return "hard_sigmoid";
  // Normalization keeps its axes as a tuple: [-1], or [] for None.
  if (node.className == "Normalization" && key == "axis") {
    const Json& axis = config.at("axis");
    return axis.is_null() ? Json::array() : axis.is_array() ? axis : Json::array({axis});
  }
  if (node.className == "LeakyReLU" && key == "negative_slope")
    return config.value("alpha", Json(0.3));
  if (key == "strides" && config.contains("pool_size") && config["strides"].is_null())
    return config["pool_size"];  // Keras 3 pooling keeps the resolved strides
  if (config.contains(key)) return keras3Object(config[key], key);
  if (auto it = newerKeyDefaults().find(key); it != newerKeyDefaults().end()) return it->second;
  throw Error(Diagnostic{node.name, "has no config field '" + key + "' to save as Keras 3 " +
                                        node.className + " (a damaged or foreign config)"});
}

Json inputLayerConfig(const Node& node) {
  return {{"batch_shape", node.config.at("batch_input_shape")},
          {"dtype", node.config.value("dtype", Json("float32"))},
          {"sparse", node.config.value("sparse", false)},
          {"ragged", node.config.value("ragged", false)},
          {"name", node.name},
          {"optional", false}};
}

Json layerConfig(const Node& node, const Keras3Class& cls) {
  Json config = Json::object();
  if (node.className == "SpatialDropout2D") {
    // Keras 3's BaseSpatialDropout.get_config does not call its parent: no trainable, and the
    // dtype is the plain name.
    config = {{"rate", keras3Value(node, "rate")},
              {"seed", keras3Value(node, "seed")},
              {"name", node.name},
              {"dtype", "float32"}};
  } else {
    config = {{"name", node.name}, {"trainable", node.trainable}, {"dtype", dtypePolicy()}};
    // Layer.get_config adds activity_regularizer when it is set, unless the class lists it.
    const Json& activity = node.config.value("activity_regularizer", Json());
    bool listed = false;
    for (const auto& k : cls.keys) listed = listed || k == "activity_regularizer";
    if (!activity.is_null() && !listed)
      config["activity_regularizer"] = keras3Object(activity, "activity_regularizer");
  }
  for (const auto& key : cls.keys) config[key] = keras3Value(node, key);
  // Keras 3's ELU saves no alpha (it has no get_config); its __init__ takes one, so a
  // non-default alpha is written to keep the numbers.
  if (node.className == "ELU" && node.config.value("alpha", 1.0) != 1.0)
    config["alpha"] = node.config["alpha"];
  if (node.className == "Conv2DTranspose" &&
      !node.config.value("output_padding", Json()).is_null()) {
    const Json& p = node.config["output_padding"];
    config["output_padding"] = p.is_array() ? p : Json::array({p, p});
  }
  return config;
}

Json kerasTensor(const GraphAnalysis& analysis, const std::string& producer) {
  return {{"class_name", "__keras_tensor__"},
          {"config",
           {{"shape", shapeJson(outputShape(analysis, producer))},
            {"dtype", "float32"},
            {"keras_history", {producer, 0, 0}}}}};
}

// A TFOpLambda as the Keras 3 operation computing it ({"module": "keras.src.ops.numpy",
// "class_name": "Add"}, as Keras 3 records `x + 3.0`): its operands in the node's "args", each
// input tensor where the config's operands hold null, the constants as they are.
Json operationJson(const Node& node, const GraphAnalysis& analysis) {
  const std::string function = node.config.at("function").get<std::string>();
  const Keras3Operation op = keras3OperationFor(function);
  Json args = Json::array();
  size_t tensor = 0;
  for (const auto& operand : node.config.at("operands"))
    args.push_back(operand.is_null() ? kerasTensor(analysis, node.inputs.at(tensor++)) : operand);
  return {{"module", op.module},
          {"class_name", op.className},
          {"config", {{"name", node.name}}},
          {"registered_name", op.className},
          {"name", node.name},
          {"inbound_nodes", Json::array({{{"args", args}, {"kwargs", Json::object()}}})}};
}

// One layer as serialize_keras_object writes it; `functional` adds name and inbound_nodes.
Json layerJson(const Node& node, const GraphAnalysis& analysis, bool functional) {
  Json entry;
  if (node.className == "TFOpLambda" && functional) return operationJson(node, analysis);
  if (node.className == "InputLayer") {
    entry = {{"module", "keras.layers"},
             {"class_name", "InputLayer"},
             {"config", inputLayerConfig(node)},
             {"registered_name", nullptr}};
  } else {
    const auto it = keras3Classes().find(node.className);
    if (it == keras3Classes().end())
      throw Error(Diagnostic{
          node.name, "layer type " + node.className + " has no Keras 3 serialization in Graft"});
    const Keras3Class& cls = it->second;
    entry = {{"module", cls.module},
             {"class_name", node.className},
             {"config", layerConfig(node, cls)},
             {"registered_name", cls.registeredName}};
    if (cls.build) {
      Json shapes = Json::array();
      for (const auto& in : node.inputs) shapes.push_back(shapeJson(outputShape(analysis, in)));
      entry["build_config"] = {{"input_shape", cls.merge ? shapes : shapes.at(0)}};
    }
    if (functional) {
      Json tensors = Json::array();
      for (const auto& in : node.inputs) tensors.push_back(kerasTensor(analysis, in));
      Json kwargs = Json::object();
      if (cls.maskKwarg) kwargs["mask"] = nullptr;
      entry["name"] = node.name;
      entry["inbound_nodes"] = Json::array(
          {{{"args", cls.merge ? Json::array({tensors}) : tensors}, {"kwargs", kwargs}}});
      return entry;
    }
  }
  if (functional) {
    entry["name"] = node.name;
    entry["inbound_nodes"] = Json::array();
  }
  return entry;
}

// Keras 3 writes one tensor as ["x", 0, 0] and several as a list of those.
Json tensorRefs(const std::vector<std::string>& layers) {
  if (layers.size() == 1) return Json::array({layers[0], 0, 0});
  Json refs = Json::array();
  for (const auto& l : layers) refs.push_back({l, 0, 0});
  return refs;
}

}  // namespace

Diagnostics keras3Refusals(const Graph& graph) {
  Diagnostics refused;
  for (const auto& node : graph.nodes()) {
    // tf.keras 2 allowed them (MobilenetV1/Conv2d_0); Keras 3's Operation refuses the name when
    // it builds the layer, so load_model would fail on the file.
    if (node.name.find('/') != std::string::npos) {
      refused.push_back({node.name,
                         "Keras 3 refuses layer names with '/', so it could not load the .keras "
                         "file; rename the layer first (the recipe operation rename, or F2 in "
                         "the window)"});
      continue;
    }
    if (node.className == "TFOpLambda") {
      const std::string function = node.config.value("function", "");
      if (keras3OperationFor(function).className.empty())
        refused.push_back({node.name, "TFOpLambda tf." + function +
                                          " has no Keras 3 operation in Graft (" + keras3OpList() +
                                          "), so it cannot be saved as a Keras 3 .keras file"});
    } else if (node.className != "InputLayer" && !keras3Classes().count(node.className))
      refused.push_back({node.name, "layer type " + node.className +
                                        " cannot be saved as a Keras 3 .keras file by Graft"});
    else if (node.config.value("activation", Json()) == "hard_sigmoid")
      refused.push_back({node.name,
                         "activation hard_sigmoid is Keras 2's clip(0.2 x + 0.5, 0, 1); "
                         "Keras 3's hard_sigmoid is relu6(x + 3) / 6 and no Keras 3 "
                         "activation computes Keras 2's, so it cannot be saved as a "
                         "Keras 3 .keras file"});
  }
  return refused;
}

bool keras3SavesAsSequential(const Graph& graph) {
  if (graph.name().rfind("sequential", 0) != 0 || graph.inputs().size() != 1) return false;
  // An operation on tensors (a TFOpLambda, written as a Keras 3 operation) needs a functional.
  for (const auto& node : graph.nodes())
    if (node.className == "TFOpLambda") return false;
  // Each top-level member: a top-level layer, or the outermost nested model holding a layer.
  auto memberOf = [](const Node& node) {
    return node.group.empty() ? "layer:" + node.name
                              : "group:" + node.group.substr(0, node.group.find('/'));
  };
  std::map<std::string, std::string> member;
  for (const auto& node : graph.nodes()) member[node.name] = memberOf(node);
  std::vector<std::string> order;  // members in the order their first layer appears
  for (const auto& node : graph.nodes())
    if (order.empty() || order.back() != member[node.name]) order.push_back(member[node.name]);
  if (std::set<std::string>(order.begin(), order.end()).size() != order.size()) return false;
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  for (const auto& node : graph.nodes()) {
    const size_t here = position[member[node.name]];
    for (const auto& in : node.inputs) {
      const size_t from = position[member.at(in)];
      if (from != here && from + 1 != here) return false;
    }
  }
  return graph.nodes().front().className == "InputLayer" && graph.outputs().size() == 1;
}

Json keras3ModelJson(const Graph& graph, const GraphAnalysis& analysis) {
  if (keras3SavesAsSequential(graph)) {
    Json layers = Json::array();
    for (const auto& node : graph.nodes()) layers.push_back(layerJson(node, analysis, false));
    const Json inputShape = shapeJson(outputShape(analysis, graph.inputs().front()));
    return {{"module", "keras"},
            {"class_name", "Sequential"},
            {"config",
             {{"name", graph.name()},
              {"trainable", true},
              {"dtype", dtypePolicy()},
              {"layers", layers},
              {"build_input_shape", inputShape}}},
            {"registered_name", nullptr},
            {"build_config", {{"input_shape", inputShape}}}};
  }
  Json layers = Json::array();
  for (const auto& node : graph.nodes()) layers.push_back(layerJson(node, analysis, true));
  return {{"module", "keras.src.models.functional"},
          {"class_name", "Functional"},
          {"config",
           {{"name", graph.name()},
            {"trainable", true},
            {"layers", layers},
            {"input_layers", tensorRefs(graph.inputs())},
            {"output_layers", tensorRefs(graph.outputs())}}},
          {"registered_name", "Functional"},
          {"build_config", {{"input_shape", nullptr}}}};
}

}  // namespace graft
