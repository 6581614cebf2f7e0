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

// What is laid out: every layer outside collapsed groups, and one card per outermost collapsed
// group (a "unit" each). Connections inside a card are dropped; the others join units.
struct Units {
  size_t count = 0;
  std::vector<size_t> unitOf;    // per node
  std::vector<int> cardGroup;    // per unit: index in graph.groups() of its card, or -1 (a layer)
  std::vector<int> cardOfGroup;  // per group: the unit of the card it is drawn as (itself or an
                                 // outer collapsed group), or -1 when it is drawn as a box
  std::vector<std::pair<size_t, size_t>> edges;  // node indices, graph order
};

Units unitsOf(const Graph& graph, const std::set<std::string>& collapsed) {
  Units units;
  std::map<std::string, int> unitOfGroup;  // group path -> card unit (for collapsed ones)
  units.cardOfGroup.assign(graph.groups().size(), -1);
  for (size_t k = 0; k < graph.groups().size(); ++k) {  // parents come first
    const NodeGroup& group = graph.groups()[k];
    auto outer = unitOfGroup.find(group.parent());
    if (!group.parent().empty() && outer != unitOfGroup.end()) {
      unitOfGroup[group.path] = outer->second;
    } else if (collapsed.count(group.path)) {
      unitOfGroup[group.path] = static_cast<int>(units.count++);
      units.cardGroup.push_back(static_cast<int>(k));
    } else {
      continue;
    }
    units.cardOfGroup[k] = unitOfGroup[group.path];
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < graph.size(); ++i) {
    const Node& node = graph.nodes()[i];
    index[node.name] = i;
    auto card = node.group.empty() ? unitOfGroup.end() : unitOfGroup.find(node.group);
    if (card != unitOfGroup.end()) {
      units.unitOf.push_back(static_cast<size_t>(card->second));
    } else {
      units.unitOf.push_back(units.count++);
      units.cardGroup.push_back(-1);
    }
  }
  for (size_t i = 0; i < graph.size(); ++i)
    for (const std::string& input : graph.nodes()[i].inputs) {
      auto it = index.find(input);
      if (it == index.end()) continue;
      const size_t from = units.unitOf[it->second], to = units.unitOf[i];
      if (from == to && units.cardGroup[from] >= 0) continue;  // inside one card
      units.edges.emplace_back(it->second, i);
    }
  return units;
}

// Depth 0 for a top-level group.
int depthOf(const std::string& path) {
  return static_cast<int>(std::count(path.begin(), path.end(), '/'));
}

// Fills what follows from the units' centres: the layers drawn as cards sit at their card's
// centre, and each collapsed (or hidden) group's rect is its card. `layout.groups` has one
// entry per group of the graph, in its order; the boxes of expanded ones are the caller's.
void placeCards(GraphLayout& layout, const Graph& graph, const Units& units,
                const std::vector<QPointF>& unitCenters, QSizeF size) {
  auto cardRect = [&](size_t unit) {
    return QRectF(unitCenters[unit] - QPointF(size.width() / 2, size.height() / 2), size);
  };
  layout.groups.resize(graph.groups().size());
  for (size_t k = 0; k < graph.groups().size(); ++k) {
    const NodeGroup& group = graph.groups()[k];
    LayoutGroup& entry = layout.groups[k];
    entry.path = group.path;
    entry.className = group.className;
    entry.depth = depthOf(group.path);
    const int unit = units.cardOfGroup[k];
    if (unit < 0) continue;
    entry.rect = cardRect(static_cast<size_t>(unit));
    entry.collapsed = units.cardGroup[static_cast<size_t>(unit)] == static_cast<int>(k);
    entry.hidden = !entry.collapsed;
  }
  layout.centers.resize(graph.size());
  layout.cardOf.assign(graph.size(), -1);
  for (size_t i = 0; i < graph.size(); ++i) {
    const size_t unit = units.unitOf[i];
    layout.centers[i] = unitCenters[unit];
    layout.cardOf[i] = units.cardGroup[unit];
  }
}

QPainterPath straightEdge(QPointF from, QPointF to, QSizeF size, bool leftToRight) {
  const QPointF half = leftToRight ? QPointF(size.width() / 2, 0) : QPointF(0, size.height() / 2);
  QPainterPath path(from + half);
  path.lineTo(to - half);
  return path;
}

