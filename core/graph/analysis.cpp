#include "graph/analysis.h"

#include "graph/limits.h"

namespace graft {

const NodeInfo* GraphAnalysis::find(const std::string& name) const {
  auto it = nodes.find(name);
  return it == nodes.end() ? nullptr : &it->second;
}

namespace {

std::string inputCountText(int n) {
  return std::to_string(n) + (n == 1 ? " input" : " inputs");
}

std::string expectedInputs(const LayerType& type) {
  if (type.maxInputs < 0) return "at least " + inputCountText(type.minInputs);
  if (type.minInputs == type.maxInputs) return inputCountText(type.minInputs);
  return std::to_string(type.minInputs) + " to " + inputCountText(type.maxInputs);
}

// A layer's output for one image beyond the bound is refused where it is made: an input of
// 1,000,000 x 1,000,000 px was accepted, and the first prediction failed to allocate 12 TB.
void checkActivationSize(const Shape& shape) {
  int64_t values = 1;
  for (size_t axis = 1; axis < shape.size(); ++axis) {
    if (shape[axis] <= 0) return;  // unknown until an image comes
    if (values > limits::kMaxActivationElements / shape[axis]) {
      values = -1;
      break;
    }
    values *= shape[axis];
  }
  if (values >= 0 && values <= limits::kMaxActivationElements) return;
  throw Error("its output " + shapeToString(shape) +
              " holds more values for one image than Graft accepts in one tensor (" +
              std::to_string(limits::kMaxActivationElements) +
              "): give the model a smaller input size");
}

}  // namespace

GraphAnalysis analyze(const Graph& graph, const LayerRegistry& registry) {
  GraphAnalysis result;
  if (graph.size() > limits::kMaxLayers) {
    result.diagnostics.push_back({"", "the model has " + std::to_string(graph.size()) +
                                          " layers, more than Graft accepts (" +
                                          std::to_string(limits::kMaxLayers) + ")"});
    return result;
  }
  result.diagnostics = graph.validate();
  if (!result.diagnostics.empty()) return result;
  const auto order = graph.topologicalOrder().value();
  for (size_t index : order) {
    const Node& node = graph.nodes()[index];
    const LayerType* type = registry.find(node.className);
    if (!type) {
      result.diagnostics.push_back({node.name, "unsupported layer type '" + node.className + "'"});
      continue;
    }
    const int count = static_cast<int>(node.inputs.size());
    if (count < type->minInputs || (type->maxInputs >= 0 && count > type->maxInputs)) {
      result.diagnostics.push_back({node.name, node.className + " expects " +
                                                   expectedInputs(*type) + ", got " +
                                                   std::to_string(count)});
      continue;
    }
    std::vector<Shape> inputShapes;
    bool inputsKnown = true;
    for (const auto& in : node.inputs) {
      const NodeInfo* producer = result.find(in);
      if (!producer) {
        inputsKnown = false;
        break;
      }
      inputShapes.push_back(producer->outputShape);
    }
    if (!inputsKnown) continue;  // the producer's own diagnostic explains it
    try {
      const Json config = registry.normalizeConfig(node.className, node.config);
      NodeInfo info;
      info.outputShape = type->outputShape(config, inputShapes);
      checkActivationSize(info.outputShape);
      if (type->weights) info.weights = type->weights(config, inputShapes);
      for (auto& w : info.weights) {
        w.trainable = w.trainable && node.trainable;
        const int64_t n = elementCount(w.shape);
        if (n > limits::kMaxWeightElements)
          throw Error("weight '" + w.name + "' of shape " + shapeToString(w.shape) + " has " +
                      std::to_string(n) + " values, more than Graft accepts in one tensor (" +
                      std::to_string(limits::kMaxWeightElements) + ")");
        info.params += n;
        if (w.trainable) info.trainableParams += n;
      }
      if (result.totalParams + info.params > limits::kMaxModelParams)
        throw Error("the model would have more than " + std::to_string(limits::kMaxModelParams) +
                    " parameters, more than Graft accepts");
      result.totalParams += info.params;
      result.trainableParams += info.trainableParams;
      result.nodes.emplace(node.name, std::move(info));
    } catch (const std::exception& e) {
      result.diagnostics.push_back({node.name, e.what()});
    }
  }
  return result;
}

GraphAnalysis analyzeOrThrow(const Graph& graph, const LayerRegistry& registry) {
  GraphAnalysis result = analyze(graph, registry);
  if (!result.ok()) throw Error(result.diagnostics);
  return result;
}

}  // namespace graft
