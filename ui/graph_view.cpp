#include "ui/graph_view.h"

#include <QAccessible>
#include <QApplication>
#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QMimeData>
#include <QPainter>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QSet>
#include <QStyle>
#include <QTimer>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <optional>

#include "ui/edge_item.h"
#include "ui/graph_keyboard.h"
#include "ui/graph_scene.h"
#include "ui/graph_view_accessible.h"
#include "ui/group_item.h"
#include "ui/node_item.h"

namespace graft::ui {
namespace {
constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 4.0;
constexpr double kStep = 1.25;
}  // namespace

GraphView::GraphView(GraphScene* scene, QWidget* parent)
    : QGraphicsView(scene, parent), scene_(scene) {
  installGraphViewAccessibility();  // the cards, one by one, to screen readers
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setViewportUpdateMode(SmartViewportUpdate);
  setTransformationAnchor(AnchorUnderMouse);
  setResizeAnchor(AnchorViewCenter);
  setDragMode(NoDrag);
  setAcceptDrops(true);
  setFocusPolicy(Qt::StrongFocus);
  setFrameShape(QFrame::NoFrame);
  setAccessibleName(tr("Model graph"));
  describeSelection({});
  connect(scene_, &GraphScene::layersSelected, this, &GraphView::describeSelection);
  // One fit after a burst of relayouts or resizes (a window edge dragged sends dozens), once
  // this turn of the event loop is over: fitAll lays out anew itself.
  refit_.setSingleShot(true);
  refit_.setInterval(0);
  connect(&refit_, &QTimer::timeout, this, &GraphView::refitIfFitted);
  connect(scene_, &GraphScene::relaidOut, this, [this] {
    // Edits keep the user's zoom; a view still fitted fits the new layout.
    if (fitted_ && !fitting_) refit_.start();
    Q_EMIT viewportMoved();
  });
  connect(scene_, &GraphScene::overlaysMoved, this, [this] {
    if (fitted_ && !fitting_) refit_.start();
  });
  // Scrolled by the user (scroll bar dragged or clicked, keys, Shift+wheel): what they look at
  // is theirs; programmatic scrolling (centerOn, setValue) triggers no action.
  for (QScrollBar* bar : {horizontalScrollBar(), verticalScrollBar()})
    connect(bar, &QScrollBar::actionTriggered, this, [this] { fitted_ = false; });
}

double GraphView::zoom() const {
  return transform().m11();
}

void GraphView::scaleBy(double factor) {
  if (!fitting_) fitted_ = false;
  const double target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
  factor = target / zoom();
  if (std::abs(factor - 1.0) < 1e-9) return;
  scale(factor, factor);
  scene_->setViewScale(zoom());
  Q_EMIT zoomChanged(zoom());
  Q_EMIT viewportMoved();
}

void GraphView::zoomIn() {
  const auto anchor = transformationAnchor();
  setTransformationAnchor(AnchorViewCenter);
  scaleBy(kStep);
  setTransformationAnchor(anchor);
}

void GraphView::zoomOut() {
  const auto anchor = transformationAnchor();
  setTransformationAnchor(AnchorViewCenter);
  scaleBy(1 / kStep);
  setTransformationAnchor(anchor);
}

void GraphView::setZoom(double factor) {
  const auto anchor = transformationAnchor();
  setTransformationAnchor(AnchorViewCenter);
  scaleBy(factor / zoom());
  setTransformationAnchor(anchor);
}

void GraphView::resetZoom() {
  setZoom(1.0);
}

void GraphView::lookAt(const QPointF& scenePoint) {
  fitted_ = false;
  centerOn(scenePoint);
  Q_EMIT viewportMoved();
}

void GraphView::refitIfFitted() {
  if (fitted_ && !fitting_) fitAll();
}

void GraphView::fitAll() {
  if (scene_->nodeItems().isEmpty()) return;
  const QScopedValueRollback<bool> fitting(fitting_, true);
  // Columns follow the window's current shape.
  scene_->rewrapForView();
  // Everything the layout drew (cards, routed edges, nested-model boxes), the freeze
  // boundary's handle and the output markers, not the scene rect with its scrolling margins. A
  // tall single column gets small here: the wrapped layout is what makes a long chain readable
  // as a whole.
  // Fitted into the viewport as it is with both scroll bars shown: the scene rect's margins
  // bring them in at some zooms and not at others, and a fit into the space they left refitted
  // at a zoom that hid them again, and again (ResNet50 in a small window flickered).
  const int bar = style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, this);
  const QSizeF area(viewport()->width() - (verticalScrollBar()->isVisible() ? 0 : bar),
                    viewport()->height() - (horizontalScrollBar()->isVisible() ? 0 : bar));
  // Zoomed out the freeze bar's handle and the output markers keep their size on screen, so
  // their size in the scene follows the zoom: fit again with them at the zoom chosen, until that
  // no longer changes it (they are a small part of the graph: a few passes), so one graph fits
  // the same from any zoom.
  QRectF bounds = scene_->layout().bounds;
  // A view not shown yet has no room: it fits when it gets some (resizeEvent).
  for (int pass = 0; pass < 8 && !area.isEmpty(); ++pass) {
    const double before = zoom();
    bounds = scene_->layout().bounds | scene_->overlayBounds();
    bounds.adjust(-20, -20, 20, 20);
    setZoom(std::clamp(std::min(area.width() / bounds.width(), area.height() / bounds.height()),
                       kMinZoom, 1.0));
    scene_->setViewScale(zoom());
    if (pass > 0 && std::abs(zoom() - before) <= 1e-12 * before) break;
  }
  centerOn(bounds.center());
  fitted_ = true;
  Q_EMIT zoomChanged(zoom());
  Q_EMIT viewportMoved();
}

