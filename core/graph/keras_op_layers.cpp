#include "graph/keras_op_layers.h"

#include <map>
#include <vector>

namespace graft {
namespace {

const char* const kConstant = "_CONSTANT_VALUE";  // Keras's marker for a constant first argument

const std::vector<OpFunction>& opFunctions() {
  // Canonical TensorFlow names as TFOpLambda's config writes them (tf_export's), each computed
  // as TensorFlow does on float32: x + 3.0 adds float32(3.0).
  static const std::vector<OpFunction> functions = {
      {"__operators__.add", 2, "", "add"},  {"math.add", 2, "", "add"},
      {"math.subtract", 2, "", "subtract"}, {"math.multiply", 2, "", "multiply"},
      {"math.truediv", 2, "", "divide"},    {"math.divide", 2, "", "divide"},
      {"math.maximum", 2, "", "maximum"},   {"math.minimum", 2, "", "minimum"},
      {"nn.relu", 1, "relu", ""},           {"nn.relu6", 1, "relu6", ""},
      {"math.sigmoid", 1, "sigmoid", ""},   {"math.tanh", 1, "tanh", ""},
      {"nn.silu", 1, "swish", ""},          {"nn.swish", 1, "swish", ""}};
  return functions;
}

}  // namespace

std::string opFunctionList() {
  std::string list;
  for (const auto& f : opFunctions()) list += (list.empty() ? "tf." : ", tf.") + f.name;
  return list;
}

namespace {

std::string layerName(const Json& layer) {
  if (layer.contains("name") && layer["name"].is_string()) return layer["name"].get<std::string>();
  const Json config = layer.value("config", Json::object());
  return config.is_object() ? config.value("name", std::string()) : std::string();
}

// [layer, node_index, tensor_index] (a 4th entry allowed): a tensor reference.
bool isTensorRef(const Json& v) {
  return v.is_array() && (v.size() == 3 || v.size() == 4) && v[0].is_string() &&
         v[1].is_number_integer() && v[2].is_number_integer();
}

struct ParsedOp {
  std::string reason;  // why Graft cannot run it; empty when parsed
  const OpFunction* function = nullptr;
  Json operands = Json::array();
  Json refs = Json::array();  // the input tensors' references, in operand order
};

ParsedOp parseTfOpLambda(const Json& layer) {
  ParsedOp p;
  const Json config = layer.value("config", Json::object());
  const Json function = config.is_object() ? config.value("function", Json()) : Json();
  if (!function.is_string()) {
    p.reason = "TFOpLambda without a 'function' name";
    return p;
  }
  const std::string name = function.get<std::string>();
  p.function = findOpFunction(name);
  if (!p.function) {
    p.reason = "TFOpLambda tf." + name;
    return p;
  }
  const Json calls = layer.value("inbound_nodes", Json::array());
  if (!calls.is_array() || calls.size() != 1) {
    p.reason = "TFOpLambda tf." + name + " called " +
               std::to_string(calls.is_array() ? calls.size() : 0) + " times";
    return p;
  }
  Json call = calls[0];
  // Keras writes the reference itself; a list holding one reference is read the same.
  if (call.is_array() && call.size() == 1 && call[0].is_array()) call = call[0];
  if (call.is_object()) {
    p.reason = "TFOpLambda tf." + name + " in Keras 3's call format";
    return p;
  }
  if (!call.is_array() || call.size() < 3 || !call[0].is_string()) {
    p.reason = "TFOpLambda tf." + name + " whose first argument is not a tensor or a number";
    return p;
  }
  auto addOperand = [&](const Json& v) {
    if (isTensorRef(v)) {
      p.operands.push_back(nullptr);
      p.refs.push_back(Json::array({v[0], v[1], v[2], Json::object()}));
    } else {
      p.operands.push_back(v);
    }
  };
  if (call[0] == kConstant)
    p.operands.push_back(call[2]);
  else
    addOperand(call);
  const Json kwargs = call.size() > 3 ? call[3] : Json::object();
  if (!kwargs.is_object()) {
    p.reason = "TFOpLambda tf." + name + " with arguments " + kwargs.dump().substr(0, 80);
    return p;
  }
  for (auto it = kwargs.begin(); it != kwargs.end(); ++it) {
    const std::string& key = it.key();
    if (key == "name") continue;
    if (p.function->arity == 2 && key == "y") continue;
    if (key == "beta" && p.function->activation == "swish" && it.value() == 1.0) continue;
    p.reason = "TFOpLambda tf." + name + " with argument '" + key + "'";
    return p;
  }
  if (p.function->arity == 2) {
    if (!kwargs.contains("y")) {
      p.reason = "TFOpLambda tf." + name + " without its second operand 'y'";
      return p;
    }
    addOperand(kwargs["y"]);
  }
  for (const auto& o : p.operands)
    if (!o.is_null() && !o.is_number() && !o.is_array()) {
      p.reason = "TFOpLambda tf." + name + " with operand " + o.dump().substr(0, 80);
      return p;
    }
  if (p.refs.empty()) p.reason = "TFOpLambda tf." + name + " on constants only";
  return p;
}

// Keras 3 records an operation on symbolic tensors (keras.ops.add(x, 3.0), or `x + 3.0`) as the
// operation's class from keras.src.ops ({"module": "keras.src.ops.numpy", "class_name": "Add"})
// with its arguments in the node's "args". The ones TFOpLambda computes, by their TF name.
const std::map<std::string, std::string>& keras3Ops() {
  static const std::map<std::string, std::string> ops = {{"Add", "math.add"},
                                                         {"Subtract", "math.subtract"},
                                                         {"Multiply", "math.multiply"},
                                                         {"Divide", "math.truediv"},
                                                         {"TrueDivide", "math.truediv"},
                                                         {"Maximum", "math.maximum"},
                                                         {"Minimum", "math.minimum"},
                                                         {"Relu", "nn.relu"},
                                                         {"Relu6", "nn.relu6"},
                                                         {"Sigmoid", "math.sigmoid"},
                                                         {"Tanh", "math.tanh"},
                                                         {"Silu", "nn.silu"}};
  return ops;
}

}  // namespace

Keras3Operation keras3OperationFor(const std::string& function) {
  const OpFunction* wanted = findOpFunction(function);
  if (!wanted) return {};
  for (const auto& [cls, tfName] : keras3Ops()) {
    const OpFunction* f = findOpFunction(tfName);
    if (f->operation != wanted->operation || f->activation != wanted->activation) continue;
    // keras.ops' activations live in ops/nn.py; tanh and the arithmetic in ops/numpy.py.
    const bool nn = cls == "Relu" || cls == "Relu6" || cls == "Sigmoid" || cls == "Silu";
    return {nn ? "keras.src.ops.nn" : "keras.src.ops.numpy", cls};
  }
  return {};
}

namespace {

bool isKeras3Op(const Json& layer) {
  const Json module = layer.value("module", Json());
  return module.is_string() && module.get<std::string>().rfind("keras.src.ops.", 0) == 0;
}

ParsedOp parseKeras3Op(const Json& layer) {
  ParsedOp p;
  const std::string cls = layer.value("class_name", "");
  const std::string what = "Keras 3 operation " + cls;
  const auto it = keras3Ops().find(cls);
  if (it == keras3Ops().end()) {
    p.reason = what;
    return p;
  }
  p.function = findOpFunction(it->second);
  const Json calls = layer.value("inbound_nodes", Json::array());
  if (!calls.is_array() || calls.size() != 1 || !calls[0].is_object()) {
    p.reason = what + " not called once in Keras 3's form";
    return p;
  }
  const Json args = calls[0].value("args", Json::array());
  const Json kwargs = calls[0].value("kwargs", Json::object());
  if (!args.is_array() || static_cast<int>(args.size()) != p.function->arity ||
      !kwargs.is_object() || !kwargs.empty()) {
    p.reason = what + " with arguments " + calls[0].dump().substr(0, 80);
    return p;
  }
  for (const auto& a : args) {
    if (a.is_object() && a.value("class_name", "") == "__keras_tensor__") {
      const Json history = a.value("config", Json::object()).value("keras_history", Json());
      if (!isTensorRef(history)) {
        p.reason = what + " on a tensor without its history";
        return p;
      }
      p.operands.push_back(nullptr);
      p.refs.push_back(Json::array({history[0], history[1], history[2], Json::object()}));
    } else if (a.is_number() || a.is_array()) {
      p.operands.push_back(a);
    } else {
      p.reason = what + " with operand " + a.dump().substr(0, 80);
      return p;
    }
  }
  if (p.refs.empty()) p.reason = what + " on constants only";
  return p;
}

// Tensors a call passes: Keras 1/2 references in a list, Keras 3 __keras_tensor__ objects.
size_t countTensors(const Json& value) {
  if (value.is_object()) {
    if (value.value("class_name", "") == "__keras_tensor__") return 1;
    size_t n = 0;
    for (const auto& item : value) n += countTensors(item);
    return n;
  }
  if (value.is_array()) {
    if (isTensorRef(value)) return 1;
    size_t n = 0;
    for (const auto& item : value) n += countTensors(item);
    return n;
  }
  return 0;
}

// Keras <= 2.12's InceptionResNetV2 block: Lambda(lambda inputs, scale: inputs[0] +
// inputs[1] * scale, arguments={"scale": s}) called once on two tensors.
bool isScaleLambda(const Json& layer) {
  const Json config = layer.value("config", Json::object());
  if (!config.is_object()) return false;
  const Json arguments = config.value("arguments", Json());
  if (!arguments.is_object() || arguments.size() != 1 || !arguments.contains("scale") ||
      !arguments["scale"].is_number())
    return false;
  const Json calls = layer.value("inbound_nodes", Json::array());
  return calls.is_array() && calls.size() == 1 && countTensors(calls[0]) == 2;
}

}  // namespace

const OpFunction* findOpFunction(const std::string& name) {
  for (const auto& f : opFunctions())
    if (f.name == name) return &f;
  return nullptr;
}

std::string keras3OpList() {
  std::string list;
  for (const auto& [cls, function] : keras3Ops()) list += (list.empty() ? "" : ", ") + cls;
  return list;
}

bool isOpLayer(const Json& layer) {
  const std::string cls = layer.value("class_name", "");
  return cls == "TFOpLambda" || cls == "Lambda" || isKeras3Op(layer);
}

std::string unsupportedOpLayer(const Json& layer) {
  const std::string cls = layer.value("class_name", "");
  if (isKeras3Op(layer)) return parseKeras3Op(layer).reason;
  if (cls == "TFOpLambda") return parseTfOpLambda(layer).reason;
  if (cls == "Lambda" && !isScaleLambda(layer)) return "Lambda";
  return "";
}

Json rewriteOpLayer(const Json& layer) {
  const std::string cls = layer.value("class_name", "");
  if (!isOpLayer(layer)) return layer;
  const std::string name = layerName(layer);
  const Json config = layer.value("config", Json::object());
  if (cls == "Lambda") {
    if (!isScaleLambda(layer))
      throw Error(Diagnostic{name,
                             "is a Lambda layer (Python code Graft cannot run); Graft reads only "
                             "InceptionResNetV2's residual scaling, a Lambda on two tensors with "
                             "arguments {\"scale\": s}"});
    Json result = layer;
    result["class_name"] = "CustomScaleLayer";
    result["config"] = {{"name", name},
                        {"trainable", config.value("trainable", true)},
                        {"scale", config["arguments"]["scale"]}};
    return result;
  }
  const ParsedOp p = isKeras3Op(layer) ? parseKeras3Op(layer) : parseTfOpLambda(layer);
  if (!p.reason.empty())
    throw Error(Diagnostic{name, "is a " + p.reason + ", which Graft cannot run (it computes " +
                                     opFunctionList() + " on tensors and constants)"});
  Json result = layer;
  result["class_name"] = "TFOpLambda";
  result.erase("module");
  result.erase("registered_name");
  result["config"] = {{"name", name},
                      {"trainable", config.value("trainable", true)},
                      {"function", p.function->name},
                      {"operands", p.operands}};
  result["inbound_nodes"] = Json::array({p.refs});
  return result;
}

Json tfOpLambdaInboundNodes(const Node& node) {
  const Json& operands = node.config.at("operands");
  size_t next = 0;
  auto operand = [&](const Json& o) -> Json {
    if (!o.is_null()) return o;
    return Json::array({node.inputs.at(next++), 0, 0});
  };
  Json kwargs = Json::object();
  Json first = operands.at(0).is_null() ? operand(nullptr) : Json();
  if (operands.size() > 1) kwargs["y"] = operand(operands[1]);
  kwargs["name"] = nullptr;
  Json ref = first.is_null() ? Json::array({kConstant, -1, operands.at(0), kwargs})
                             : Json::array({first[0], 0, 0, kwargs});
  return Json::array({ref});
}

}  // namespace graft
