#pragma once
// Where each layer and each connection goes in the graph view: a layered layout computed by
// Graphviz's dot (rank assignment, crossing minimisation, spline routing), which keeps
// InceptionV3's parallel branches and ResNet's skip connections readable. Top to bottom (long
// chains optionally wrapped into columns that fill the window) or left to right.
#include <QPainterPath>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace graft::ui {

struct LayoutEdge {
  size_t from = 0;  // node indices in graph order
  size_t to = 0;
  // From the producer's bottom to the consumer's top; an end inside a collapsed group is at
  // that group's card.
  QPainterPath path;
};

// A nested model (Node::group) drawn as a box around its layers, or collapsed into one card.
struct LayoutGroup {
  std::string path;       // "sequential_1/model1"
  std::string className;  // "Functional"
  // Expanded: encloses its layers and nested groups, with room for the title. Collapsed (or
  // inside a collapsed group): the card standing for it.
  QRectF rect;
  int depth = 0;  // 0 for a top-level group
  // A wrapped layout may split a group over several columns: the pieces after the first.
  std::vector<QRectF> continued;
  bool collapsed = false;  // drawn as one card (this group itself, not an outer one, collapsed)
  bool hidden = false;     // inside a collapsed group: not drawn at all
};

struct GraphLayout {
  // Per node, graph order; a layer inside a collapsed group sits at the centre of its card.
  std::vector<QPointF> centers;
  // Per node: the index in `groups` of the collapsed card drawn instead of it, or -1.
  std::vector<int> cardOf;
  // Per input of every node, graph order, except connections inside one collapsed card.
  std::vector<LayoutEdge> edges;
  std::vector<LayoutGroup> groups;  // parents before children
  QRectF bounds;
  bool usedGraphviz = false;
  bool leftToRight = false;  // edges leave a card on its right and enter on the left
  bool wrapped = false;      // chains continue in the next column
  // Wrapped: column k spans x from columnLeft + k * columnStep, columnWidth wide.
  int columns = 1;
  double columnLeft = 0;
  double columnWidth = 0;
  double columnStep = 0;
};

enum class LayoutDirection { TopToBottom, LeftToRight };

struct LayoutOptions {
  LayoutDirection direction = LayoutDirection::TopToBottom;
  // Top to bottom only: cut a tall layout into side-by-side columns so that the whole graph has
  // about this width/height ratio (the window's); 0 keeps one column.
  double wrapAspect = 0;
  // Nested models (group paths) laid out as one card of the node size: their layers and the
  // connections between them are not drawn, connections from and to the outside end at the
  // card. Paths of groups the graph does not have are ignored.
  std::set<std::string> collapsed;
};

// Every node gets the same box size so a relayout is needed only when the wiring changes.
GraphLayout layoutGraph(const Graph& graph, QSizeF nodeSize, const LayoutOptions& options = {});

// Same wiring (names, inputs, outputs, groups) means the same layout; configs and freezing don't
// matter.
std::string topologyKey(const Graph& graph);

}  // namespace graft::ui
