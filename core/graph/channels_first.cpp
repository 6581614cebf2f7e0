#include "graph/channels_first.h"

#include <map>
#include <unordered_set>

#include "graph/layer_helpers.h"

namespace graft {

namespace {

// Batch and two more axes: from here on Keras's channels_first tensors hold their channels on
// axis 1, which the channels_last graph keeps last.
constexpr size_t kMovedRank = 3;

bool moved(const Shape& shape) {
  return shape.size() >= kMovedRank;
}

// Keras's axis (negative counts from the end) of a channels_first tensor of `rank`, in the
// channels_last layout: axis 1 goes last, the others one forward.
int64_t movedAxis(int64_t axis, size_t rank, const std::string& layer) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < 0) axis += r;
  if (axis <= 0 || axis >= r)
    throw Error(Diagnostic{layer, "axis " + std::to_string(axis) +
                                      " is out of range for its rank-" + std::to_string(r) +
                                      " input"});
  return axis == 1 ? r - 1 : axis - 1;
}

Json movedAxes(const Json& axis, size_t rank, const std::string& layer) {
  if (axis.is_number_integer()) return movedAxis(axis.get<int64_t>(), rank, layer);
  Json result = Json::array();
  if (axis.is_array())
    for (const auto& a : axis) {
      if (!a.is_number_integer())
        throw Error(
            Diagnostic{layer, "config field 'axis' must hold integers, got " + axis.dump()});
      result.push_back(movedAxis(a.get<int64_t>(), rank, layer));
    }
  else
    throw Error(Diagnostic{layer, "config field 'axis' must be an integer, got " + axis.dump()});
  return result;
}

// Permute's dims (counted from 1 after the batch) that turn Keras's channels_first tensor of
// `rank` into the channels_last one: (2, ..., r - 1, 1); and back: (r - 1, 1, ..., r - 2).
Json toChannelsLastDims(size_t rank) {
  Json dims = Json::array();
  for (size_t d = 2; d < rank; ++d) dims.push_back(d);
  dims.push_back(1);
  return dims;
}

Json toChannelsFirstDims(size_t rank) {
  Json dims = Json::array({rank - 1});
  for (size_t d = 1; d + 1 < rank; ++d) dims.push_back(d);
  return dims;
}

Shape channelsFirstShape(Shape shape) {
  if (moved(shape)) {
    const int64_t channels = shape.back();
    shape.pop_back();
    shape.insert(shape.begin() + 1, channels);
  }
  return shape;
}

bool isScalar(const Json& value) {
  return value.is_number() || (value.is_array() && value.size() == 1 && value[0].is_number());
}

bool softmaxActivation(const Node& node) {
  const Json activation = node.config.value("activation", Json());
  return activation == "softmax" || activation == "log_softmax";  // both over the last axis
}

// A TFOpLambda's constants broadcast against Keras's layout unless they are single numbers.
bool scalarOperands(const Node& node) {
  for (const auto& operand : node.config.value("operands", Json::array()))
    if (!operand.is_null() && !isScalar(operand)) return false;
  return true;
}

// Layers that compute each value from the values at the same place: the layout is theirs too.
// An Activation("softmax") is not: Keras takes it over the last axis, the width here.
bool elementwise(const LayerType& type, const Node& node) {
  switch (type.category) {
    case LayerCategory::Activation:
      return node.className != "Softmax" && node.className != "PReLU" && !softmaxActivation(node);
    case LayerCategory::Merge:
      return node.className != "Concatenate" && node.className != "Dot" &&
             (node.className != "TFOpLambda" || scalarOperands(node));
    case LayerCategory::Regularization:
      // SpatialDropout2D has a data_format (channels_first ones were moved already); a
      // Dropout's noise_shape is laid out as Keras's tensor.
      return !node.config.contains("data_format") &&
             node.config.value("noise_shape", Json()).is_null();
    case LayerCategory::Preprocessing:
      return node.className == "Rescaling" && isScalar(node.config.value("scale", Json(1.0))) &&
             isScalar(node.config.value("offset", Json(0.0)));
    default:
      return false;
  }
}

// Layers whose axis argument can be renumbered: no weights, or weights of the one axis's size.
bool renumbersAxis(const Node& node) {
  if (node.className == "Concatenate" || node.className == "Softmax" ||
      node.className == "BatchNormalization")
    return true;
  // Several axes give gamma and beta their shape in Keras's order.
  const Json axis = node.config.value("axis", Json());
  return node.className == "LayerNormalization" &&
         (axis.is_number_integer() || (axis.is_array() && axis.size() == 1));
}

class Converter {
 public:
  Converter(const Graph& graph, const DataFormats& formats, const LayerRegistry& registry)
      : graph_(graph), formats_(formats), registry_(registry) {
    for (const auto& node : graph.nodes()) names_.insert(node.name);
  }

  Graph convert() {
    const std::vector<size_t> order = graph_.topologicalOrder().value();
    std::vector<std::vector<Node>> converted(graph_.size());
    for (size_t index : order) converted[index] = layer(graph_.nodes()[index]);
    std::vector<Node> nodes;
    for (auto& group : converted)
      for (auto& node : group) nodes.push_back(std::move(node));
    std::vector<std::string> outputs;
    for (const auto& output : graph_.outputs()) outputs.push_back(output_(output, nodes));
    return Graph(graph_.name(), std::move(nodes), std::move(outputs), graph_.groups());
  }

 private:
  std::string freshName(const std::string& base) {
    std::string name = base;
    for (int i = 1; names_.count(name); ++i) name = base + "_" + std::to_string(i);
    names_.insert(name);
    return name;
  }

