#include "graph/layer_helpers.h"

#include <algorithm>

namespace graft::layers {

std::pair<int64_t, int64_t> intPair(const Json& config, const std::string& key) {
  const Json& v = config.at(key);
  if (v.is_number_integer()) return {v.get<int64_t>(), v.get<int64_t>()};
  if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer())
    return {v[0].get<int64_t>(), v[1].get<int64_t>()};
  throw Error("config field '" + key + "' must be an integer or a pair of integers, got " +
              v.dump());
}

std::pair<std::pair<int64_t, int64_t>, std::pair<int64_t, int64_t>> padPairs(
    const Json& value, const std::string& key) {
  auto bad = [&] {
    return Error("config field '" + key +
                 "' must be p, [h, w] or [[top, bottom], [left, right]], got " + value.dump());
  };
  if (value.is_number_integer()) {
    auto p = value.get<int64_t>();
    return {{p, p}, {p, p}};
  }
  if (!value.is_array() || value.size() != 2) throw bad();
  if (value[0].is_number_integer() && value[1].is_number_integer()) {
    auto h = value[0].get<int64_t>(), w = value[1].get<int64_t>();
    return {{h, h}, {w, w}};
  }
  for (const auto& side : value)
    if (!side.is_array() || side.size() != 2 || !side[0].is_number_integer() ||
        !side[1].is_number_integer())
      throw bad();
  return {{value[0][0].get<int64_t>(), value[0][1].get<int64_t>()},
          {value[1][0].get<int64_t>(), value[1][1].get<int64_t>()}};
}

int64_t convOutputLength(int64_t length, int64_t kernel, int64_t stride, int64_t dilation,
                         const std::string& padding) {
  if (kernel < 1 || stride < 1 || dilation < 1)
    throw ShapeError("kernel size, strides and dilation must be at least 1");
  if (length == kUnknown) return kUnknown;
  const int64_t dilated = (kernel - 1) * dilation + 1;
  if (padding == "same") return (length + stride - 1) / stride;
  if (padding == "valid") {
    if (length < dilated)
      throw ShapeError("input size " + std::to_string(length) + " is smaller than the window " +
                       std::to_string(dilated) + " (padding 'valid')");
    return (length - dilated) / stride + 1;
  }
  throw ShapeError("padding must be 'same' or 'valid', got '" + padding + "'");
}

void requireRank(const Shape& input, size_t rank, const char* what) {
  if (input.size() != rank)
    throw ShapeError(std::string("expects a ") + std::to_string(rank) + "-D input " + what +
                     ", got " + shapeToString(input));
}

int64_t requireKnownChannels(const Shape& input) {
  if (input.empty() || input.back() == kUnknown)
    throw ShapeError("the last (channel) dimension of the input must be known, got " +
                     shapeToString(input));
  return input.back();
}

int64_t resolveAxis(const Json& axis, size_t rank) {
  const Json* a = &axis;
  if (axis.is_array()) {
    if (axis.size() != 1) throw ShapeError("only a single axis is supported, got " + axis.dump());
    a = &axis[0];
  }
  if (!a->is_number_integer()) throw ShapeError("axis must be an integer, got " + axis.dump());
  int64_t v = a->get<int64_t>();
  int64_t r = static_cast<int64_t>(rank);
  if (v < 0) v += r;
  if (v < 1 || v >= r)
    throw ShapeError("axis " + axis.dump() + " is out of range for an input of rank " +
                     std::to_string(rank) + " (the batch axis cannot be used)");
  return v;
}

std::vector<int64_t> permuteDims(const Json& config, size_t rank) {
  const Json& dims = config.at("dims");
  const auto count = static_cast<int64_t>(rank) - 1;
  std::vector<int64_t> result;
  std::vector<bool> seen(rank, false);
  if (dims.is_array() && static_cast<int64_t>(dims.size()) == count)
    for (const auto& d : dims) {
      if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > count ||
          seen[static_cast<size_t>(d.get<int64_t>())])
        break;
      seen[static_cast<size_t>(d.get<int64_t>())] = true;
      result.push_back(d.get<int64_t>());
    }
  if (static_cast<int64_t>(result.size()) != count)
    throw ShapeError("config field 'dims' must be a permutation of 1 to " + std::to_string(count) +
                     " (the input's axes after the batch), got " + dims.dump());
  return result;
}

const std::vector<std::string>& knownActivations() {
  // hard_silu and its alias hard_swish, and mish, are Keras 3's (keras.activations); the rest
  // are in Keras 2 and 3 alike (hard_sigmoid's formula differs: see runtime/layers/activations).
  static const std::vector<std::string> names = {
      "linear",   "relu",        "relu6", "sigmoid",   "hard_sigmoid", "tanh",
      "softmax",  "elu",         "selu",  "swish",     "silu",         "softplus",
      "softsign", "exponential", "gelu",  "hard_silu", "hard_swish",   "mish"};
  return names;
}

void requireKnownActivation(const Json& config) {
  const Json& a = config.at("activation");
  std::string name = a.is_null() ? "linear" : a.is_string() ? a.get<std::string>() : "";
  const auto& known = knownActivations();
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw ShapeError("unknown activation " + a.dump() + "; expected one of " + list);
  }
}

Json weightOptionDefaults(const std::string& prefix, const std::string& initializer) {
  Json j = Json::object();
  j[prefix + "_initializer"] = {{"class_name", initializer}, {"config", Json::object()}};
  j[prefix + "_regularizer"] = nullptr;
  j[prefix + "_constraint"] = nullptr;
  return j;
}

}  // namespace graft::layers
