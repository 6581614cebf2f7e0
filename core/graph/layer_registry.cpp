#include "graph/layer_registry.h"

#include "graph/auto_contrast.h"
#include "graph/layer_helpers.h"

namespace graft {

std::string categoryName(LayerCategory category) {
  switch (category) {
    case LayerCategory::Input:
      return "input";
    case LayerCategory::Convolution:
      return "convolution";
    case LayerCategory::Pooling:
      return "pooling";
    case LayerCategory::Dense:
      return "dense";
    case LayerCategory::Normalization:
      return "normalization";
    case LayerCategory::Activation:
      return "activation";
    case LayerCategory::Merge:
      return "merge";
    case LayerCategory::Reshape:
      return "reshape";
    case LayerCategory::Regularization:
      return "regularization";
    case LayerCategory::Preprocessing:
      return "preprocessing";
  }
  return "other";
}

const LayerRegistry& LayerRegistry::standard() {
  // Immutable after construction (thread-safe static init): a table, not global state.
  static const LayerRegistry registry = [] {
    LayerRegistry r;
    layers::registerInputLayers(r);
    layers::registerConvolutionLayers(r);
    layers::registerPoolingLayers(r);
    layers::registerCoreLayers(r);
    layers::registerNormalizationLayers(r);
    layers::registerActivationLayers(r);
    layers::registerMergeLayers(r);
    layers::registerReshapingLayers(r);
    layers::registerImageResizeLayers(r);
    layers::registerAutoContrastLayer(r);
    layers::registerRegularizationLayers(r);
    layers::registerOpLayers(r);
    return r;
  }();
  return registry;
}

void LayerRegistry::add(LayerType type) {
  std::string name = type.className;
  types_[name] = std::move(type);
}

const LayerType* LayerRegistry::find(const std::string& className) const {
  auto it = types_.find(className);
  return it == types_.end() ? nullptr : &it->second;
}

const LayerType& LayerRegistry::at(const std::string& className) const {
  if (const LayerType* t = find(className)) return *t;
  std::string known;
  for (const auto& [name, type] : types_) known += (known.empty() ? "" : ", ") + name;
  throw Error("unsupported layer type '" + className + "' (Graft knows: " + known + ")");
}

std::vector<std::string> LayerRegistry::classNames() const {
  std::vector<std::string> names;
  for (const auto& [name, type] : types_) names.push_back(name);
  return names;
}

Json LayerRegistry::normalizeConfig(const std::string& className, const Json& config) const {
  const LayerType& type = at(className);
  if (!config.is_object() && !config.is_null())  // null: `{}` in C++ initializer lists
    throw Error(className + " config must be a JSON object, got " + config.dump());
  Json given = config.is_null() ? Json::object() : config;
  for (const auto& [alias, key] : type.aliases) {
    if (given.contains(alias) && !given.contains(key)) given[key] = given[alias];
    if (given.contains(alias) && alias != key) given.erase(alias);
  }
  Json result = type.defaults;
  for (auto it = given.begin(); it != given.end(); ++it) {
    if (it.key() == "name" || it.key() == "trainable") continue;
    // Keras 3 writes a NumPy array as {"class_name": "__numpy__", "config": {"value": [...]}}
    // (Rescaling(scale=np.array([...]))): the list is the value.
    const Json& v = it.value();
    if (v.is_object() && v.value("class_name", Json()) == "__numpy__" && v.contains("config") &&
        v["config"].is_object() && v["config"].contains("value"))
      result[it.key()] = v["config"]["value"];
    else
      result[it.key()] = v;
  }
  for (auto it = type.defaults.begin(); it != type.defaults.end(); ++it) {
    const Json& d = it.value();
    Json& v = result[it.key()];
    bool pairDefault = d.is_array() && d.size() == 2 && d[0].is_number_integer();
    if (pairDefault && v.is_number_integer()) v = Json::array({v, v});
    if (pairDefault && !v.is_array())
      throw Error(className + " config field '" + it.key() +
                  "' must be an integer or a pair of integers, got " + v.dump());
  }
  if (result.contains("data_format")) {
    Json& f = result["data_format"];
    if (f.is_null() || f == "tf") f = "channels_last";
    if (f != "channels_last")
      throw Error(className + " config field 'data_format' is " + f.dump() +
                  "; Graft's layers compute only channels_last (NHWC): a channels_first Keras "
                  "model is converted when it is opened");
  }
  if (result.contains("padding") && result["padding"].is_string()) {
    std::string p = result["padding"].get<std::string>();
    if (p != "same" && p != "valid")
      throw Error(className + " config field 'padding' must be \"same\" or \"valid\", got \"" + p +
                  "\"");
  }
  return result;
}

}  // namespace graft