// Used only if Graphviz cannot lay out (missing plugin): longest-path ranks, units of a rank
// side by side in graph order, straight edges, no boxes around expanded groups. Readable for
// chains, crowded for big branches.
GraphLayout fallbackLayout(const Graph& graph, QSizeF size, const Units& units, bool leftToRight) {
  GraphLayout layout;
  layout.leftToRight = leftToRight;
  std::vector<int> rank(units.count, 0);
  auto order = graph.topologicalOrder();
  std::vector<size_t> sequence;
  if (order) {
    sequence = *order;
  } else {
    for (size_t i = 0; i < graph.size(); ++i) sequence.push_back(i);
  }
  std::vector<std::vector<size_t>> producers(graph.size());
  for (auto [from, to] : units.edges) producers[to].push_back(from);
  for (size_t node : sequence) {
    const size_t unit = units.unitOf[node];
    for (size_t from : producers[node])
      rank[unit] = std::max(rank[unit], rank[units.unitOf[from]] + 1);
  }
  std::map<int, int> filled;
  std::vector<QPointF> centers(units.count);
  for (size_t u = 0; u < units.count; ++u) {
    const int column = filled[rank[u]]++;
    centers[u] = leftToRight
                     ? QPointF(rank[u] * (size.width() + 40), column * (size.height() + 30))
                     : QPointF(column * (size.width() + 30), rank[u] * (size.height() + 40));
  }
  placeCards(layout, graph, units, centers, size);
  for (auto [from, to] : units.edges)
    layout.edges.push_back(
        {from, to, straightEdge(layout.centers[from], layout.centers[to], size, leftToRight)});
  for (const QPointF& c : centers)
    layout.bounds |= QRectF(c - QPointF(size.width() / 2, size.height() / 2), size);
  // Expanded groups: a box around their layers' cards (they may overlap other layers here).
  for (size_t k = 0; k < graph.groups().size(); ++k) {
    if (units.cardOfGroup[k] >= 0) continue;
    QRectF box;
    for (size_t i = 0; i < graph.size(); ++i)
      if (groupWithin(graph.nodes()[i].group, graph.groups()[k].path))
        box |= QRectF(layout.centers[i] - QPointF(size.width() / 2, size.height() / 2), size);
    const double margin = 8.0 * (3 - std::min(layout.groups[k].depth, 2));
    layout.groups[k].rect = box.adjusted(-margin, -margin - 20, margin, margin);
    layout.bounds |= layout.groups[k].rect;
  }
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

GraphLayout dotLayout(const Graph& graph, QSizeF size, bool leftToRight,
                      const std::set<std::string>& collapsed) {
  if (graph.size() == 0) return {};
  const Units units = unitsOf(graph, collapsed);

  GVC_t* context = graphvizContext();
  if (!context) return fallbackLayout(graph, size, units, leftToRight);
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

  // Nested models drawn as boxes become dot clusters (dot keeps a cluster's layers together and
  // draws its box around them); a cluster's name must start with "cluster". A collapsed one is
  // a node of the cluster around it.
  std::map<std::string, Agraph_t*> clusters;
  std::vector<Agnode_t*> unitNodes(units.count, nullptr);
  auto clusterOf = [&](const std::string& path) {
    auto it = path.empty() ? clusters.end() : clusters.find(path);
    return it == clusters.end() ? g : it->second;
  };
  for (size_t k = 0; k < graph.groups().size(); ++k) {
    const NodeGroup& group = graph.groups()[k];
    const int card = units.cardOfGroup[k];
    if (card >= 0) {
      if (units.cardGroup[static_cast<size_t>(card)] != static_cast<int>(k)) continue;  // hidden
      const std::string id = "g" + std::to_string(k);
      unitNodes[static_cast<size_t>(card)] = agnode(g, const_cast<char*>(id.c_str()), 1);
      Agraph_t* parent = clusterOf(group.parent());
      if (parent != g) agsubnode(parent, unitNodes[static_cast<size_t>(card)], 1);
      continue;
    }
    const std::string id = "cluster_" + std::to_string(k);
    Agraph_t* cluster = agsubg(clusterOf(group.parent()), const_cast<char*>(id.c_str()), 1);
    setAttribute(cluster, "label", group.name() + " (" + group.className + ")");
    setAttribute(cluster, "margin", "14");
    clusters[group.path] = cluster;
  }
  for (size_t i = 0; i < graph.size(); ++i) {
    const size_t unit = units.unitOf[i];
    if (units.cardGroup[unit] >= 0) continue;
    const std::string id = "n" + std::to_string(i);
    unitNodes[unit] = agnode(g, const_cast<char*>(id.c_str()), 1);
    Agraph_t* cluster = clusterOf(graph.nodes()[i].group);
    if (cluster != g) agsubnode(cluster, unitNodes[unit], 1);
  }
  std::vector<Agedge_t*> gvEdges;
  for (size_t e = 0; e < units.edges.size(); ++e) {
    const std::string id = "e" + std::to_string(e);  // distinct names keep parallel edges apart
    gvEdges.push_back(agedge(g, unitNodes[units.unitOf[units.edges[e].first]],
                             unitNodes[units.unitOf[units.edges[e].second]],
                             const_cast<char*>(id.c_str()), 1));
  }

  if (gvLayout(context, g, "dot") != 0) {
    agclose(g);
    return fallbackLayout(graph, size, units, leftToRight);
  }
  GraphLayout layout;
  layout.usedGraphviz = true;
  layout.leftToRight = leftToRight;
  const boxf bb = GD_bb(g);
  const double top = bb.UR.y;  // Graphviz's y grows upwards, the scene's downwards
  layout.bounds = QRectF(bb.LL.x, 0, bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y);
  std::vector<QPointF> centers;
  for (Agnode_t* node : unitNodes) centers.emplace_back(ND_coord(node).x, top - ND_coord(node).y);
  placeCards(layout, graph, units, centers, size);
  for (size_t k = 0; k < graph.groups().size(); ++k) {
    auto cluster = clusters.find(graph.groups()[k].path);
    if (cluster == clusters.end()) continue;
    const boxf box = GD_bb(cluster->second);
    layout.groups[k].rect =
        QRectF(QPointF(box.LL.x, top - box.UR.y), QPointF(box.UR.x, top - box.LL.y));
  }
  for (size_t e = 0; e < units.edges.size(); ++e) {
    const auto [from, to] = units.edges[e];
    QPainterPath path = splinePath(gvEdges[e], top);
    if (path.isEmpty())
      path = straightEdge(layout.centers[from], layout.centers[to], size, leftToRight);
    layout.edges.push_back({from, to, path});
  }
  gvFreeLayout(context, g);
  agclose(g);
  return layout;
}

}  // namespace

GraphLayout layoutGraph(const Graph& graph, QSizeF size, const LayoutOptions& options) {
  const bool leftToRight = options.direction == LayoutDirection::LeftToRight;
  GraphLayout layout = dotLayout(graph, size, leftToRight, options.collapsed);
  if (!leftToRight && options.wrapAspect > 0) wrapIntoColumns(layout, size, options.wrapAspect);
  return layout;
}

}  // namespace graft::ui
