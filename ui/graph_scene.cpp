#include "ui/graph_scene.h"

#include <QScopeGuard>
#include <QSignalBlocker>
#include <algorithm>
#include <cmath>
#include <set>

#include "graph/shape.h"
#include "graph/summary.h"
#include "ui/category_style.h"
#include "ui/doc/document.h"
#include "ui/edge_item.h"
#include "ui/edge_labels.h"
#include "ui/freeze_boundary_item.h"
#include "ui/group_item.h"
#include "ui/node_item.h"
#include "ui/output_marker_item.h"
#include "ui/type_label.h"

namespace graft::ui {
namespace {

NodeView viewOf(const Node& node, const GraphAnalysis& analysis) {
  NodeView view;
  view.name = QString::fromStdString(node.name);
  view.className = QString::fromStdString(node.className);
  const Json activation = node.config.value("activation", Json());
  QString function =
      activation.is_string() ? QString::fromStdString(activation.get<std::string>()) : QString();
  function.remove(QStringLiteral("_keras3"));  // Keras 3's hard_sigmoid, as Graft reads it
  view.typeLabel = shortTypeName(view.className, function);
  view.category = categoryOf(node.className);
  view.trainable = node.trainable;
  if (const NodeInfo* info = analysis.find(node.name)) {
    view.shape = QString::fromStdString(shapeToString(info->outputShape));
    view.params = info->params;
    view.hasWeights = !info->weights.empty();
  }
  QStringList problems;
  for (const Diagnostic& d : analysis.diagnostics)
    if (d.subject == node.name) problems << QString::fromStdString(d.message);
  view.problem = problems.join('\n');
  return view;
}

GroupView groupViewOf(const Graph& graph, const GraphAnalysis& analysis, const LayoutGroup& g) {
  GroupView view;
  view.path = QString::fromStdString(g.path);
  view.name = QString::fromStdString(g.path.substr(g.path.rfind('/') + 1));
  view.className = QString::fromStdString(g.className);
  const GroupSummary summary = summarizeGroup(graph, analysis, g.path);
  view.params = summary.params;
  view.frozen = summary.params > 0 && summary.trainableParams == 0;  // as summary prints it
  view.depth = g.depth;
  for (const Node& node : graph.nodes())
    if (groupWithin(node.group, g.path)) ++view.layers;
  if (const NodeInfo* info = analysis.find(summary.output))
    view.shape = QString::fromStdString(shapeToString(info->outputShape));
  return view;
}

}  // namespace

GraphScene::GraphScene(Document* document, QObject* parent)
    : QGraphicsScene(parent), document_(document) {
  // Big graphs: a BSP index makes hit tests and painting of the visible part cheap.
  setItemIndexMethod(BspTreeIndex);
  connect(document_, &Document::opened, this, [this] {
    // Collapsed groups belong to the model they were collapsed in; a project brings its own
    // (opened() comes before the changed() that lays the new model out).
    std::set<std::string> opened;
    if (document_->hasModel())
      opened.insert(document_->model().collapsedGroups.begin(),
                    document_->model().collapsedGroups.end());
    if (opened == collapsed_) return;
    collapsed_ = std::move(opened);
    topology_.clear();
  });
  connect(document_, &Document::changed, this, &GraphScene::sync);
  connect(this, &QGraphicsScene::selectionChanged, this, [this] {
    if (!syncing_) Q_EMIT layersSelected(selectedLayers());
  });
  sync();
}

GraphScene::~GraphScene() {
  // Removing the items deselects them; nobody may hear about that any more.
  blockSignals(true);
  clear();
}

void GraphScene::sync() {
  candidates_.clear();  // measured on the model before this change
  if (!document_->hasModel()) {
    syncing_ = true;
    clear();
    nodes_.clear();
    edges_.clear();
    markers_.clear();
    groups_.clear();
    boundary_ = nullptr;
    topology_.clear();
    syncing_ = false;
    return;
  }
  const std::string key = topologyKey(document_->graph());
  if (key != topology_) {
    rebuild();
    topology_ = key;
  } else {
    refreshCards();
  }
}

void GraphScene::setArrangement(Arrangement arrangement, bool compact) {
  if (arrangement == arrangement_ && compact == compact_) return;
  arrangement_ = arrangement;
  compact_ = compact;
  if (document_->hasModel()) rebuild();
}

void GraphScene::setViewScale(double scale) {
  viewScale_ = scale;
  if (boundary_) {
    boundary_->setViewScale(scale);
    placeFreezeHandle();
  }
  // One output's tag keeps its size on screen, under (left to right: beside) its layer, where
  // the graph ends; several (a feature extractor with a tap per block: 124 in one InceptionV3
  // file) would cover the fitted graph: those are zoomed with the graph.
  const double tags = markers_.size() == 1 ? scale : 1.0;
  for (OutputMarkerItem* marker : std::as_const(markers_)) marker->setViewScale(tags);
  fitSceneRect();
}

void GraphScene::fitSceneRect() {
  // Room around the graph (and the boundary's handle on the left) so the first and last layers
  // can be scrolled to the middle; far out, the overlays reach further (the output's tag was cut
  // off under a fitted ResNet50).
  if (!document_->hasModel()) return;
  // (20 px on screen past them: 20 units were under a pixel at 2 %, the left-to-right output
  // tag flush with the window's edge when scrolled to the end.)
  const double room = 20 / viewScale_;
  const QRectF rect = layout_.bounds.adjusted(-400, -200, 300, 200) |
                      overlayBounds().adjusted(-room, -room, room, room);
  if (rect != sceneRect()) setSceneRect(rect);
}

QRectF GraphScene::overlayBounds() const {
  QRectF bounds;
  if (boundary_) bounds |= boundary_->sceneBoundingRect();
  for (const OutputMarkerItem* marker : markers_) bounds |= marker->sceneBoundingRect();
  return bounds;
}

bool GraphScene::rewrapForView() {
  if (arrangement_ != Arrangement::WrappedColumns || !document_->hasModel()) return false;
  if (std::abs(std::log(viewAspect_ / laidOutAspect_)) < 0.15) return false;
  rebuild();
  return true;
}

void GraphScene::rebuild() {
  const QStringList selected = selectedLayers();
  const Graph& graph = document_->graph();
  LayoutOptions options;
  if (arrangement_ == Arrangement::LeftToRight) options.direction = LayoutDirection::LeftToRight;
  if (arrangement_ == Arrangement::WrappedColumns) options.wrapAspect = viewAspect_;
  options.collapsed = collapsed_;
  laidOutAspect_ = viewAspect_;
  layout_ = layoutGraph(graph, NodeItem::cardSize(compact_), options);
  ++layoutCount_;
  syncing_ = true;
  clear();
  nodes_.clear();
  edges_.clear();
  markers_.clear();
  groups_.clear();
  for (const LayoutGroup& group : layout_.groups) {
    auto* item = new GroupItem(groupViewOf(graph, document_->analysis(), group), group.rect,
                               group.continued, group.collapsed, compact_);
    item->setVisible(!group.hidden);
    addItem(item);
    groups_.append(item);
  }
  for (size_t i = 0; i < graph.size(); ++i) {
    auto* item = new NodeItem(viewOf(graph.nodes()[i], document_->analysis()), compact_);
    item->setPos(layout_.centers[i]);
    item->setVisible(layout_.cardOf[i] < 0);  // a collapsed group's card stands for it
    addItem(item);
    nodes_.insert(item->name(), item);
  }
  applyCandidateMarks();
  for (const LayoutEdge& edge : layout_.edges) {
    auto* item = new EdgeItem(QString::fromStdString(graph.nodes()[edge.from].name),
                              QString::fromStdString(graph.nodes()[edge.to].name), edge.path);
    addItem(item);
    edges_.append(item);
  }
  for (const std::string& output : graph.outputs()) {
    auto* marker = new OutputMarkerItem(QString::fromStdString(output));
    addItem(marker);
    markers_.append(marker);
    connect(marker, &OutputMarkerItem::dropped, this,
            [this](const QString& from, const QPointF& at) {
              const QString target = layerAt(at);
              if (!target.isEmpty() && target != from) Q_EMIT outputDroppedOn(from, target);
            });
  }
  refreshEdgeLabels();
  boundary_ = nullptr;
  if (!layout_.leftToRight) {  // a line across one column (of a wrapped layout)
    if (layout_.wrapped) {
      boundary_ = new FreezeBoundaryItem(layout_.columnLeft - 10,
                                         layout_.columnLeft + layout_.columnWidth + 10);
      boundary_->setColumns(layout_.columnStep, layout_.columns);
    } else {
      boundary_ = new FreezeBoundaryItem(layout_.bounds.left() - 10, layout_.bounds.right() + 10);
    }
    boundary_->setViewScale(viewScale_);
    addItem(boundary_);
    connect(boundary_, &FreezeBoundaryItem::dragged, this, [this](const QPointF& at) {
      boundary_->setFrozenCount(static_cast<int>(layersBefore(at).size()));
    });
    connect(boundary_, &FreezeBoundaryItem::released, this, [this](const QPointF& at) {
      // Snap back first; if the document changes, the boundary moves to its new place anyway.
      placeOverlays();
      Q_EMIT freezeBoundaryMoved(at);
    });
  }
  placeOverlays();
  setViewScale(viewScale_);             // the markers' size, and the scene rect around all
  for (const QString& name : selected)  // those now in a collapsed group are not selected
    if (NodeItem* item = nodes_.value(name); item && item->isVisible()) item->setSelected(true);
  syncing_ = false;
  Q_EMIT relaidOut();
  Q_EMIT layersSelected(selectedLayers());
}

void GraphScene::setCutCandidates(const QMap<QString, double>& accuracyByLayer) {
  candidates_ = accuracyByLayer;
  applyCandidateMarks();
}

void GraphScene::applyCandidateMarks() {
  for (NodeItem* item : std::as_const(nodes_))
    item->setCandidateAccuracy(candidates_.value(item->name(), -1.0));
}

void GraphScene::refreshCards() {
  for (const Node& node : document_->graph().nodes())
    if (NodeItem* item = nodes_.value(QString::fromStdString(node.name)))
      item->setView(viewOf(node, document_->analysis()));
  applyCandidateMarks();
  refreshEdgeLabels();
  for (size_t k = 0; k < layout_.groups.size() && k < static_cast<size_t>(groups_.size()); ++k)
    groups_[static_cast<int>(k)]->setView(
        groupViewOf(document_->graph(), document_->analysis(), layout_.groups[k]));
  const QRectF overlays = overlayBounds();
  placeOverlays();
  // The freeze handle may have moved out of the layout (above the columns, where it covers no
  // card): the scene reaches it, and a fitted view fits it in.
  if (overlayBounds() != overlays) {
    fitSceneRect();
    Q_EMIT overlaysMoved();
  }
  // Selection is unchanged, but what the properties panel shows about it may not be.
  Q_EMIT layersSelected(selectedLayers());
}

void GraphScene::refreshEdgeLabels() {
  // An edge carries its producer's output shape: on the edge in compact layouts, in the tooltip
  // always.
  for (EdgeItem* edge : edges_) {
    const NodeItem* from = nodes_.value(edge->from());
    edge->setLabel(from ? from->view().shape : QString(), compact_);
  }
}

EdgeItem* GraphScene::edgeAt(const QPointF& scenePos) const {
  for (QGraphicsItem* item : items(scenePos))
    if (item->type() == EdgeItem::Type) return static_cast<EdgeItem*>(item);
  return nullptr;
}

NodeItem* GraphScene::nodeAt(const QPointF& scenePos) const {
  for (QGraphicsItem* item : items(scenePos))
    if (item->type() == NodeItem::Type && item->isVisible()) return static_cast<NodeItem*>(item);
  return nullptr;
}

QString GraphScene::layerAt(const QPointF& scenePos) const {
  if (NodeItem* node = nodeAt(scenePos)) return node->name();
  const GroupItem* group = groupAt(scenePos);
  if (!group || !group->isCollapsed() || !document_->hasModel()) return {};
  // Only a nested model with one way out stands for one layer (an encoder with several taps
  // would send a drop to whichever comes last).
  const Graph& graph = document_->graph();
  const std::string path = group->view().path.toStdString();
  std::set<std::string> exits;
  for (const Node& node : graph.nodes()) {
    if (groupWithin(node.group, path)) continue;
    for (const std::string& input : node.inputs)
      if (groupWithin(graph.at(input).group, path)) exits.insert(input);
  }
  for (const std::string& output : graph.outputs())
    if (groupWithin(graph.at(output).group, path)) exits.insert(output);
  return exits.size() == 1 ? QString::fromStdString(*exits.begin()) : QString();
}

NodeItem* GraphScene::outputNodeItem() const {
  if (!document_->hasModel() || document_->graph().outputs().size() != 1) return nullptr;
  NodeItem* item = nodeItem(QString::fromStdString(document_->graph().outputs().front()));
  return item && item->isVisible() ? item : nullptr;
}

GroupItem* GraphScene::groupItem(const QString& path) const {
  for (GroupItem* item : groups_)
    if (item->view().path == path) return item;
  return nullptr;
}

GroupItem* GraphScene::groupAt(const QPointF& scenePos) const {
  for (QGraphicsItem* item : items(scenePos))
    if (item->type() == GroupItem::Type) {
      auto* group = static_cast<GroupItem*>(item);
      if (group->isOnTitle(scenePos)) return group;
    }
  return nullptr;
}

bool GraphScene::isGroupCollapsed(const QString& path) const {
  return collapsed_.count(path.toStdString()) > 0;
}

void GraphScene::setGroupCollapsed(const QString& path, bool collapsed) {
  if (isGroupCollapsed(path) == collapsed) return;
  if (collapsed) {
    collapsed_.insert(path.toStdString());
  } else {
    collapsed_.erase(path.toStdString());
  }
  if (document_->hasModel() && document_->graph().findGroup(path.toStdString())) rebuild();
}

bool GraphScene::expandGroupsOf(const QStringList& layers) {
  if (!document_->hasModel()) return false;
  bool changed = false;
  for (const QString& name : layers) {
    const Node* node = document_->graph().find(name.toStdString());
    if (!node) continue;
    for (auto it = collapsed_.begin(); it != collapsed_.end();) {
      if (groupWithin(node->group, *it)) {
        it = collapsed_.erase(it);
        changed = true;
      } else {
        ++it;
      }
    }
  }
  if (changed) rebuild();
  return changed;
}

QStringList GraphScene::selectedLayers() const {
  QStringList names;
  if (!document_->hasModel()) return names;
  for (const Node& node : document_->graph().nodes()) {
    const NodeItem* item = nodes_.value(QString::fromStdString(node.name));
    if (item && item->isSelected()) names << item->name();
  }
  return names;
}

void GraphScene::selectLayers(const QStringList& names) {
  expandGroupsOf(names);
  if (names == selectedLayers()) return;
  syncing_ = true;
  clearSelection();
  for (const QString& name : names)
    if (NodeItem* item = nodes_.value(name)) item->setSelected(true);
  syncing_ = false;
  Q_EMIT layersSelected(selectedLayers());
}

}  // namespace graft::ui