bool GraphView::revealLayer(const QString& name) {
  if (!scene_->nodeItem(name)) return false;
  scene_->selectLayers({name});  // first: it expands a collapsed group holding the layer
  NodeItem* item = scene_->nodeItem(name);
  if (zoom() < 0.6) setZoom(0.8);
  fitted_ = false;  // the layer stays in view, however the window changes next
  centerOn(item);
  item->setFound(true);
  QTimer::singleShot(1500, item, [item] { item->setFound(false); });
  Q_EMIT viewportMoved();
  return true;
}

QList<QPair<QString, QString>> GraphView::edgePairs() const {
  QList<QPair<QString, QString>> edges;
  for (const EdgeItem* edge : scene_->edgeItems()) edges.append({edge->from(), edge->to()});
  return edges;
}

void GraphView::selectFromKeyboard(const QStringList& names, const QString& current) {
  keyCursor_ = current;
  scene_->selectLayers(names);  // expands a collapsed group holding them
  // Scrolled only as far as needed: centring at every step made the graph jump.
  if (NodeItem* item = scene_->nodeItem(current)) ensureVisible(item, 60, 60);
  Q_EMIT viewportMoved();
}

void GraphView::keyPressEvent(QKeyEvent* event) {
  const QStringList selected = scene_->selectedLayers();
  const Qt::KeyboardModifiers modifiers = event->modifiers() & ~Qt::KeypadModifier;
  const bool plain = modifiers == Qt::NoModifier;
  const bool extend = modifiers == Qt::ShiftModifier;
  std::optional<GraphStep> step;
  switch (event->key()) {
    case Qt::Key_Up:
      step = GraphStep::Up;
      break;
    case Qt::Key_Down:
      step = GraphStep::Down;
      break;
    case Qt::Key_Left:
      step = GraphStep::Left;
      break;
    case Qt::Key_Right:
      step = GraphStep::Right;
      break;
    default:
      break;
  }
  const QList<QPair<QString, QString>> edges = edgePairs();
  // Nothing selected: the arrows did nothing at all; they (and Home) start at the input, End at
  // the output.
  const bool home = event->key() == Qt::Key_Home && plain;
  const bool end = event->key() == Qt::Key_End && plain;
  if (home || end || (step && (plain || extend) && selected.isEmpty())) {
    QString layer;
    if (end) {
      if (const NodeItem* output = scene_->outputNodeItem()) layer = output->name();
    } else {
      layer = edges.isEmpty() ? QString() : edges.front().first;
      for (QString up = layer; !up.isEmpty(); up = neighbourLayer(edges, layer, GraphStep::Up))
        layer = up;
      if (layer.isEmpty() && !scene_->nodeItems().isEmpty())
        layer = scene_->nodeItems().begin().key();  // one layer, no edges
    }
    if (!layer.isEmpty()) selectFromKeyboard({layer}, layer);
    event->accept();
    return;
  }
  if (step && (plain || extend)) {
    const QString from = selected.contains(keyCursor_) ? keyCursor_ : selected.front();
    const QString next = neighbourLayer(edges, from, *step);
    if (!next.isEmpty()) {
      if (extend) {
        // As in a list: the anchor stays, the moving end goes out and back (Shift+Up after
        // Shift+Down grew the selection instead of undoing the step). A selection changed
        // since (a click, Find) starts a new path at the layer the keys go from.
        const QSet<QString> shown(selected.begin(), selected.end());
        const QSet<QString> path(keyPath_.begin(), keyPath_.end());
        if (keyPath_.isEmpty() || keyPath_.back() != from || path != shown) keyPath_ = {from};
        const qsizetype back = keyPath_.indexOf(next);
        if (back >= 0)
          keyPath_.resize(back + 1);  // a step back towards the anchor
        else
          keyPath_ << next;
      } else {
        keyPath_ = {next};
      }
      selectFromKeyboard(keyPath_, next);
    }
    event->accept();  // at the graph's end the selection stays; the view does not jump
    return;
  }
  // Shift+F10: Qt's X11 plugin turns only the Menu key into a context-menu event.
  if (event->key() == Qt::Key_F10 && extend) {
    openMenuAtSelection();
    event->accept();
    return;
  }
  QGraphicsView::keyPressEvent(event);
}