  Node permute(const std::string& name, const std::string& input, const Json& dims,
               const std::string& group) {
    Node node;
    node.name = freshName(name);
    node.className = "Permute";
    node.config = registry_.normalizeConfig("Permute", {{"dims", dims}});
    node.inputs = {input};
    node.group = group;
    return node;
  }

  Shape outputShape(const Node& node, const std::vector<Shape>& inputs) const {
    try {
      return registry_.at(node.className).outputShape(node.config, inputs);
    } catch (const Error& e) {
      throw Error(Diagnostic{node.name, e.what()});
    }
  }

  // The layer as one or more nodes keeping the layout rule (channels_first.h).
  std::vector<Node> layer(Node node) {
    std::vector<Shape> inputs;
    for (auto& input : node.inputs) {
      input = current_.at(input);
      inputs.push_back(shapes_.at(input));
    }
    const bool sees = std::any_of(inputs.begin(), inputs.end(), moved);
    if (node.className == "InputLayer") {
      Json& shape = node.config["batch_input_shape"];
      if (shape.is_array() && shape.size() >= kMovedRank) {
        const Json channels = shape[1];
        shape.erase(shape.begin() + 1);
        shape.push_back(channels);
      }
    } else if (formats_.channelsFirst.count(node.name)) {
      // Computed as channels_last, its own softmax would run over the channels.
      if (sees && softmaxActivation(node)) {
        const std::string activation = node.config.value("activation", std::string());
        throw Error(Diagnostic{
            node.name, "says channels_first and ends in a " + activation +
                           ", which Keras takes over the last axis (the width); Graft cannot "
                           "convert that" +
                           (activation == "softmax" ? ": give the layer a linear activation "
                                                      "and a Softmax layer after it"
                                                    : std::string())});
      }
    } else if (!elementwise(registry_.at(node.className), node)) {
      // A layer on Keras's axes: renumbered where it can be, else computed on Keras's layout —
      // also one whose input is flat and whose output is an image (Reshape((C, H, W))).
      if (sees && renumbersAxis(node))
        node.config["axis"] = movedAxes(node.config.at("axis"), inputs.front().size(), node.name);
      else if (sees || moved(outputShape(node, inputs)))
        return wrapped(std::move(node), inputs);
    }
    const Shape shape = outputShape(node, inputs);
    record(node.name, node.name, shape);
    return {std::move(node)};
  }

  // A layer that computes on Keras's layout: Permute layers before its inputs of rank 3 or more
  // and after such an output.
  std::vector<Node> wrapped(Node node, std::vector<Shape> inputs) {
    std::vector<Node> nodes;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!moved(inputs[i])) continue;
      nodes.push_back(permute(node.name + "_keras_layout", node.inputs[i],
                              toChannelsFirstDims(inputs[i].size()), node.group));
      node.inputs[i] = nodes.back().name;
      inputs[i] = channelsFirstShape(inputs[i]);
    }
    const Shape shape = outputShape(node, inputs);
    const std::string name = node.name, group = node.group;
    nodes.push_back(std::move(node));
    if (!moved(shape)) {
      record(name, name, shape);
      return nodes;
    }
    Node back = permute(name + "_channels_last", name, toChannelsLastDims(shape.size()), group);
    shapes_[name] = shape;  // Keras's layout: a model output can be taken from here
    keras_[name] = true;
    record(name, back.name, outputShape(back, {shape}));
    nodes.push_back(std::move(back));
    return nodes;
  }

  void record(const std::string& layer, const std::string& readFrom, const Shape& shape) {
    current_[layer] = readFrom;
    shapes_[readFrom] = shape;
  }

  // The model output `name` in Keras's layout: the wrapped layer itself (its Permute back
  // dropped when nothing else reads it), or a Permute back to channels_first.
  std::string output_(const std::string& name, std::vector<Node>& nodes) {
    if (keras_.count(name)) {
      const std::string back = current_.at(name);
      bool read = false;
      for (const auto& node : nodes)
        for (const auto& input : node.inputs) read = read || input == back;
      if (!read)
        nodes.erase(std::remove_if(nodes.begin(), nodes.end(),
                                   [&](const Node& n) { return n.name == back; }),
                    nodes.end());
      return name;
    }
    const std::string from = current_.at(name);
    const Shape& shape = shapes_.at(from);
    if (!moved(shape)) return from;
    nodes.push_back(permute(name + "_channels_first", from, toChannelsFirstDims(shape.size()), ""));
    return nodes.back().name;
  }

  const Graph& graph_;
  const DataFormats& formats_;
  const LayerRegistry& registry_;
  std::unordered_set<std::string> names_;
  std::map<std::string, std::string> current_;  // layer -> the node its consumers read
  std::map<std::string, Shape> shapes_;         // node -> its output shape
  std::map<std::string, bool> keras_;           // wrapped layers with an output of rank >= 3
};

}  // namespace

void takeChannelsFirst(const std::string& layerName, Json& config, DataFormats& found) {
  for (const char* key : {"data_format", "dim_ordering"}) {
    if (!config.contains(key) || !config[key].is_string()) continue;
    const std::string format = config[key].get<std::string>();
    if (format == "th")
      throw Error(
          Diagnostic{layerName,
                     "uses Keras 1's Theano ordering (dim_ordering \"th\"), whose kernels Theano "
                     "stored flipped; load the model in Keras 2 and save it again"});
    if (format != "channels_first") continue;
    config[key] = "channels_last";
    found.channelsFirst.insert(layerName);
  }
}

Graph channelsLastGraph(const Graph& graph, const DataFormats& formats,
                        const LayerRegistry& registry) {
  if (!formats.any()) return graph;
  return Converter(graph, formats, registry).convert();
}

}  // namespace graft
