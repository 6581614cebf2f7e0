#include "ui/overview_widget.h"

#include <QMouseEvent>

#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/node_item.h"

namespace graft::ui {

OverviewWidget::OverviewWidget(GraphView* main, QWidget* parent)
    : QGraphicsView(main->scene(), parent), main_(main) {
  setInteractive(false);  // selection and hover belong to the main view
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setRenderHint(QPainter::Antialiasing, false);
  setFrameShape(QFrame::NoFrame);
  setViewportUpdateMode(FullViewportUpdate);  // the frame moves across the whole widget
  setCursor(Qt::PointingHandCursor);
  setToolTip(tr("Overview: click or drag to move the graph view"));
  setAccessibleName(tr("Graph overview"));
  connect(main_, &GraphView::viewportMoved, viewport(), qOverload<>(&QWidget::update));
  connect(main_->graphScene(), &GraphScene::relaidOut, this, &OverviewWidget::refit);
}

void OverviewWidget::refit() {
  QRectF bounds;
  for (const NodeItem* item : main_->graphScene()->nodeItems()) bounds |= item->sceneBoundingRect();
  if (bounds.isEmpty()) return;
  fitInView(bounds.adjusted(-10, -10, 10, 10), Qt::KeepAspectRatio);
  viewport()->update();
}

void OverviewWidget::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  refit();
}

void OverviewWidget::drawBackground(QPainter* painter, const QRectF& rect) {
  painter->fillRect(rect, palette().color(QPalette::AlternateBase));
}

void OverviewWidget::drawForeground(QPainter* painter, const QRectF&) {
  const QPolygonF visible = main_->mapToScene(main_->viewport()->rect());
  QColor fill = palette().color(QPalette::Highlight);
  fill.setAlphaF(0.15);
  QPen pen(palette().color(QPalette::Highlight), 2.0);
  pen.setCosmetic(true);
  painter->setPen(pen);
  painter->setBrush(fill);
  painter->drawPolygon(visible);
}

void OverviewWidget::moveMainTo(const QPoint& pos) {
  main_->lookAt(mapToScene(pos));
  viewport()->update();
}

void OverviewWidget::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  dragging_ = true;
  moveMainTo(event->position().toPoint());
}

void OverviewWidget::mouseMoveEvent(QMouseEvent* event) {
  if (dragging_) moveMainTo(event->position().toPoint());
}

void OverviewWidget::mouseReleaseEvent(QMouseEvent*) {
  dragging_ = false;
}

void OverviewWidget::wheelEvent(QWheelEvent* event) {
  event->ignore();  // the overview always shows everything
}

}  // namespace graft::ui