void GraphView::describeSelection(const QStringList& names) {
  QString text;
  if (names.isEmpty())
    text = tr("No layer selected");
  else if (names.size() == 1)
    text = tr("Selected layer: %1").arg(names.front());
  else
    text = tr("%1 layers selected: %2").arg(names.size()).arg(names.join(QStringLiteral(", ")));
  if (text == accessibleDescription()) return;
  setAccessibleDescription(text);
  QAccessibleEvent changed(this, QAccessible::DescriptionChanged);
  QAccessible::updateAccessibility(&changed);
  // A screen reader speaks the focused control again on a focus event: the new selection.
  if (hasFocus()) {
    QAccessibleEvent focus(this, QAccessible::Focus);
    QAccessible::updateAccessibility(&focus);
  }
}

void GraphView::paintEvent(QPaintEvent* event) {
  QGraphicsView::paintEvent(event);
  if (!hasFocus()) return;
  QPainter painter(viewport());
  QPen pen(palette().color(QPalette::Highlight), 2);
  painter.setPen(pen);
  painter.drawRect(QRectF(viewport()->rect()).adjusted(1, 1, -1, -1));
}

void GraphView::focusInEvent(QFocusEvent* event) {
  QGraphicsView::focusInEvent(event);
  viewport()->update();
}

void GraphView::focusOutEvent(QFocusEvent* event) {
  QGraphicsView::focusOutEvent(event);
  viewport()->update();
}

void GraphView::wheelEvent(QWheelEvent* event) {
  // As in every document viewer: the wheel scrolls, Ctrl+wheel zooms at the cursor (a
  // trackpad's pinch arrives as Ctrl+wheel too).
  if (event->modifiers() & Qt::ShiftModifier) {
    fitted_ = false;  // scrolled sideways: the user chose what to look at
    const QPoint delta = event->angleDelta();
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() -
                                    (delta.y() != 0 ? delta.y() : delta.x()) / 2);
    event->accept();
    return;
  }
  if (!(event->modifiers() & Qt::ControlModifier)) {
    fitted_ = false;  // scrolled: the user chose what to look at
    QGraphicsView::wheelEvent(event);
    return;
  }
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) return;
  scaleBy(std::pow(1.15, steps));
  event->accept();
}

bool GraphView::isBackground(const QPoint& pos) const {
  // Edges are drawn under the cards and take no clicks: pressing on one pans like empty space.
  // So do a nested model's title and collapsed card (its button aside): they are not selected.
  const QGraphicsItem* item = itemAt(pos);
  return item == nullptr || item->type() == EdgeItem::Type || item->type() == GroupItem::Type;
}

void GraphView::toggleGroup(GroupItem* group) {
  setGroupCollapsed(group->view().path, !group->isCollapsed());
}

