#include "graph/summary.h"

#include <algorithm>
#include <set>
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

// Width in characters (UTF-8 continuation bytes do not count: the nesting bars are 3 bytes).
size_t displayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;
  return width;
}

std::string cell(const std::string& text, size_t width) {
  const size_t shown = displayWidth(text);
  if (shown >= width) return text + " ";
  return text + std::string(width - shown, ' ');
}

std::vector<size_t> displayOrder(const Graph& graph) {
  auto order = graph.topologicalOrder();
  if (order) return order.value();
  std::vector<size_t> indices;
  for (size_t i = 0; i < graph.size(); ++i) indices.push_back(i);
  return indices;
}

}  // namespace

GroupSummary summarizeGroup(const Graph& graph, const GraphAnalysis& analysis,
                            const std::string& path) {
  GroupSummary summary;
  for (size_t i : displayOrder(graph)) {
    const Node& n = graph.nodes()[i];
    if (!groupWithin(n.group, path)) continue;
    if (const NodeInfo* info = analysis.find(n.name)) {
      summary.params += info->params;
      // The analysis's count: a trainable BatchNormalization's moving statistics are not
      // trainable, as in the model's own total.
      summary.trainableParams += info->trainableParams;
    }
    bool readOutside =
        std::find(graph.outputs().begin(), graph.outputs().end(), n.name) != graph.outputs().end();
    for (const auto& consumer : graph.consumers(n.name))
      readOutside = readOutside || !groupWithin(graph.at(consumer).group, path);
    if (readOutside || summary.output.empty()) summary.output = n.name;
  }
  return summary;
}

std::string formatSummary(const Graph& graph, const GraphAnalysis& analysis,
                          const SummaryOptions& options) {
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
  auto shapeOf = [&](const std::string& name) {
    const NodeInfo* info = analysis.find(name);
    return info ? shapeToString(info->outputShape) : std::string("?");
  };
  bool first = true;
  auto row = [&](const std::string& prefix, const std::string& label, const std::string& shape,
                 const std::string& params, const std::vector<std::string>& inputs, bool frozen) {
    if (!first) out << "\n";
    first = false;
    out << cell(prefix + label, widths[0]) << cell(shape, widths[1]) << cell(params, widths[2]);
    if (connected) {
      for (size_t k = 0; k < inputs.size(); ++k)
        out << (k ? "\n" + std::string(widths[0] + widths[1] + widths[2], ' ') : "") << inputs[k]
            << "[0][0]";
    }
    if (frozen) out << (connected ? "  (frozen)" : "(frozen)");
    out << "\n";
  };
  auto prefixFor = [](const std::string& group) {
    std::string prefix;
    if (group.empty()) return prefix;
    prefix = "\u2502 ";  // one bar per nesting level, as Keras's expand_nested table
    for (char c : group)
      if (c == '/') prefix += "\u2502 ";
    return prefix;
  };
  std::set<std::string> shownGroups;
  // The row of a nested model, or with expandNested, the header of each group newly entered.
  auto groupRows = [&](const Node& n) {
    std::string path;
    size_t start = 0;
    while (start <= n.group.size() && !n.group.empty()) {
      const size_t slash = std::min(n.group.find('/', start), n.group.size());
      path = n.group.substr(0, slash);
      start = slash + 1;
      if (!shownGroups.insert(path).second) continue;
      const NodeGroup* g = graph.findGroup(path);
      const GroupSummary s = summarizeGroup(graph, analysis, path);
      const NodeGroup fallback{path, "Functional"};
      const NodeGroup& group = g ? *g : fallback;
      std::vector<std::string> inputs;
      row(prefixFor(group.parent()), group.name() + " (" + group.className + ")", shapeOf(s.output),
          std::to_string(s.params), inputs, s.params > 0 && !s.trainableParams);
      if (!options.expandNested) return;
    }
  };
  for (size_t i : displayOrder(graph)) {
    const Node& n = graph.nodes()[i];
    if (!n.group.empty()) {
      groupRows(n);
      if (!options.expandNested) continue;
    }
    const NodeInfo* info = analysis.find(n.name);
    std::string shape = shapeOf(n.name);
    if (n.className == "InputLayer") shape = "[" + shape + "]";
    row(prefixFor(n.group), n.name + " (" + n.className + ")", shape,
        info ? std::to_string(info->params) : "?", n.inputs, !n.trainable);
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
  for (size_t i : displayOrder(graph)) {
    const Node& n = graph.nodes()[i];
    const NodeInfo* info = analysis.find(n.name);
    Json shape = Json::array();
    if (info)
      for (auto d : info->outputShape) shape.push_back(d == kUnknown ? Json() : Json(d));
    Json layer = {{"name", n.name},
                  {"type", n.className},
                  {"output_shape", info ? shape : Json()},
                  {"params", info ? info->params : 0},
                  {"trainable", n.trainable}};
    if (!n.group.empty()) layer["group"] = n.group;
    layers.push_back(std::move(layer));
  }
  Json j = {{"total_params", analysis.totalParams},
            {"trainable_params", analysis.trainableParams},
            {"non_trainable_params", analysis.nonTrainableParams()},
            {"layers", layers}};
  if (!graph.groups().empty()) {
    Json groups = Json::array();
    for (const auto& g : graph.groups()) {
      const GroupSummary s = summarizeGroup(graph, analysis, g.path);
      Json shape = Json::array();
      if (const NodeInfo* info = analysis.find(s.output))
        for (auto d : info->outputShape) shape.push_back(d == kUnknown ? Json() : Json(d));
      groups.push_back({{"path", g.path},
                        {"name", g.name()},
                        {"type", g.className},
                        {"output_shape", shape},
                        {"params", s.params},
                        {"trainable_params", s.trainableParams}});
    }
    j["groups"] = groups;
  }
  if (!analysis.ok()) {
    Json problems = Json::array();
    for (const auto& d : analysis.diagnostics)
      problems.push_back({{"layer", d.subject}, {"message", d.message}});
    j["problems"] = problems;
  }
  return j;
}

}  // namespace graft
