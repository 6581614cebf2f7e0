#include "runtime/prediction/predict_output.h"

#include "runtime/prediction/predict_result.h"

namespace graft {

namespace {

// Class scores a top-K reads: probabilities, or log_softmax's log-probabilities (whose softmax
// in predict_result's topK is exp(output) itself).
bool isClassScore(const std::string& activation) {
  return isSoftmaxActivation(activation) || activation == "sigmoid";
}

}  // namespace

bool isSoftmaxActivation(const std::string& activation) {
  return activation == "softmax" || activation == "log_softmax";
}

std::string activationOf(const Node& node) {
  const auto it = node.config.find("activation");
  return it != node.config.end() && it->is_string() ? it->get<std::string>() : "linear";
}

bool outputIsClassVector(const Graph& graph, const Shape& perImageOutput) {
  if (!isClassVector(perImageOutput) || graph.outputs().size() != 1) return false;
  const Node* node = graph.find(graph.outputs().front());
  // Bounded by the graph size, so a malformed cyclic graph cannot loop forever.
  for (size_t steps = 0; node && steps <= graph.size(); ++steps) {
    const std::string& type = node->className;
    if (type == "Softmax") return true;
    if (type == "Dense" || type == "Conv2D")
      return isClassScore(activationOf(*node)) || activationOf(*node) == "linear";
    const bool passThrough = type == "Reshape" || type == "Flatten" || type == "Dropout" ||
                             type == "SpatialDropout2D" || type == "GaussianNoise" ||
                             type == "GaussianDropout" ||
                             (type == "Activation" && activationOf(*node) == "linear");
    if (type == "Activation" && isClassScore(activationOf(*node))) return true;
    if (!passThrough || node->inputs.size() != 1) return false;
    node = graph.find(node->inputs.front());
  }
  return false;
}

void checkModelLabels(const Model& model) {
  if (model.labels.empty() || model.graph.outputs().size() != 1) return;
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const NodeInfo* out = analysis.find(model.graph.outputs().front());
  if (!out || out->outputShape.empty()) return;
  checkLabelsFitOutput(model.labels, model.graph,
                       Shape(out->outputShape.begin() + 1, out->outputShape.end()));
}

void checkLabelsFitOutput(const std::vector<std::string>& labels, const Graph& graph,
                          const Shape& perImageOutput) {
  if (labels.empty() || !outputIsClassVector(graph, perImageOutput)) return;
  const int64_t classes = perImageOutput.back();
  if (static_cast<int64_t>(labels.size()) != classes)
    throw Error(Diagnostic{"labels", classNamesCount(labels.size()) +
                                         ", but the model's output has " + classesCount(classes)});
}

}  // namespace graft
