#pragma once
// The graph editor's canvas: the wheel scrolls (Shift+wheel sideways), Ctrl+wheel and
// Ctrl+=/- zoom, fit shows the whole graph, pan by dragging the background or with the middle
// button, rubber-band selection with Shift, and the drop target for layer
// types dragged from the palette. Gestures are reported as signals; GraphEditor turns them
// into document operations, so the view itself never edits anything. A nested model's ▸/▾
// button, or a double click on its title or collapsed card, collapses or expands it (view
// state, kept by the scene), the group staying where it was in the window.
#include <QGraphicsView>
#include <QStringList>
#include <QTimer>

namespace graft::ui {

class EdgeItem;
class GraphScene;
class GroupItem;
class NodeItem;

// MIME type of a palette drag: the payload is the Keras class name.
inline constexpr const char* kLayerMimeType = "application/x-graft-layer-class";

class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  explicit GraphView(GraphScene* scene, QWidget* parent = nullptr);
  GraphScene* graphScene() const { return scene_; }
  double zoom() const;  // 1.0 = 100 %

 public Q_SLOTS:
  void zoomIn();
  void zoomOut();
  void resetZoom();
  // The whole graph, at most 100 %. The view then stays fitted, through edits and resizes
  // (a dock opening, the banner closed), until the user zooms or scrolls.
  void fitAll();
  bool isFitted() const { return fitted_; }
  // Collapses or expands a nested model's box: the view fits the graph again when all of it was
  // in view, else scrolls so the box's title stays where it was in the window.
  void setGroupCollapsed(QString path, bool collapsed);
  void setZoom(double factor);
  // Centres the view on a point the user chose (the Overview, a row of the Summary): the view
  // is no longer fitted.
  void lookAt(const QPointF& scenePoint);
  // Scrolls to the layer, selects it and makes it flash so it can be found in a big graph.
  bool revealLayer(const QString& name);

 Q_SIGNALS:
  void zoomChanged(double zoom);
  void viewportMoved();  // scrolled or zoomed: the overview redraws its frame
  // A palette entry was dropped: on an edge (from → to), on a layer card, or on empty space.
  void layerDroppedOnEdge(const QString& className, const QString& from, const QString& to);
  void layerDroppedOnNode(const QString& className, const QString& node);
  void layerDroppedOnSpace(const QString& className);
  void contextMenuOnNode(const QString& node, const QPoint& globalPos);
  // On a nested model's title band or collapsed card (its group path).
  void contextMenuOnGroup(const QString& path, const QPoint& globalPos);
  void contextMenuOnEdge(const QString& from, const QString& to, const QPoint& globalPos);
  void contextMenuOnSpace(const QPoint& globalPos);  // the background
  void nodeActivated(const QString& node);           // double click

 protected:
  void wheelEvent(QWheelEvent* event) override;
  // The arrow keys move the selection along the edges (graph_keyboard.h), Shift+arrow extends
  // it; with nothing selected an arrow or Home selects the input layer, End the output.
  void keyPressEvent(QKeyEvent* event) override;
  // A frame round the canvas while it has the keyboard focus.
  void paintEvent(QPaintEvent* event) override;
  void focusInEvent(QFocusEvent* event) override;
  void focusOutEvent(QFocusEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  // The Menu key (a context-menu event from the keyboard) and Shift+F10 (a key press) open
  // openMenuAtSelection's menu.
  void contextMenuEvent(QContextMenuEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dragLeaveEvent(QDragLeaveEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void scrollContentsBy(int dx, int dy) override;
  void resizeEvent(QResizeEvent* event) override;
  void drawBackground(QPainter* painter, const QRectF& rect) override;

 private:
  void clearDropHighlight();
  void scaleBy(double factor);
  bool isBackground(const QPoint& pos) const;
  void toggleGroup(GroupItem* group);
  // The selected layer's menu, at that layer (the mouse may be anywhere); with nothing
  // selected, the canvas's menu in the middle of the view.
  void openMenuAtSelection();
  // Selects `names` from the keyboard and scrolls `current` into view.
  void selectFromKeyboard(const QStringList& names, const QString& current);
  // The layers' edges as (producer, consumer), in the scene's order.
  QList<QPair<QString, QString>> edgePairs() const;
  // A screen reader hears which layers are selected: the description says, focus events tell.
  void describeSelection(const QStringList& names);
  GraphScene* scene_;
  // Where keyboard steps go from: the layer the last arrow reached (Shift+arrow grows from it).
  QString keyCursor_;
  // The layers Shift+arrow went through from the anchor (first) to keyCursor_ (last): the
  // selection they made, shrunk again when a step goes back along it.
  QStringList keyPath_;
  EdgeItem* dropEdge_ = nullptr;
  NodeItem* dropNode_ = nullptr;
  // Fitted by fitAll and not zoomed or scrolled by the user since: a new layout or size fits
  // again (a cut to 20 layers stayed at the 29 % that fitted 90).
  void refitIfFitted();
  bool fitted_ = false;
  QTimer refit_;
  bool fitting_ = false;
  bool panning_ = false;
  bool panMoved_ = false;
  Qt::MouseButton panButton_ = Qt::NoButton;
  QPoint panStart_;
  QPoint panLast_;
};

}  // namespace graft::ui
