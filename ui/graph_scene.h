#pragma once
// The graph view's scene, a projection of the document: it rebuilds (relayout) when the wiring
// changes and otherwise refreshes every card, edge label and box in place, at once, when configs,
// shapes, names or freezing change, so it never shows a stale fact. It never edits the model;
// user gestures are turned into document operations by the view and main window.
// The freeze boundary is a line across one top-to-bottom column ("everything above it"; in a
// wrapped layout also every column before it); the left-to-right layout does without it and
// freezing there goes through the menus, the cards' ice hatching showing what is frozen.
// Nested models may be collapsed into one card each: view state, kept by group path across edits
// and undo, replaced by the opened model's own (a project keeps them) when another is opened.
// A collapsed group's layers keep their (hidden) cards, placed at its card, so the freeze boundary
// counts them where the card is. The cut-point explorer's candidates are view state too: their
// cards are coloured by the measured accuracy until the model changes (the measurements were of the
// model as it was).
#include <QGraphicsScene>
#include <QHash>
#include <QMap>
#include <set>
#include <string>

#include "ui/graph_layout.h"

namespace graft::ui {

class Document;
class EdgeItem;
class FreezeBoundaryItem;
class GroupItem;
class NodeItem;
class OutputMarkerItem;

class GraphScene : public QGraphicsScene {
  Q_OBJECT
 public:
  explicit GraphScene(Document* document, QObject* parent = nullptr);
  ~GraphScene() override;

  NodeItem* nodeItem(const QString& name) const { return nodes_.value(name); }
  const QHash<QString, NodeItem*>& nodeItems() const { return nodes_; }
  const QList<EdgeItem*>& edgeItems() const { return edges_; }
  // The boxes (or collapsed cards) of nested models, parents first, one per group of the graph;
  // those inside a collapsed group are hidden.
  const QList<GroupItem*>& groupItems() const { return groups_; }
  GroupItem* groupItem(const QString& path) const;
  // The visible box title or collapsed card under a scene point, or null.
  GroupItem* groupAt(const QPointF& scenePos) const;
  bool isGroupCollapsed(const QString& path) const;
  // The group paths shown collapsed, sorted (a saved project keeps them: Model::collapsedGroups).
  std::vector<std::string> collapsedGroups() const {
    return {collapsed_.begin(), collapsed_.end()};
  }
  // Shows the nested model as one card (or its layers again) and lays the graph out anew.
  void setGroupCollapsed(const QString& path, bool collapsed);
  // Expands the collapsed groups holding these layers; true when that laid the graph out anew.
  bool expandGroupsOf(const QStringList& layers);
  // The edge under a scene point (within a few pixels), or null.
  EdgeItem* edgeAt(const QPointF& scenePos) const;
  NodeItem* nodeAt(const QPointF& scenePos) const;  // visible cards only
  // The layer a scene point stands for: a visible card's, or a collapsed nested model's output
  // layer (the card stands for its layers: a layer dropped on it goes after the nested model,
  // the output marker cuts there); empty elsewhere.
  QString layerAt(const QPointF& scenePos) const;
  // The card of the model's one output when it is visible (what a drop on empty space builds
  // on); null with several outputs.
  NodeItem* outputNodeItem() const;

  QStringList selectedLayers() const;  // in graph order
  // Layers inside a collapsed group are shown first (expanding it): selecting from the summary
  // table or the find bar reveals the layer.
  void selectLayers(const QStringList& names);

  // Layers whose cards lie above a scene y, in graph order (what a freeze boundary there means).
  QStringList layersAbove(double y) const { return layersBefore(QPointF(0, y)); }
  // The same for a freeze boundary placed at `at` (its position: in a wrapped layout x says the
  // column, and every layer of the columns before it counts as above).
  QStringList layersBefore(const QPointF& at) const;
  FreezeBoundaryItem* freezeBoundary() const { return boundary_; }
  // What the freeze boundary and the output markers cover (their size follows the zoom).
  QRectF overlayBounds() const;
  OutputMarkerItem* outputMarker(const QString& output) const;
  // Puts the freeze boundary and output markers where the document says they are.
  void placeOverlays();

  // Marks these layers as measured cut points, coloured by validation accuracy (0..1); an
  // empty map clears the marks. Any change of the model clears them too.
  void setCutCandidates(const QMap<QString, double>& accuracyByLayer);
  const QMap<QString, double>& cutCandidates() const { return candidates_; }

  // How the graph is laid out; changing it lays the graph out again.
  enum class Arrangement { TopToBottom, WrappedColumns, LeftToRight };
  Arrangement arrangement() const { return arrangement_; }
  bool isCompact() const { return compact_; }
  void setArrangement(Arrangement arrangement, bool compact);
  // The window's width/height: wrapped columns are cut to fill it at the next layout.
  void setViewAspect(double aspect) { viewAspect_ = aspect; }
  // The view's zoom: zoomed out, the freeze boundary's handle and the output markers keep a
  // readable size on screen.
  void setViewScale(double scale);
  // Wrapped columns laid out for a window of another shape (the notes banner appeared, the
  // window was resized) are cut again for this one; true when that relaid the graph out.
  bool rewrapForView();
  const GraphLayout& layout() const { return layout_; }

  int layoutCount() const { return layoutCount_; }  // how often the wiring was laid out
  bool usedGraphviz() const { return layout_.usedGraphviz; }

 Q_SIGNALS:
  void layersSelected(const QStringList& names);
  // Positions changed (a new model or new wiring): views may want to refit.
  void relaidOut();
  // The freeze boundary was let go (at its position); an output marker was dropped on a layer.
  void freezeBoundaryMoved(const QPointF& at);
  void outputDroppedOn(const QString& output, const QString& layer);
  // An edit moved the freeze boundary or an output marker (not a new layout: relaidOut).
  void overlaysMoved();

 private:
  void sync();
  void rebuild();
  void refreshCards();
  void refreshEdgeLabels();
  void fitSceneRect();  // the layout and the overlays with room around
  void applyCandidateMarks();
  void placeFreezeHandle();  // clear of the cards, at the boundary's place and zoom
  int columnOf(const QPointF& cardCenter) const;  // 0 unless wrapped
  Document* document_;
  GraphLayout layout_;
  Arrangement arrangement_ = Arrangement::TopToBottom;
  bool compact_ = false;
  double viewAspect_ = 16.0 / 9.0;
  double viewScale_ = 1.0;
  double laidOutAspect_ = 0;  // the view aspect the current wrapped layout was cut for
  std::string topology_;
  QHash<QString, NodeItem*> nodes_;
  QList<EdgeItem*> edges_;
  QList<GroupItem*> groups_;
  std::set<std::string> collapsed_;  // group paths
  QList<OutputMarkerItem*> markers_;
  QMap<QString, double> candidates_;  // the cut-point explorer's marks, by layer
  FreezeBoundaryItem* boundary_ = nullptr;
  int layoutCount_ = 0;
  bool syncing_ = false;
};

}  // namespace graft::ui
