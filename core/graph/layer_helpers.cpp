#include "graph/layer_helpers.h"

#include <algorithm>

#include "graph/keras_op_layers.h"

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

TransposeGeometry transposeGeometry(int64_t kernel, int64_t stride, int64_t dilation,
                                    const std::string& padding, int64_t outputPadding) {
  if (kernel < 1 || stride < 1 || dilation < 1)
    throw ShapeError("kernel size, strides and dilation must be at least 1");
  if (padding != "same" && padding != "valid")
    throw ShapeError("padding must be 'same' or 'valid', got '" + padding + "'");
  if (outputPadding >= stride)
    throw ShapeError("output_padding (" + std::to_string(outputPadding) +
                     ") must be smaller than the stride (" + std::to_string(stride) +
                     "), as Keras requires");
  const int64_t dilated = (kernel - 1) * dilation + 1;
  // Full length minus output length: L - out, with L = (n - 1) * s + dilated.
  int64_t excess = 0;
  if (padding == "valid")
    excess = outputPadding < 0 ? dilated - std::max(dilated, stride) : -outputPadding;
  else if (outputPadding < 0)
    excess = dilated - stride;
  else
    excess = 2 * (dilated / 2) - outputPadding;
  if (padding == "same" && outputPadding >= 0 && dilated % 2 + outputPadding < 1)
    throw ShapeError(
        "output_padding 0 with an even kernel and padding 'same' gives an output "
        "that TensorFlow's conv2d_transpose refuses (its convolution would not "
        "map it back to the input size)");
  // TensorFlow pads the forward convolution by max(excess, 0), the odd cell at the end.
  TransposeGeometry g;
  g.before = padding == "same" ? std::max<int64_t>(excess, 0) / 2 : 0;
  g.after = excess - g.before;
  return g;
}

int64_t deconvOutputLength(int64_t length, int64_t kernel, int64_t stride, int64_t dilation,
                           const std::string& padding, int64_t outputPadding) {
  const TransposeGeometry g = transposeGeometry(kernel, stride, dilation, padding, outputPadding);
  if (length == kUnknown) return kUnknown;
  if (length < 1) throw ShapeError("input size " + std::to_string(length) + " is empty");
  return (length - 1) * stride + (kernel - 1) * dilation + 1 - g.before - g.after;
}

std::pair<int64_t, int64_t> outputPaddingPair(const Json& config) {
  const Json& v = config.at("output_padding");
  if (v.is_null()) return {-1, -1};
  auto [h, w] = intPair(config, "output_padding");
  if (h < 0 || w < 0)
    throw ShapeError("config field 'output_padding' must not be negative, got " + v.dump());
  return {h, w};
}

Shape broadcastShapes(const std::vector<Shape>& shapes) {
  Shape out = shapes.at(0);
  for (size_t i = 1; i < shapes.size(); ++i) {
    const Shape& s = shapes[i];
    auto mismatch = [&] {
      return ShapeError("inputs must have equal shapes or sizes of 1 where they differ, got " +
                        shapeToString(shapes[0]) + " and " + shapeToString(s));
    };
    if (s.size() != out.size()) throw mismatch();
    for (size_t d = 0; d < out.size(); ++d) {
      const int64_t a = out[d], b = s[d];
      if (a == b || b == 1) continue;
      if (a == 1 || a == kUnknown) {
        out[d] = b == kUnknown && a == 1 ? kUnknown : b;
        continue;
      }
      if (b == kUnknown) continue;  // a known and not 1
      throw mismatch();
    }
  }
  return out;
}

