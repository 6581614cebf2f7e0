#include "graph/surgery/ops.h"

#include <set>

#include "graph/layer_registry.h"

namespace graft::ops {
namespace {

Json names(const std::vector<std::string>& list) {
  Json a = Json::array();
  for (const auto& n : list) a.push_back(n);
  return a;
}

Json selection(const char* op, const Selection& which) {
  Json j = {{"op", op}};
  if (!which.layers.empty()) j["layers"] = names(which.layers);
  if (!which.upto.empty()) j["upto"] = which.upto;
  if (!which.from.empty()) j["from"] = which.from;
  if (!which.types.empty()) j["types"] = names(which.types);
  return j;
}

}  // namespace

Json layer(const std::string& className, const std::string& name, Json config) {
  if (config.is_null()) config = Json::object();
  if (!name.empty()) config["name"] = name;
  return {{"class_name", className}, {"config", std::move(config)}};
}

Json layerLike(const std::string& className, const std::string& name, const Node& replaced) {
  Json config = Json::object();
  const LayerRegistry& registry = LayerRegistry::standard();
  const LayerType* type = registry.find(className);
  if (!type || !replaced.config.is_object()) return layer(className, name, std::move(config));
  // Keras's own spellings of the replaced layer's settings (Keras 3's negative_slope, Keras 1's
  // nb_filter) under today's keys.
  Json from = replaced.config;
  try {
    from = registry.normalizeConfig(replaced.className, replaced.config);
  } catch (const Error&) {
    // A config the registry cannot read is taken as written.
  }
  // Identity and input settings stay the new layer's own; an activation's "alpha" means another
  // thing in another class (ELU's scale, LeakyReLU's slope).
  static const std::set<std::string> kOwn = {
      "name", "trainable", "dtype", "batch_input_shape", "batch_shape", "input_shape"};
  for (const auto& item : type->defaults.items()) {
    const std::string& key = item.key();
    if (kOwn.count(key) || !from.contains(key)) continue;
    if (key == "alpha" && className != replaced.className) continue;
    const Json& value = from[key];
    const Json& wanted = item.value();
    // Only a value of the kind the new class takes: Conv2D's "same" is no ZeroPadding2D padding.
    const bool sameKind = wanted.is_null() || value.type() == wanted.type() ||
                          (wanted.is_number() && value.is_number());
    if (sameKind) config[key] = value;
  }
  return layer(className, name, std::move(config));
}

Json cut(const std::string& at) {
  return {{"op", "cut"}, {"at", at}};
}

Json stack(const std::string& after, std::vector<Json> layers) {
  Json list = Json::array();
  for (auto& l : layers) list.push_back(std::move(l));
  return {{"op", "stack"}, {"after", after}, {"layers", std::move(list)}};
}

Json insertAfter(const std::string& after, Json layer) {
  return {{"op", "insert"}, {"after", after}, {"layer", std::move(layer)}};
}

Json insertBefore(const std::string& before, Json layer) {
  return {{"op", "insert"}, {"before", before}, {"layer", std::move(layer)}};
}

Json insertBetween(const std::string& from, const std::string& to, Json layer) {
  return {{"op", "insert"}, {"between", {from, to}}, {"layer", std::move(layer)}};
}

Json remove(std::vector<std::string> layers) {
  return {{"op", "remove"}, {"layers", names(layers)}};
}

Json replace(std::vector<std::string> layers, Json with) {
  return {{"op", "replace"}, {"layers", names(layers)}, {"with", std::move(with)}};
}

Json fuse(std::vector<std::string> layers) {
  return {{"op", "fuse"}, {"layers", names(layers)}};
}

Selection layersNamed(std::vector<std::string> layers) {
  Selection which;
  which.layers = std::move(layers);
  return which;
}
Selection upTo(const std::string& layer) {
  Selection which;
  which.upto = layer;
  return which;
}
Selection fromLayer(const std::string& layer) {
  Selection which;
  which.from = layer;
  return which;
}

Json freeze(const Selection& which) {
  return selection("freeze", which);
}
Json unfreeze(const Selection& which) {
  return selection("unfreeze", which);
}

Json setInputShape(const Shape& shape) {
  Json s = Json::array();
  for (auto d : shape) s.push_back(d == kUnknown ? Json() : Json(d));
  return {{"op", "set_input_shape"}, {"shape", s}};
}

Json rename(const std::string& layer, const std::string& to) {
  return {{"op", "rename"}, {"layer", layer}, {"to", to}};
}

Json setConfig(const std::string& layer, Json config) {
  return {{"op", "set_config"}, {"layer", layer}, {"config", std::move(config)}};
}

Json setConfigs(Json changesByLayer) {
  return {{"op", "set_config"}, {"layers", std::move(changesByLayer)}};
}

Json setPreprocessing(const std::string& name) {
  return {{"op", "set_preprocessing"}, {"preprocessing", name}};
}

}  // namespace graft::ops
