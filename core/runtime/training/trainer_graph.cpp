#include "runtime/training/trainer_graph.h"

#include <map>
#include <set>

#include "graph/layer_registry.h"
#include "graph/one_output.h"
#include "runtime/prediction/predict_output.h"

namespace graft {

namespace {

// `graph` keeping only `output` and what it depends on, in the original node order. Extra
// outputs (a viewer's added taps) and dead branches do not take part in training.
Graph pruneTo(const Graph& graph, const std::string& output) {
  std::set<std::string> keep;
  std::vector<std::string> stack{output};
  while (!stack.empty()) {
    const std::string name = stack.back();
    stack.pop_back();
    if (!keep.insert(name).second) continue;
    for (const auto& in : graph.at(name).inputs) stack.push_back(in);
  }
  std::vector<Node> nodes;
  for (const auto& n : graph.nodes())
    if (keep.count(n.name)) nodes.push_back(n);
  return Graph(graph.name(), std::move(nodes), {output}, graph.groups());
}

// A Softmax layer, or an Activation layer of softmax or log_softmax.
bool isSoftmaxLayer(const Node& node) {
  if (node.className == "Softmax") return true;
  return node.className == "Activation" && isSoftmaxActivation(activationOf(node));
}

// Layers that only move values around (a softmax before them is a softmax after them).
bool isShapeOnly(const Node& node) {
  return (node.className == "Reshape" || node.className == "Flatten") && node.inputs.size() == 1;
}

// True when every dimension of the layer's output but the batch and the last is 1, so a
// softmax over its last axis is a softmax over the flattened vector.
bool onlyLastAxisAboveOne(const Graph& graph, const std::string& layer) {
  const GraphAnalysis analysis = analyze(graph);
  const NodeInfo* info = analysis.find(layer);
  if (!info || info->outputShape.size() < 2) return false;
  for (size_t i = 1; i + 1 < info->outputShape.size(); ++i)
    if (info->outputShape[i] != 1) return false;
  return true;
}

// Layers that compute something different, or random, in training mode.
bool isRandomInTraining(const std::string& className) {
  static const std::set<std::string> kRandom = {
      "Dropout",       "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
      "GaussianNoise", "GaussianDropout",  "AlphaDropout",     "StochasticDepth"};
  return kRandom.count(className) != 0 || className.rfind("Random", 0) == 0;
}

}  // namespace

TrainHead trainHead(const Graph& graph) {
  requireOneOutput(graph, "training and evaluation need");
  const std::string output = graph.outputs()[0];

  // The softmax may sit before layers that only reshape: keras-applications' MobileNet ends
  // conv_preds -> act_softmax (over channels, on 1 x 1 maps) -> reshape_2.
  std::string at = output;
  while (isShapeOnly(graph.at(at))) at = graph.at(at).inputs[0];
  const Node& last = graph.at(at);
  const bool overClassAxis = at == output || onlyLastAxisAboveOne(graph, at);

  TrainHead head;
  if (overClassAxis && isSoftmaxLayer(last) && last.inputs.size() == 1) {
    // Rewire the softmax's consumers to its input; pruning then drops it.
    std::vector<Node> nodes = graph.nodes();
    for (auto& n : nodes)
      for (auto& in : n.inputs)
        if (in == last.name) in = last.inputs[0];
    const std::string newOutput = at == output ? last.inputs[0] : output;
    head.graph =
        pruneTo(Graph(graph.name(), std::move(nodes), {newOutput}, graph.groups()), newOutput);
    head.softmaxLayer = last.name;
  } else if (overClassAxis && isSoftmaxActivation(activationOf(last))) {
    std::vector<Node> nodes = graph.nodes();
    for (auto& n : nodes)
      if (n.name == last.name) n.config["activation"] = "linear";
    head.graph = pruneTo(Graph(graph.name(), std::move(nodes), {output}, graph.groups()), output);
    head.softmaxLayer = last.name;
  } else {
    head.graph = pruneTo(graph, output);
    const std::string act = activationOf(graph.at(output));
    if (!act.empty() && act != "linear") {
      head.kind = OutputKind::Probabilities;
      head.note = "the output layer " + output + " ends in '" + act +
                  "', not softmax; the loss normalises its outputs to sum 1, as Keras's "
                  "categorical cross-entropy does";
    } else {
      head.note = "the output layer " + output +
                  " has no softmax; its outputs are taken as logits (Keras's from_logits=True)";
    }
  }

  const GraphAnalysis analysis = analyzeOrThrow(head.graph);
  const Shape& shape = analysis.find(head.graph.outputs()[0])->outputShape;
  if (shape.size() != 2 || shape[1] == kUnknown)
    throw Error(Diagnostic{output, "the output " + shapeToString(shape) +
                                       " is not a vector of class scores (None, classes); add a "
                                       "classifier top (e.g. GlobalAveragePooling2D and Dense "
                                       "with softmax)"});
  head.classes = shape[1];
  return head;
}

FrozenSplit splitFrozenPrefix(const Graph& graph, const GraphAnalysis& analysis) {
  FrozenSplit split;
  const auto order = graph.topologicalOrder().value();
  std::map<std::string, bool> frozen;  // "computes the same every time", per layer
  for (size_t index : order) {
    const Node& node = graph.nodes()[index];
    bool fixed = true;
    for (const auto& in : node.inputs) fixed = fixed && frozen.at(in);
    if (node.className != "InputLayer" && fixed) {
      const NodeInfo* info = analysis.find(node.name);
      if (!info) throw Error(analysis.diagnostics);
      bool trainableWeights = false;
      for (const auto& w : info->weights) trainableWeights = trainableWeights || w.trainable;
      // BatchNormalization without gamma/beta still uses batch statistics when trainable.
      const bool batchStatistics = node.className == "BatchNormalization" && node.trainable;
      fixed = !trainableWeights && !batchStatistics && !isRandomInTraining(node.className);
    }
    frozen[node.name] = fixed;
  }

  const std::string output = graph.outputs().at(0);
  if (frozen.at(output))
    throw Error(Diagnostic{output,
                           "every layer up to the output is frozen: nothing to train "
                           "(unfreeze some layers, e.g. with a smaller --freeze-upto)"});

  std::vector<std::string> boundaries;
  for (const auto& node : graph.nodes()) {
    if (!frozen.at(node.name)) continue;
    for (const auto& consumer : graph.consumers(node.name))
      if (!frozen.at(consumer)) {
        boundaries.push_back(node.name);
        break;
      }
  }
  if (boundaries.size() != 1) {
    std::string names;
    for (const auto& b : boundaries) names += (names.empty() ? "" : ", ") + b;
    split.reason = "the frozen layers feed trainable layers from " +
                   std::to_string(boundaries.size()) + " places (" + names +
                   "); caching needs a single one";
    return split;
  }
  const Node& boundary = graph.at(boundaries[0]);
  if (boundary.className == "InputLayer") {
    split.reason = "no frozen layers come before the first trainable layer";
    return split;
  }
  split.boundary = boundary.name;
  split.prefix = pruneTo(graph, boundary.name);

  const Shape& shape = analysis.find(boundary.name)->outputShape;
  Json batchShape = Json::array();
  batchShape.push_back(nullptr);
  int64_t elements = 1;
  for (size_t i = 1; i < shape.size(); ++i) {
    if (shape[i] == kUnknown) {
      batchShape.push_back(nullptr);
      elements = 0;
    } else {
      batchShape.push_back(shape[i]);
      elements *= shape[i];
    }
  }
  split.featureElements = elements;
  Node input;
  input.name = boundary.name;
  input.className = "InputLayer";
  input.config =
      LayerRegistry::standard().normalizeConfig("InputLayer", {{"batch_input_shape", batchShape}});
  std::vector<Node> nodes{input};
  for (const auto& node : graph.nodes())
    if (!frozen.at(node.name)) nodes.push_back(node);
  split.suffix = Graph(graph.name(), std::move(nodes), graph.outputs(), graph.groups());
  return split;
}

WeightStore weightsFor(const Graph& graph, const WeightStore& store) {
  WeightStore out;
  for (const auto& node : graph.nodes())
    if (const auto* w = store.find(node.name)) out.set(node.name, *w);
  return out;
}

bool hasTrainableWeights(const Graph& graph, const GraphAnalysis& analysis) {
  for (const auto& node : graph.nodes())
    if (const NodeInfo* info = analysis.find(node.name))
      for (const auto& w : info->weights)
        if (w.trainable) return true;
  return false;
}

namespace {

// How to give the classifier `n` outputs, in the GUI's words and a recipe's: its Dense units or
// Conv2D filters (MobileNet's conv_preds), together with a Reshape after it that fixes the old
// count (Keras's reshape_2: the recipe changes both in one step, the GUI frees the Reshape
// first).
std::string classCountFix(const TrainHead& head, size_t n) {
  const std::string count = std::to_string(n);
  std::vector<const Node*> reshapes;
  const Node* node = &head.graph.at(head.graph.outputs()[0]);
  while (node->className != "Dense" && node->className != "Conv2D" && node->inputs.size() == 1) {
    if (node->className == "Reshape") reshapes.push_back(node);
    node = &head.graph.at(node->inputs[0]);
  }
  if (node->className != "Dense" && node->className != "Conv2D")
    return "give the model a top with " + count +
           " classes (for a zoo model: --include-top "
           "--classes " +
           count + ")";
  const std::string field = node->className == "Dense" ? "units" : "filters";
  Json layers = {{node->name, {{field, n}}}};
  std::string gui = "in Properties, ";
  for (const Node* reshape : reshapes) {
    // The count is the target's last dimension (Keras's reshape_2: (1000,)); others stay.
    Json target = reshape->config.value("target_shape", Json::array());
    if (!target.is_array() || target.empty()) target = Json::array({0});
    Json freed = target;
    target.back() = n;
    freed.back() = -1;
    layers[reshape->name] = {{"target_shape", target}};
    gui += "set " + reshape->name + "'s target_shape to " + freed.dump() + ", then ";
  }
  gui += "set " + node->name + "'s " + field + " to " + count;
  return "give " + node->name + " " + count + " " + field + " (in Graft: " + gui +
         "; in a recipe: " + Json{{"op", "set_config"}, {"layers", layers}}.dump() +
         "); its weights start afresh";
}

}  // namespace

void checkClassCount(const TrainHead& head, const std::vector<std::string>& classes) {
  if (head.classes == static_cast<int64_t>(classes.size())) return;
  std::string names;
  for (const auto& name : classes) names += (names.empty() ? "" : ", ") + name;
  const std::string n = std::to_string(classes.size());
  const std::string output = head.graph.outputs()[0];
  const Node& last = head.graph.at(output);
  // A model cut at a feature layer (Flatten, pooling, an activation) has no classifier at all:
  // "predicts 1600 classes" would send the user looking for a top with the wrong count.
  const bool classifier = !head.softmaxLayer.empty() || head.kind == OutputKind::Probabilities ||
                          last.className == "Dense" || last.className == "Conv2D";
  if (!classifier)
    throw Error(Diagnostic{
        output, "the model ends in this " + last.className + " layer, which gives " +
                    std::to_string(head.classes) + " features, not scores for the data's " + n +
                    " classes (" + names + "); stack a classifier on it: a Dense layer with " + n +
                    " units and softmax (in Graft: drag Dense from Layers onto " + output +
                    "; in a recipe: {\"op\": \"stack\", \"after\": \"" + output + "\", ...})"});
  throw Error(Diagnostic{output, "the model predicts " + std::to_string(head.classes) +
                                     " classes but the data has " + n + " (" + names + "); " +
                                     classCountFix(head, classes.size())});
}

}  // namespace graft