std::vector<OpOperand> opOperands(const Json& config, size_t rank) {
  const Json& function = config.at("function");
  const OpFunction* f =
      function.is_string() ? findOpFunction(function.get<std::string>()) : nullptr;
  if (!f) throw ShapeError("function " + function.dump() + " is not one Graft computes");
  const Json& operands = config.at("operands");
  if (!operands.is_array() || static_cast<int>(operands.size()) != f->arity)
    throw ShapeError("config field 'operands' must list the " + std::to_string(f->arity) +
                     " operand(s) of tf." + f->name + " (null for an input tensor), got " +
                     operands.dump().substr(0, 200));
  std::vector<OpOperand> result;
  for (const auto& o : operands) {
    OpOperand operand;
    operand.input = o.is_null();
    if (!operand.input) {
      operand.values = readConstant(o, "operands", operand.shape);
      if (operand.shape.size() > rank)
        throw ShapeError("the constant operand of shape " + shapeToString(operand.shape) +
                         " has more axes than the input tensor (" + std::to_string(rank) + ")");
      operand.shape.insert(operand.shape.begin(), rank - operand.shape.size(), 1);
    }
    result.push_back(std::move(operand));
  }
  return result;
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

NormalizationAxes normalizationAxes(const Json& config, const Shape& input) {
  const Json& axis = config.at("axis");
  std::vector<int64_t> given;
  if (axis.is_number_integer()) {
    given.push_back(axis.get<int64_t>());
  } else if (axis.is_array()) {
    for (const auto& a : axis) {
      if (!a.is_number_integer())
        throw ShapeError(
            "config field 'axis' must be an integer, a list of integers or null, got " +
            axis.dump());
      given.push_back(a.get<int64_t>());
    }
  } else if (!axis.is_null()) {
    throw ShapeError("config field 'axis' must be an integer, a list of integers or null, got " +
                     axis.dump());
  }
  const auto rank = static_cast<int64_t>(input.size());
  NormalizationAxes result;
  for (int64_t a : given) {
    const int64_t d = a < 0 ? a + rank : a;
    if (d < 0 || d >= rank)
      throw ShapeError("axis " + std::to_string(a) + " is out of range for an input of rank " +
                       std::to_string(rank));
    if (d == 0)
      throw ShapeError("axis " + std::to_string(a) +
                       " is the batch axis, whose size Graft leaves open; it cannot keep its own "
                       "mean and variance");
    if (std::find(result.kept.begin(), result.kept.end(), d) == result.kept.end())
      result.kept.push_back(d);
  }
  std::sort(result.kept.begin(), result.kept.end());
  for (int64_t d : result.kept) {
    if (input[static_cast<size_t>(d)] == kUnknown)
      throw ShapeError("axis " + std::to_string(d) + " of the input " + shapeToString(input) +
                       " keeps its own mean and variance, so its size must be known");
    result.keptShape.push_back(input[static_cast<size_t>(d)]);
  }
  return result;
}

std::vector<int64_t> layerNormalizationAxes(const Json& axis, const Shape& input) {
  const auto bad = [&] {
    return ShapeError(
        "config field 'axis' must be an integer or a non-empty list of integers, got " +
        axis.dump());
  };
  std::vector<Json> given;
  if (axis.is_number_integer())
    given.push_back(axis);
  else if (axis.is_array() && !axis.empty())
    given.assign(axis.begin(), axis.end());
  else
    throw bad();
  const auto rank = static_cast<int64_t>(input.size());
  std::vector<int64_t> axes;
  for (const auto& a : given) {
    if (!a.is_number_integer()) throw bad();
    const int64_t d = a.get<int64_t>() < 0 ? a.get<int64_t>() + rank : a.get<int64_t>();
    if (d < 0 || d >= rank)
      throw ShapeError("config field 'axis' " + axis.dump() + ": axis " + a.dump() +
                       " is out of range for an input of rank " + std::to_string(rank));
    if (d == 0)
      throw ShapeError("config field 'axis' " + axis.dump() + ": axis " + a.dump() +
                       " is the batch axis; Graft normalizes each sample on its own");
    if (std::find(axes.begin(), axes.end(), d) != axes.end())
      throw ShapeError("config field 'axis' " + axis.dump() + " names axis " + std::to_string(d) +
                       " twice (Keras refuses duplicate axes)");
    if (input[static_cast<size_t>(d)] == kUnknown)
      throw ShapeError("config field 'axis' " + axis.dump() + ": the normalized axis " +
                       std::to_string(d) + " of " + shapeToString(input) +
                       " must have a known size (gamma and beta have its size)");
    axes.push_back(d);
  }
  return axes;
}

namespace {

// A number or rectangular nested lists of numbers: its shape and its values, row-major.
// `leafDepth` is the depth of the numbers (-1 until the first is seen): all sit at one depth.
void readArray(const Json& value, size_t depth, Shape& shape, std::vector<double>& values,
               int& leafDepth, const std::string& key) {
  auto bad = [&] {
    return ShapeError("config field '" + key +
                      "' must be a number or a (nested) list of numbers of one shape, got " +
                      value.dump().substr(0, 200));
  };
  if (value.is_number()) {
    if (leafDepth < 0) leafDepth = static_cast<int>(depth);
    if (static_cast<int>(depth) != leafDepth) throw bad();
    values.push_back(value.get<double>());
    return;
  }
  if (!value.is_array() || value.empty() || depth > 8 ||
      (leafDepth >= 0 && static_cast<int>(depth) >= leafDepth))
    throw bad();
  if (depth == shape.size())
    shape.push_back(static_cast<int64_t>(value.size()));
  else if (shape[depth] != static_cast<int64_t>(value.size()))
    throw bad();
  for (const auto& item : value) readArray(item, depth + 1, shape, values, leafDepth, key);
}

}  // namespace

std::vector<double> readConstant(const Json& value, const std::string& key, Shape& shape) {
  shape.clear();
  std::vector<double> values;
  int leafDepth = -1;
  readArray(value, 0, shape, values, leafDepth, key);
  return values;
}

namespace {

std::vector<double> broadcastTo(const Json& value, const Shape& target, const std::string& key) {
  Shape shape;
  const std::vector<double> values = readConstant(value, key, shape);
  if (shape.size() > target.size())
    throw ShapeError("config field '" + key + "' has shape " + shapeToString(shape) +
                     ", more axes than the " + std::to_string(target.size()) + " kept by 'axis' " +
                     shapeToString(target));
  const size_t offset = target.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1 && shape[d] != target[offset + d])
      throw ShapeError("config field '" + key + "' of shape " + shapeToString(shape) +
                       " does not broadcast to the kept axes' shape " + shapeToString(target));
  const int64_t count = elementCount(target);
  std::vector<double> result(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    // Target index -> source index (0 along the source's size-1 axes).
    int64_t rest = i, source = 0, stride = 1;
    for (size_t d = target.size(); d-- > 0;) {
      const int64_t coord = rest % target[d];
      rest /= target[d];
      if (d >= offset) {
        const int64_t size = shape[d - offset];
        source += (size == 1 ? 0 : coord) * stride;
        stride *= size;
      }
    }
    result[static_cast<size_t>(i)] = values[static_cast<size_t>(source)];
  }
  return result;
}

}  // namespace

