#include "ui/graph_layout.h"

#include <gvc.h>

#include "ui/layout_wrap.h"

#include <algorithm>
#include <map>

namespace graft::ui {
namespace {

constexpr double kPointsPerInch = 72.0;  // Graphviz sizes nodes in inches, places them in points

// gvContext() reads the plugin configuration from disk; doing that once is enough.
GVC_t* graphvizContext() {
  static GVC_t* context = gvContext();
  return context;
}

void setAttribute(void* object, const char* name, const std::string& value) {
  agsafeset(object, const_cast<char*>(name), const_cast<char*>(value.c_str()),
            const_cast<char*>(""));
}

std::vector<std::pair<size_t, size_t>> edgeList(const Graph& graph,
                                                const std::map<std::string, size_t>& index) {
  std::vector<std::pair<size_t, size_t>> edges;
  for (size_t i = 0; i < graph.size(); ++i)
    for (const std::string& input : graph.nodes()[i].inputs) {
      auto it = index.find(input);
      if (it != index.end()) edges.emplace_back(it->second, i);
    }
  return edges;
}

QPainterPath straightEdge(QPointF from, QPointF to, QSizeF size, bool leftToRight) {
  const QPointF half = leftToRight ? QPointF(size.width() / 2, 0) : QPointF(0, size.height() / 2);
  QPainterPath path(from + half);
  path.lineTo(to - half);
  return path;
}

// Used only if Graphviz cannot lay out (missing plugin): longest-path ranks, nodes of a rank
// side by side in graph order, straight edges. Readable for chains, crowded for big branches.
GraphLayout fallbackLayout(const Graph& graph, QSizeF size,
                           const std::vector<std::pair<size_t, size_t>>& edges, bool leftToRight) {
  GraphLayout layout;
  layout.leftToRight = leftToRight;
  std::vector<int> rank(graph.size(), 0);
  auto order = graph.topologicalOrder();
  std::vector<size_t> sequence;
  if (order) {
    sequence = *order;
  } else {
    for (size_t i = 0; i < graph.size(); ++i) sequence.push_back(i);
  }
  std::vector<std::vector<size_t>> producers(graph.size());
  for (auto [from, to] : edges) producers[to].push_back(from);
  for (size_t node : sequence)
    for (size_t from : producers[node]) rank[node] = std::max(rank[node], rank[from] + 1);
  std::map<int, int> filled;
  layout.centers.resize(graph.size());
  for (size_t i = 0; i < graph.size(); ++i) {
    const int column = filled[rank[i]]++;
    layout.centers[i] = leftToRight
                            ? QPointF(rank[i] * (size.width() + 40), column * (size.height() + 30))
                            : QPointF(column * (size.width() + 30), rank[i] * (size.height() + 40));
  }
  for (auto [from, to] : edges)
    layout.edges.push_back(
        {from, to, straightEdge(layout.centers[from], layout.centers[to], size, leftToRight)});
  for (const QPointF& c : layout.centers)
    layout.bounds |= QRectF(c - QPointF(size.width() / 2, size.height() / 2), size);
  return layout;
}

QPainterPath splinePath(Agedge_t* edge, double top) {
  QPainterPath path;
  const splines* spl = ED_spl(edge);
  if (!spl) return path;
  auto point = [top](pointf p) { return QPointF(p.x, top - p.y); };
  for (int b = 0; b < spl->size; ++b) {
    const bezier& bz = spl->list[b];
    if (bz.size < 1) continue;
    path.moveTo(point(bz.sflag ? bz.sp : bz.list[0]));
    if (bz.sflag) path.lineTo(point(bz.list[0]));
    for (int i = 1; i + 2 < bz.size; i += 3)
      path.cubicTo(point(bz.list[i]), point(bz.list[i + 1]), point(bz.list[i + 2]));
    // dot ends the spline where its arrowhead would start; the view draws its own arrow there.
    if (bz.eflag) path.lineTo(point(bz.ep));
  }
  return path;
}

}  // namespace

std::string topologyKey(const Graph& graph) {
  std::string key;
  for (const Node& node : graph.nodes()) {
    key += node.name;
    if (!node.group.empty()) key += '@' + node.group;
    key += '(';
    for (const std::string& input : node.inputs) key += input + ',';
    key += ')';
  }
  key += "->";
  for (const std::string& output : graph.outputs()) key += output + ',';
  return key;
}

namespace {

GraphLayout dotLayout(const Graph& graph, QSizeF size, bool leftToRight) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < graph.size(); ++i) index[graph.nodes()[i].name] = i;
  const auto edges = edgeList(graph, index);
  if (graph.size() == 0) return {};