// `path` by value: the group item it may come from is gone once the scene lays out anew.
void GraphView::setGroupCollapsed(QString path, bool collapsed) {
  const GroupItem* group = scene_->groupItem(path);
  if (!group || scene_->isGroupCollapsed(path) == collapsed) return;
  // The whole graph in view: it is fitted again (collapsing 154 layers into one card left a
  // speck at 25 %). Otherwise the group's title stays where it was in the window.
  // Nearly all of it counts: a fitted view can cut a sliver off an edge (the scroll range's
  // limit, rounding), and the collapse then kept the old zoom, the graph a speck.
  const QRectF bounds = scene_->layout().bounds;
  const double dx = bounds.width() * 0.02, dy = bounds.height() * 0.02;
  const bool wholeGraphShown =
      mapToScene(viewport()->rect()).boundingRect().contains(bounds.adjusted(dx, dy, -dx, -dy));
  const QPoint before = mapFromScene(group->rect().topLeft());
  scene_->setGroupCollapsed(path, collapsed);  // lays out anew: `group` is gone
  if (wholeGraphShown) {
    fitAll();
    return;
  }
  if (const GroupItem* now = scene_->groupItem(path)) {
    const QPoint shift = mapFromScene(now->rect().topLeft()) - before;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + shift.x());
    verticalScrollBar()->setValue(verticalScrollBar()->value() + shift.y());
  }
  Q_EMIT viewportMoved();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  const bool shift = event->modifiers() & Qt::ShiftModifier;
  // The right button opens a menu (contextMenuEvent), nothing else: passed to the scene, a press
  // no card takes clears the selection, so a right-click inside a selection of four layers
  // offered the menu of one.
  if (event->button() == Qt::RightButton) {
    event->accept();
    return;
  }
  if (event->button() == Qt::LeftButton && !shift && !scene_->nodeAt(mapToScene(pos))) {
    GroupItem* group = scene_->groupAt(mapToScene(pos));
    if (group && group->toggleRect().contains(mapToScene(pos))) {
      toggleGroup(group);
      event->accept();
      return;
    }
  }
  if (event->button() == Qt::MiddleButton ||
      (event->button() == Qt::LeftButton && !shift && isBackground(pos))) {
    // Panning is done here rather than by ScrollHandDrag, which would also pass the press to
    // the scene and drop the selection every time the user moves the canvas.
    panning_ = true;
    panMoved_ = false;
    panButton_ = event->button();
    panLast_ = pos;
    panStart_ = pos;
    viewport()->setCursor(Qt::ClosedHandCursor);
    event->accept();
    return;
  }
  if (event->button() == Qt::LeftButton && shift && isBackground(pos)) setDragMode(RubberBandDrag);
  QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent* event) {
  if (!panning_) {
    QGraphicsView::mouseMoveEvent(event);
    return;
  }
  const QPoint pos = event->position().toPoint();
  const QPoint delta = pos - panLast_;
  panLast_ = pos;
  if ((pos - panStart_).manhattanLength() >= QApplication::startDragDistance()) {
    panMoved_ = true;
    fitted_ = false;  // panned: the user chose what to look at
  }
  horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
  verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
  event->accept();
}

void GraphView::mouseReleaseEvent(QMouseEvent* event) {
  if (panning_ && event->button() == panButton_) {
    panning_ = false;
    viewport()->unsetCursor();
    // A click on empty space (no drag) clears the selection, as everywhere else.
    if (!panMoved_ && panButton_ == Qt::LeftButton) scene_->clearSelection();
    event->accept();
    return;
  }
  QGraphicsView::mouseReleaseEvent(event);
  setDragMode(NoDrag);
}

void GraphView::mouseDoubleClickEvent(QMouseEvent* event) {
  const QPointF scenePos = mapToScene(event->position().toPoint());
  if (NodeItem* node = scene_->nodeAt(scenePos)) {
    Q_EMIT nodeActivated(node->name());
    event->accept();
    return;
  }
  if (GroupItem* group = scene_->groupAt(scenePos); group && event->button() == Qt::LeftButton) {
    toggleGroup(group);
    event->accept();
    return;
  }
  QGraphicsView::mouseDoubleClickEvent(event);
}

void GraphView::openMenuAtSelection() {
  const QStringList selected = scene_->selectedLayers();
  const QString name = selected.contains(keyCursor_) ? keyCursor_
                       : selected.isEmpty()          ? QString()
                                                     : selected.front();
  if (NodeItem* node = scene_->nodeItem(name)) {
    ensureVisible(node, 60, 60);
    const QPointF corner = node->sceneBoundingRect().center();
    Q_EMIT contextMenuOnNode(name, viewport()->mapToGlobal(mapFromScene(corner)));
  } else {
    Q_EMIT contextMenuOnSpace(viewport()->mapToGlobal(viewport()->rect().center()));
  }
}

