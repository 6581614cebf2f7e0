#include "graph/summary.h"

#include "graph/nested_model.h"

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
  }
  summary.output = nestedModelOutput(graph, path);
  return summary;
}

std::vector<SummaryRow> summaryRows(const Graph& graph, const GraphAnalysis& analysis,
                                    const SummaryOptions& options) {
  std::vector<SummaryRow> rows;
  const auto depthOf = [](const std::string& group) {
    return group.empty() ? 0 : 1 + static_cast<int>(std::count(group.begin(), group.end(), '/'));
  };
  std::set<std::string> shownGroups;
  // The row of the top-level nested model a layer sits in (as Keras's collapsed summary: a
  // model nested in it has no row of its own), or with expandNested, the row of each group
  // newly entered.
  const auto groupRows = [&](const Node& n) {
    size_t start = 0;
    while (start <= n.group.size()) {
      const size_t slash = std::min(n.group.find('/', start), n.group.size());
      const std::string path = n.group.substr(0, slash);
      start = slash + 1;
      if (!shownGroups.insert(path).second) {
        if (!options.expandNested) return;
        continue;
      }
      const NodeGroup* g = graph.findGroup(path);
      const NodeGroup group = g ? *g : NodeGroup{path, "Functional"};
      const GroupSummary summary = summarizeGroup(graph, analysis, path);
      SummaryRow row;
      row.isGroup = true;
      row.name = path;
      row.label = group.name();
      row.className = group.className;
      row.depth = depthOf(group.parent());
      if (const NodeInfo* info = analysis.find(summary.output)) {
        row.known = true;
        row.outputShape = info->outputShape;
      }
      row.params = summary.params;
      row.trainableParams = summary.trainableParams;
      row.trainable = summary.params == 0 || summary.trainableParams > 0;
      for (const Node& member : graph.nodes()) {
        const NodeInfo* info = analysis.find(member.name);
        if (!info || info->params == 0 || !groupWithin(member.group, path)) continue;
        ++row.weightedLayers;
        row.trainableWeightedLayers += member.trainable ? 1 : 0;
      }
      rows.push_back(std::move(row));
      if (!options.expandNested) return;
    }
  };
  for (size_t i : displayOrder(graph)) {
    const Node& n = graph.nodes()[i];
    if (!n.group.empty()) {
      groupRows(n);
      if (!options.expandNested) continue;
    }
    SummaryRow row;
    row.name = n.name;
    row.label = n.name;
    row.className = n.className;
    row.depth = depthOf(n.group);
    if (const NodeInfo* info = analysis.find(n.name)) {
      row.known = true;
      row.outputShape = info->outputShape;
      row.params = info->params;
      row.trainableParams = info->trainableParams;
    }
    row.trainable = n.trainable;
    for (const std::string& input : n.inputs) {
      // Collapsed, a layer inside a nested model has no row: the input is that model's.
      const Node* producer = graph.find(input);
      const bool hidden = !options.expandNested && producer && !producer->group.empty();
      row.inputs.push_back(hidden ? producer->group.substr(0, producer->group.find('/')) : input);
    }
    rows.push_back(std::move(row));
  }
  return rows;
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
  bool first = true;
  for (const SummaryRow& row : summaryRows(graph, analysis, options)) {
    if (!first) out << "\n";
    first = false;
    std::string prefix;
    for (int level = 0; level < row.depth; ++level)
      prefix += "\u2502 ";  // one bar per nesting level, as Keras's expand_nested table
    std::string shape = row.known ? shapeToString(row.outputShape) : std::string("?");
    if (row.className == "InputLayer" && !row.isGroup) shape = "[" + shape + "]";
    const std::string params = row.known || row.isGroup ? std::to_string(row.params) : "?";
    out << cell(prefix + row.label + " (" + row.className + ")", widths[0])
        << cell(shape, widths[1]) << cell(params, widths[2]);
    if (connected) {
      for (size_t k = 0; k < row.inputs.size(); ++k)
        out << (k ? "\n" + std::string(widths[0] + widths[1] + widths[2], ' ') : "")
            << row.inputs[k] << "[0][0]";
    }
    const bool frozen = row.isGroup ? row.params > 0 && !row.trainableParams : !row.trainable;
    if (frozen) out << (connected ? "  (frozen)" : "(frozen)");
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