  GVC_t* context = graphvizContext();
  if (!context) return fallbackLayout(graph, size, edges, leftToRight);
  Agraph_t* g = agopen(const_cast<char*>("graft"), Agdirected, nullptr);
  setAttribute(g, "rankdir", leftToRight ? "LR" : "TB");
  setAttribute(g, "nodesep", "0.35");
  setAttribute(g, "ranksep", "0.45");
  // Keep a merge layer's inputs in Keras's order, left to right.
  setAttribute(g, "ordering", "in");
  agattr(g, AGNODE, const_cast<char*>("shape"), const_cast<char*>("box"));
  agattr(g, AGNODE, const_cast<char*>("fixedsize"), const_cast<char*>("true"));
  agattr(g, AGNODE, const_cast<char*>("width"),
         const_cast<char*>(std::to_string(size.width() / kPointsPerInch).c_str()));
  agattr(g, AGNODE, const_cast<char*>("height"),
         const_cast<char*>(std::to_string(size.height() / kPointsPerInch).c_str()));
  agattr(g, AGNODE, const_cast<char*>("label"), const_cast<char*>(""));

  // Nested models become dot clusters (dot keeps a cluster's layers together and draws its
  // box around them); a cluster's name must start with "cluster".
  std::map<std::string, Agraph_t*> clusters;
  for (size_t k = 0; k < graph.groups().size(); ++k) {
    const NodeGroup& group = graph.groups()[k];
    Agraph_t* parent = group.parent().empty() ? g : clusters.at(group.parent());
    const std::string id = "cluster_" + std::to_string(k);
    Agraph_t* cluster = agsubg(parent, const_cast<char*>(id.c_str()), 1);
    setAttribute(cluster, "label", group.name() + " (" + group.className + ")");
    setAttribute(cluster, "margin", "14");
    clusters[group.path] = cluster;
  }
  std::vector<Agnode_t*> nodes(graph.size());
  for (size_t i = 0; i < graph.size(); ++i) {
    const std::string id = "n" + std::to_string(i);
    nodes[i] = agnode(g, const_cast<char*>(id.c_str()), 1);
    const std::string& group = graph.nodes()[i].group;
    if (!group.empty() && clusters.count(group)) agsubnode(clusters.at(group), nodes[i], 1);
  }
  std::vector<Agedge_t*> gvEdges;
  for (size_t e = 0; e < edges.size(); ++e) {
    const std::string id = "e" + std::to_string(e);  // distinct names keep parallel edges apart
    gvEdges.push_back(
        agedge(g, nodes[edges[e].first], nodes[edges[e].second], const_cast<char*>(id.c_str()), 1));
  }

  if (gvLayout(context, g, "dot") != 0) {
    agclose(g);
    return fallbackLayout(graph, size, edges, leftToRight);
  }
  GraphLayout layout;
  layout.usedGraphviz = true;
  layout.leftToRight = leftToRight;
  const boxf bb = GD_bb(g);
  const double top = bb.UR.y;  // Graphviz's y grows upwards, the scene's downwards
  layout.bounds = QRectF(bb.LL.x, 0, bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y);
  for (size_t i = 0; i < graph.size(); ++i)
    layout.centers.emplace_back(ND_coord(nodes[i]).x, top - ND_coord(nodes[i]).y);
  for (const NodeGroup& group : graph.groups()) {
    const boxf box = GD_bb(clusters.at(group.path));
    const int depth = static_cast<int>(std::count(group.path.begin(), group.path.end(), '/'));
    layout.groups.push_back(
        {group.path, group.className,
         QRectF(QPointF(box.LL.x, top - box.UR.y), QPointF(box.UR.x, top - box.LL.y)), depth});
  }
  for (size_t e = 0; e < edges.size(); ++e) {
    QPainterPath path = splinePath(gvEdges[e], top);
    if (path.isEmpty())
      path = straightEdge(layout.centers[edges[e].first], layout.centers[edges[e].second], size,
                          leftToRight);
    layout.edges.push_back({edges[e].first, edges[e].second, path});
  }
  gvFreeLayout(context, g);
  agclose(g);
  return layout;
}

}  // namespace

GraphLayout layoutGraph(const Graph& graph, QSizeF size, const LayoutOptions& options) {
  const bool leftToRight = options.direction == LayoutDirection::LeftToRight;
  GraphLayout layout = dotLayout(graph, size, leftToRight);
  if (!leftToRight && options.wrapAspect > 0) wrapIntoColumns(layout, size, options.wrapAspect);
  return layout;
}

}  // namespace graft::ui
