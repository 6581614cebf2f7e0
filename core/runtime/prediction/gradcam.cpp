#include "runtime/prediction/gradcam.h"

#include <torch/autograd.h>

#include "graph/analysis.h"
#include "graph/nested_model.h"
#include "runtime/module/graph_module_impl.h"
#include "runtime/prediction/predict_output.h"
#include "runtime/prediction/predict_result.h"

namespace graft {

namespace {

// A free input's (None, None) sizes count: the map has its size when the model runs (224 x 224,
// or --input-size), and a fully convolutional model is exactly what has a free input.
bool isSpatialMap(const Shape& shape) {
  const auto spatial = [](int64_t size) { return size > 1 || size == kUnknown; };
  return shape.size() == 4 && spatial(shape[1]) && spatial(shape[2]);
}

// How the model's output applies its softmax (or log_softmax: isSoftmaxActivation), if it does.
enum class OutputSoftmax { None, Layer, Activation };

OutputSoftmax outputSoftmax(const Graph& graph) {
  if (graph.outputs().size() != 1) return OutputSoftmax::None;  // GraphModuleImpl names it
  const Node& out = graph.at(graph.outputs().front());
  if ((out.className == "Softmax" ||
       (out.className == "Activation" && isSoftmaxActivation(activationOf(out)))) &&
      out.inputs.size() == 1)
    return OutputSoftmax::Layer;
  if ((out.className == "Dense" || out.className == "Conv2D") &&
      isSoftmaxActivation(activationOf(out)))
    return OutputSoftmax::Activation;
  return OutputSoftmax::None;
}

// The graph whose output is the pre-softmax class score (see GradCamModule).
Graph scoreGraph(const Graph& graph) {
  const OutputSoftmax softmax = outputSoftmax(graph);
  if (softmax == OutputSoftmax::None) return graph;
  const Node& out = graph.at(graph.outputs().front());
  std::vector<Node> nodes = graph.nodes();
  if (softmax == OutputSoftmax::Layer) {
    nodes.erase(std::find_if(nodes.begin(), nodes.end(),
                             [&](const Node& n) { return n.name == out.name; }));
    return Graph(graph.name(), std::move(nodes), {out.inputs.front()}, graph.groups());
  }
  for (Node& n : nodes)
    if (n.name == out.name) n.config["activation"] = "linear";
  return Graph(graph.name(), std::move(nodes), graph.outputs(), graph.groups());
}

}  // namespace

std::string defaultGradCamLayer(const Graph& graph) {
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  const auto order = graph.topologicalOrder().value();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node& node = graph.nodes()[*it];
    if (node.className != "InputLayer" && isSpatialMap(analysis.find(node.name)->outputShape))
      return node.name;
  }
  throw Error("model '" + graph.name() +
              "' has no layer with a spatial map (output (None, height, width, channels) with "
              "height and width above 1) for Grad-CAM");
}

void checkSpatialLayer(const Graph& graph, const std::string& layer) {
  if (!graph.find(layer))
    throw Error(
        Diagnostic{layer, nestedModelNotALayer(graph, layer)
                              .value_or("no such layer in the model (graft-cli summary MODEL "
                                        "lists them)")});
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  const Shape& shape = analysis.find(layer)->outputShape;
  if (graph.at(layer).className == "InputLayer")
    throw Error(Diagnostic{layer,
                           "is the model's input: Grad-CAM weighs what a layer computes; "
                           "name a layer after it whose output is (None, height, width, "
                           "channels)"});
  if (!isSpatialMap(shape))
    throw Error(Diagnostic{layer, "has no spatial map for Grad-CAM: its output is " +
                                      shapeToString(shape) +
                                      "; a layer with output (None, height, width, channels), "
                                      "height and width above 1, is needed"});
}