namespace graft::ui {

int GraphScene::columnOf(const QPointF& cardCenter) const {
  if (!layout_.wrapped || layout_.columnStep <= 0) return 0;
  return static_cast<int>(std::floor((cardCenter.x() - layout_.columnLeft) / layout_.columnStep));
}

QStringList GraphScene::layersBefore(const QPointF& at) const {
  QStringList names;
  if (!document_->hasModel()) return names;
  // The boundary item sits at x = column * step (its line drawn over column 0's span).
  const int column = layout_.wrapped && layout_.columnStep > 0
                         ? static_cast<int>(std::lround(at.x() / layout_.columnStep))
                         : 0;
  for (const Node& node : document_->graph().nodes()) {
    const NodeItem* item = nodes_.value(QString::fromStdString(node.name));
    if (!item) continue;
    const int own = columnOf(item->pos());
    if (own < column || (own == column && item->pos().y() < at.y())) names << item->name();
  }
  return names;
}

OutputMarkerItem* GraphScene::outputMarker(const QString& output) const {
  for (OutputMarkerItem* marker : markers_)
    if (marker->output() == output) return marker;
  return nullptr;
}

void GraphScene::placeOverlays() {
  // Last, wherever this returns: shape labels keep clear of the boundary where it ends up.
  const auto labels = qScopeGuard([this] { placeEdgeLabels(edges_, groups_, boundary_); });
  const QSizeF card = NodeItem::cardSize(compact_);
  const double half = card.height() / 2;
  // The tag's start is 8 units off the card, its notch reaching to it.
  const QPointF markerOffset =
      layout_.leftToRight ? QPointF(card.width() / 2 - 4, 0) : QPointF(0, half + 20);
  for (OutputMarkerItem* marker : markers_) {
    marker->setBesideLayer(layout_.leftToRight);
    if (const NodeItem* node = nodes_.value(marker->output()))
      marker->setPos(node->pos() + markerOffset);
  }
  if (!boundary_ || nodes_.isEmpty()) return;
  // Just below the frozen layers the model starts with (the lowest one of the last column
  // holding any); above the first layer when nothing is frozen. They end at the first layer that
  // trains weights (one without weights does not end them): a layer frozen on its own further
  // down (a Dense frozen with Ctrl+T) is hatched, and the bar stayed below the whole graph.
  const Graph& graph = document_->graph();
  std::set<std::string> frozenPrefix;
  if (const auto order = graph.topologicalOrder()) {
    for (size_t index : *order) {
      const Node& node = graph.nodes()[index];
      const NodeInfo* info = document_->analysis().find(node.name);
      if (node.trainable && info && info->params > 0) break;
      if (!node.trainable) frozenPrefix.insert(node.name);
    }
  }
  int lastColumn = -1;
  double lowestFrozen = -1e18;
  double top = 1e18;
  int frozen = 0;
  for (const Node& node : graph.nodes()) {
    const NodeItem* item = nodes_.value(QString::fromStdString(node.name));
    if (!item) continue;
    if (columnOf(item->pos()) == 0) top = std::min(top, item->pos().y());
    if (!frozenPrefix.count(node.name)) continue;
    ++frozen;
    const int column = columnOf(item->pos());
    if (column > lastColumn) {
      lastColumn = column;
      lowestFrozen = item->pos().y();
    } else if (column == lastColumn) {
      lowestFrozen = std::max(lowestFrozen, item->pos().y());
    }
  }
  const double gap = 16;
  const QPointF at = frozen > 0
                         ? QPointF(lastColumn * layout_.columnStep, lowestFrozen + half + gap)
                         : QPointF(0, top - half - gap);
  int elsewhere = 0;
  for (const Node& node : graph.nodes())
    if (!node.trainable && !frozenPrefix.count(node.name) &&
        nodes_.contains(QString::fromStdString(node.name)))
      ++elsewhere;
  const QSignalBlocker blocker(boundary_);  // placing is not dragging
  boundary_->setPos(at);
  boundary_->setFrozenCount(layersBefore(at).isEmpty() ? 0 : frozen, elsewhere);
  placeFreezeHandle();
}

void GraphScene::placeFreezeHandle() {
  QList<QRectF> cards;  // collapsed nested models are cards too
  for (const NodeItem* node : std::as_const(nodes_))
    if (node->isVisible()) cards << node->sceneBoundingRect();
  for (const GroupItem* group : std::as_const(groups_))
    if (group->isVisible() && group->isCollapsed()) cards << group->sceneBoundingRect();
  boundary_->placeHandleClearOf(cards);
}

}  // namespace graft::ui