NormalizationConstants normalizationConstants(const Json& config, const Shape& keptShape) {
  const Json& mean = config.at("mean");
  const Json& variance = config.at("variance");
  if (mean.is_null() != variance.is_null())
    throw ShapeError(
        "config fields 'mean' and 'variance' must be given together (Keras requires it)");
  NormalizationConstants c;
  if (mean.is_null()) return c;
  c.mean = broadcastTo(mean, keptShape, "mean");
  c.variance = broadcastTo(variance, keptShape, "variance");
  return c;
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
  // hard_silu and its alias hard_swish, mish and leaky_relu (slope 0.2) are Keras 3's
  // (keras.activations); the rest
  // are in Keras 2 and 3 alike (log_softmax over the last axis, as softmax; tf.keras serialises
  // it as "log_softmax_v2", read as log_softmax by graph/keras_json), except hard_sigmoid, whose
  // formula differs: "hard_sigmoid" is Keras 2's, "hard_sigmoid_keras3" Keras 3's
  // (graph/keras_json.h; runtime/layers/activations).
  static const std::vector<std::string> names = {
      "linear",    "relu",      "relu6",       "sigmoid",  "hard_sigmoid",
      "tanh",      "softmax",   "log_softmax", "elu",      "selu",
      "swish",     "silu",      "softplus",    "softsign", "exponential",
      "gelu",      "hard_silu", "hard_swish",  "mish",     "hard_sigmoid_keras3",
      "leaky_relu"};
  return names;
}

void requireKnownActivation(const Json& config) {
  const Json& a = config.at("activation");
  std::string name = a.is_null() ? "linear" : a.is_string() ? a.get<std::string>() : "";
  const auto& known = knownActivations();
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    std::string list;
    for (const auto& k : known)  // the internal name of Keras 3's hard_sigmoid is not one to type
      if (k != "hard_sigmoid_keras3") list += (list.empty() ? "" : ", ") + k;
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