torch::Tensor gradCamFromGradient(const torch::Tensor& activation, const torch::Tensor& gradient) {
  const torch::Tensor a = activation.detach().to(torch::kFloat32);
  const torch::Tensor weights = gradient.detach().to(torch::kFloat32).mean({1, 2});  // (C)
  torch::Tensor map = torch::relu((weights.view({-1, 1, 1}) * a).sum(0));
  const float peak = map.max().item<float>();
  if (peak > 0.f) map = map / peak;
  return map.contiguous();
}

struct GradCamModule::State {
  Graph graph;  // the score graph
  GraphModuleImpl impl;
  int64_t classes = 0;
  bool softmaxDropped = false;  // the model's output is the softmax of the scores

  State(const Graph& original, const WeightStore& weights, const torch::Device& device)
      : graph(scoreGraph(original)),
        impl(graph, weights),
        softmaxDropped(outputSoftmax(original) != OutputSoftmax::None) {
    impl.moveTo(device);
    impl.root->eval();
    const Shape out = analyzeOrThrow(graph).find(graph.outputs().front())->outputShape;
    if (out.size() != 2 || out[1] < 1)
      throw Error("Grad-CAM needs a model whose output is a vector of class scores; '" +
                  original.name() + "' outputs " + shapeToString(out));
    classes = out[1];
  }
};

GradCamModule::GradCamModule(const Graph& graph, const WeightStore& weights,
                             const torch::Device& device)
    : state_(std::make_unique<State>(graph, weights, device)) {}
GradCamModule::~GradCamModule() = default;
GradCamModule::GradCamModule(GradCamModule&&) noexcept = default;
GradCamModule& GradCamModule::operator=(GradCamModule&&) noexcept = default;

int64_t GradCamModule::classes() const {
  return state_->classes;
}

GradCamResult GradCamModule::run(const torch::Tensor& input, const std::string& layer,
                                 std::optional<int64_t> classIndex) {
  checkSpatialLayer(state_->graph, layer);
  if (input.dim() < 1 || input.size(0) != 1)
    throw Error("Grad-CAM runs on one image at a time (a batch of 1)");
  GraphModuleImpl& impl = state_->impl;
  const size_t layerStep = impl.stepOf(layer);
  // The input requires a gradient so that the activation does even behind frozen layers.
  torch::AutoGradMode grad(true);
  const torch::Tensor x = input.detach().to(torch::kFloat32).requires_grad_(true);
  const std::vector<size_t> targets{layerStep, impl.outputStep};
  const auto outs = impl.run(x, targets, impl.plan(targets), false, true);
  const torch::Tensor& activation = outs[0];  // (1, C, H, W): rank 4 runs as NCHW
  const torch::Tensor scores = outs[1].reshape({-1});
  GradCamResult result;
  // The predicted class by predict's rule, on the model's own output (its probabilities): the
  // scores' argmax named another class than predict's list where two probabilities tie in float.
  const torch::Tensor output =
      (state_->softmaxDropped ? torch::softmax(scores.detach().view({1, -1}), -1) : scores.detach())
          .to(torch::kCPU, torch::kFloat32)
          .contiguous();
  const float* values = output.data_ptr<float>();
  result.predictedClass = predictedClass(std::vector<float>(values, values + output.numel()));
  result.classIndex = classIndex ? *classIndex : result.predictedClass;
  if (result.classIndex < 0 || result.classIndex >= scores.size(0))
    throw Error("class " + std::to_string(result.classIndex) + " is out of range: the model has " +
                std::to_string(scores.size(0)) + " classes (0 to " +
                std::to_string(scores.size(0) - 1) + ")");
  const auto gradients = torch::autograd::grad({scores[result.classIndex]}, {activation}, {},
                                               /*retain_graph=*/false, /*create_graph=*/false,
                                               /*allow_unused=*/true);
  if (!gradients[0].defined())
    throw Error(Diagnostic{layer, "does not lead to the model's output"});
  result.map = gradCamFromGradient(activation[0], gradients[0][0]).to(torch::kCPU);
  result.scores = scores.detach().to(torch::kCPU);
  return result;
}

}  // namespace graft