void GraphView::contextMenuEvent(QContextMenuEvent* event) {
  if (event->reason() == QContextMenuEvent::Keyboard) {
    openMenuAtSelection();
    event->accept();
    return;
  }
  const QPointF at = mapToScene(event->pos());
  NodeItem* node = scene_->nodeAt(at);
  if (!node) {
    // An arrow (insert on it), a nested model's box, or the canvas (add at the output).
    if (EdgeItem* edge = scene_->edgeAt(at))
      Q_EMIT contextMenuOnEdge(edge->from(), edge->to(), event->globalPos());
    else if (GroupItem* group = scene_->groupAt(at))
      Q_EMIT contextMenuOnGroup(group->view().path, event->globalPos());
    else
      Q_EMIT contextMenuOnSpace(event->globalPos());
    event->accept();
    return;
  }
  // Right-clicking a layer outside the selection acts on that layer alone, as file managers do.
  if (!node->isSelected()) scene_->selectLayers({node->name()});
  Q_EMIT contextMenuOnNode(node->name(), event->globalPos());
  event->accept();
}

void GraphView::scrollContentsBy(int dx, int dy) {
  QGraphicsView::scrollContentsBy(dx, dy);
  Q_EMIT viewportMoved();
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (viewport()->height() > 0)
    scene_->setViewAspect(static_cast<double>(viewport()->width()) / viewport()->height());
  if (fitted_ && !fitting_) refit_.start();
}

void GraphView::drawBackground(QPainter* painter, const QRectF& rect) {
  const QPalette& pal = palette();
  painter->fillRect(rect, pal.color(QPalette::Base));
  // A faint dot grid gives a sense of scale and motion while panning.
  if (zoom() < 0.5) return;
  QColor dot = pal.color(QPalette::Text);
  dot.setAlphaF(0.10);
  painter->setPen(QPen(dot, 1.5 / zoom()));
  const double step = 24;
  const double left = std::floor(rect.left() / step) * step;
  const double top = std::floor(rect.top() / step) * step;
  QVector<QPointF> points;
  for (double x = left; x < rect.right(); x += step)
    for (double y = top; y < rect.bottom(); y += step) points.append(QPointF(x, y));
  painter->drawPoints(points.data(), static_cast<int>(points.size()));
}

void GraphView::clearDropHighlight() {
  if (dropEdge_) dropEdge_->setDropHighlight(false);
  if (dropNode_) dropNode_->setDropHighlight(false);
  dropEdge_ = nullptr;
  dropNode_ = nullptr;
}

void GraphView::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasFormat(kLayerMimeType)) {
    event->acceptProposedAction();
  } else {
    event->ignore();  // files are handled by the main window
  }
}

void GraphView::dragMoveEvent(QDragMoveEvent* event) {
  if (!event->mimeData()->hasFormat(kLayerMimeType)) {
    event->ignore();
    return;
  }
  const QPointF scenePos = mapToScene(event->position().toPoint());
  clearDropHighlight();
  if (NodeItem* node = scene_->nodeAt(scenePos)) {
    dropNode_ = node;
    node->setDropHighlight(true);
  } else if (!scene_->layerAt(scenePos).isEmpty()) {
    // A collapsed nested model: the layer goes after it (the card has no highlight of its own).
  } else if (EdgeItem* edge = scene_->edgeAt(scenePos)) {
    dropEdge_ = edge;
    edge->setDropHighlight(true);
  } else if (NodeItem* output = scene_->outputNodeItem()) {
    // Empty space adds at the model's output: show where, before the drop.
    dropNode_ = output;
    output->setDropHighlight(true);
  }
  event->acceptProposedAction();
}

void GraphView::dragLeaveEvent(QDragLeaveEvent* event) {
  clearDropHighlight();
  QGraphicsView::dragLeaveEvent(event);
}

void GraphView::dropEvent(QDropEvent* event) {
  if (!event->mimeData()->hasFormat(kLayerMimeType)) {
    event->ignore();
    return;
  }
  const QString className = QString::fromUtf8(event->mimeData()->data(kLayerMimeType));
  const QPointF scenePos = mapToScene(event->position().toPoint());
  clearDropHighlight();
  event->acceptProposedAction();
  // Signals are emitted after the drop finished, so a dialog opened by the receiver does not
  // run inside the drag-and-drop event loop.
  if (const QString name = scene_->layerAt(scenePos); !name.isEmpty()) {
    QTimer::singleShot(0, this,
                       [this, className, name] { Q_EMIT layerDroppedOnNode(className, name); });
  } else if (EdgeItem* edge = scene_->edgeAt(scenePos)) {
    const QString from = edge->from(), to = edge->to();
    QTimer::singleShot(
        0, this, [this, className, from, to] { Q_EMIT layerDroppedOnEdge(className, from, to); });
  } else {
    QTimer::singleShot(0, this, [this, className] { Q_EMIT layerDroppedOnSpace(className); });
  }
}

}  // namespace graft::ui
