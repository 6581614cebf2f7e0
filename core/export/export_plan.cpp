#include "export/export_plan.h"

#include <set>

#include "graph/one_output.h"

namespace graft::exporting {

namespace {

// What a reader must do to pixels before feeding an export (DESIGN.md "Numerics").
std::string preprocessingDescription(Preprocessing p) {
  switch (p) {
    case Preprocessing::Caffe:
      return "RGB pixels 0..255 reordered to BGR, minus [103.939, 116.779, 123.68]";
    case Preprocessing::Tf:
      return "RGB pixels 0..255: x / 127.5 - 1";
    case Preprocessing::Torch:
      return "RGB pixels 0..255: (x / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]";
    case Preprocessing::Unit:
      return "RGB pixels 0..255: x / 255";
    case Preprocessing::None:
      break;
  }
  return "RGB pixels 0..255 unchanged";
}

Json shapeJson(const Shape& shape) {
  Json j = Json::array();
  for (int64_t d : shape) j.push_back(d == kUnknown ? Json(nullptr) : Json(d));
  return j;
}

}  // namespace

ExportPlan makeExportPlan(const Model& model) {
  const Graph& graph = model.graph;
  const auto& registry = LayerRegistry::standard();
  const GraphAnalysis analysis = analyzeOrThrow(graph, registry);
  if (Diagnostics problems = checkWeights(graph, analysis, model.weights); !problems.empty())
    throw Error(problems);
  requireOneInput(graph, "exports need");
  requireOneOutput(graph, "exports need");
  const std::vector<std::string> inputs = graph.inputs();

  ExportPlan plan;
  plan.inputName = inputs.front();
  plan.outputName = graph.outputs().front();
  plan.inputShape = analysis.find(plan.inputName)->outputShape;
  plan.outputShape = analysis.find(plan.outputName)->outputShape;

  // Only the layers the output depends on: a dangling branch would be dead code in the file.
  std::set<std::string> needed{plan.outputName};
  const std::vector<size_t> order = graph.topologicalOrder().value();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node& node = graph.nodes()[*it];
    if (needed.count(node.name))
      for (const auto& producer : node.inputs) needed.insert(producer);
  }
  static const std::vector<WeightTensor> kNoWeights;
  for (size_t i : order) {
    const Node& node = graph.nodes()[i];
    if (!needed.count(node.name)) continue;
    const NodeInfo& info = *analysis.find(node.name);
    ExportLayer layer;
    layer.node = &node;
    layer.config = registry.normalizeConfig(node.className, node.config);
    for (const auto& producer : node.inputs)
      layer.inputShapes.push_back(analysis.find(producer)->outputShape);
    if (node.className == "InputLayer") layer.inputShapes.push_back(info.outputShape);
    layer.outputShape = info.outputShape;
    const auto* stored = model.weights.find(node.name);
    layer.weights = info.weights.empty() || !stored ? &kNoWeights : stored;
    plan.layers.push_back(std::move(layer));
  }
  return plan;
}

Shape runtimeInputShape(const Shape& s) {
  if (s.size() == 4) return {s[0], s[3], s[1], s[2]};
  return s;
}

std::string layoutName(size_t rank, bool kerasLayout) {
  switch (rank) {
    case 2:
      return "NC";
    case 3:
      return "NLC";
    case 4:
      return kerasLayout ? "NHWC" : "NCHW";
    default:
      return "Keras (channels last)";
  }
}

Json exportMetadata(const Model& model, const ExportPlan& plan) {
  Json labels = Json::array();
  for (const auto& l : model.labels) labels.push_back(l);
  return Json{{"graft_version", GRAFT_VERSION},
              {"model", model.graph.name()},
              {"preprocessing", preprocessingName(model.preprocessing)},
              {"preprocessing_description", preprocessingDescription(model.preprocessing)},
              {"labels", labels},
              {"input",
               {{"name", plan.inputName},
                {"layout", layoutName(plan.inputShape.size(), false)},
                {"shape", shapeJson(runtimeInputShape(plan.inputShape))}}},
              {"output",
               {{"name", plan.outputName},
                {"layout", layoutName(plan.outputShape.size(), true)},
                {"shape", shapeJson(plan.outputShape)}}}};
}

Diagnostic refusal(const ExportLayer& layer, const std::string& formatTitle,
                   const std::string& why) {
  return Diagnostic{layer.name(),
                    layer.className() + " cannot be exported to " + formatTitle + ": " + why};
}

}  // namespace graft::exporting
