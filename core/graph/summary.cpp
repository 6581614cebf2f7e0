#include "graph/summary.h"

#include <sstream>

namespace graft {

std::string withThousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

namespace {

std::string cell(const std::string& text, size_t width) {
  if (text.size() >= width) return text + " ";
  return text + std::string(width - text.size(), ' ');
}

}  // namespace

std::string formatSummary(const Graph& graph, const GraphAnalysis& analysis) {
  bool connected = false;
  for (const auto& n : graph.nodes()) connected = connected || n.inputs.size() > 1;
  const std::vector<size_t> widths =
      connected ? std::vector<size_t>{36, 26, 11, 25} : std::vector<size_t>{36, 26, 11};
  size_t total = 0;
  for (auto w : widths) total += w;
  std::ostringstream out;
  out << "Model: \"" << graph.name() << "\"\n" << std::string(total, '_') << "\n";
  out << cell("Layer (type)", widths[0]) << cell("Output Shape", widths[1])
      << cell("Param #", widths[2]);
  if (connected) out << "Connected to";
  out << "\n" << std::string(total, '=') << "\n";
  auto order = graph.topologicalOrder();
  std::vector<size_t> indices;
  if (order)
    indices = order.value();
  else
    for (size_t i = 0; i < graph.size(); ++i) indices.push_back(i);
  bool first = true;
  for (size_t i : indices) {
    const Node& n = graph.nodes()[i];
    const NodeInfo* info = analysis.find(n.name);
    if (!first) out << "\n";
    first = false;
    std::string shape = info ? shapeToString(info->outputShape) : "?";
    if (n.className == "InputLayer") shape = "[" + shape + "]";
    out << cell(n.name + " (" + n.className + ")", widths[0]) << cell(shape, widths[1])
        << cell(info ? std::to_string(info->params) : "?", widths[2]);
    if (connected) {
      for (size_t k = 0; k < n.inputs.size(); ++k)
        out << (k ? "\n" + std::string(widths[0] + widths[1] + widths[2], ' ') : "") << n.inputs[k]
            << "[0][0]";
    }
    if (!n.trainable) out << (connected ? "  (frozen)" : "(frozen)");
    out << "\n";
  }
  out << std::string(total, '=') << "\n";
  out << "Total params: " << withThousands(analysis.totalParams) << "\n";
  out << "Trainable params: " << withThousands(analysis.trainableParams) << "\n";
  out << "Non-trainable params: " << withThousands(analysis.nonTrainableParams()) << "\n";
  out << std::string(total, '_') << "\n";
  for (const auto& d : analysis.diagnostics) out << "problem: " << d.str() << "\n";
  return out.str();
}

Json summaryJson(const Graph& graph, const GraphAnalysis& analysis) {
  Json layers = Json::array();
  auto order = graph.topologicalOrder();
  std::vector<size_t> indices;
  if (order)
    indices = order.value();
  else
    for (size_t i = 0; i < graph.size(); ++i) indices.push_back(i);
  for (size_t i : indices) {
    const Node& n = graph.nodes()[i];
    const NodeInfo* info = analysis.find(n.name);
    Json shape = Json::array();
    if (info)
      for (auto d : info->outputShape) shape.push_back(d == kUnknown ? Json() : Json(d));
    layers.push_back({{"name", n.name},
                      {"type", n.className},
                      {"output_shape", info ? shape : Json()},
                      {"params", info ? info->params : 0},
                      {"trainable", n.trainable}});
  }
  Json j = {{"total_params", analysis.totalParams},
            {"trainable_params", analysis.trainableParams},
            {"non_trainable_params", analysis.nonTrainableParams()},
            {"layers", layers}};
  if (!analysis.ok()) {
    Json problems = Json::array();
    for (const auto& d : analysis.diagnostics)
      problems.push_back({{"layer", d.subject}, {"message", d.message}});
    j["problems"] = problems;
  }
  return j;
}

}  // namespace graft
