#include "ui/freeze_boundary_item.h"

#include <QCursor>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPalette>
#include <algorithm>
#include <cmath>

#include "ui/card_icons.h"
#include "ui/overlay_label.h"

namespace graft::ui {
namespace {
constexpr double kHandleWidth = 150;
constexpr double kHandleHeight = 24;
constexpr double kCompactGap = 4;  // screen pixels between the compact handle and the line
}  // namespace

FreezeBoundaryItem::FreezeBoundaryItem(double left, double right) : left_(left), right_(right) {
  setFlags(ItemIsMovable | ItemSendsGeometryChanges);
  setAcceptHoverEvents(true);
  setCursor(Qt::SizeVerCursor);
  setZValue(5);  // above cards and edges
  setToolTip(tr("Freeze boundary: layers above it are frozen. Drag it up or down."));
}

void FreezeBoundaryItem::setColumns(double step, int count) {
  columnStep_ = step;
  columns_ = std::max(count, 1);
}

void FreezeBoundaryItem::setFrozenCount(int count, int elsewhere) {
  prepareGeometryChange();  // the compact handle is as wide as its text
  frozen_ = count;
  elsewhere_ = elsewhere;
  setToolTip(elsewhere == 0
                 ? tr("Freeze boundary: layers above it are frozen. Drag it up or down.")
                 : tr("Freeze boundary: the %1 layers above it are frozen, and %2 more below it "
                      "(hatched), frozen on their own. Drag it up or down.")
                       .arg(count)
                       .arg(elsewhere));
  update();
}

void FreezeBoundaryItem::setViewScale(double scale) {
  if (scale <= 0 || scale == scale_) return;
  prepareGeometryChange();
  scale_ = scale;
  update();
}

bool FreezeBoundaryItem::isCompact() const {
  return overlayIsCompact(scale_);
}

QString FreezeBoundaryItem::handleText() const {
  if (isCompact()) {
    QString text = tr("▲ %1").arg(frozen_);
    if (elsewhere_ > 0) text += tr("+%1").arg(elsewhere_);
    return text;
  }
  QString text = frozen_ == 0 ? tr("▲ drag to freeze") : tr("▲ %1 frozen").arg(frozen_);
  if (elsewhere_ > 0) text += tr(" (+%1)").arg(elsewhere_);
  return text;
}

QRectF FreezeBoundaryItem::handleRect() const {
  if (!isCompact())
    return QRectF(left_ - kHandleWidth - 8, -kHandleHeight / 2, kHandleWidth, kHandleHeight);
  // Sized in screen pixels, its right end near the line's start whatever the zoom.
  const QSizeF size = compactOverlaySize(handleText()) / scale_;
  return QRectF(left_ - kCompactGap / scale_ - size.width(), -size.height() / 2, size.width(),
                size.height());
}

QRectF FreezeBoundaryItem::boundingRect() const {
  const QRectF handle = handleRect();
  const double half = std::max(handle.height() / 2, 5.0);
  return QRectF(handle.left() - 2, -half - 2, right_ - handle.left() + 4, 2 * half + 4);
}

QRectF FreezeBoundaryItem::lineRect() const {
  return QRectF(handleRect().right(), -5, right_ - handleRect().right(), 10);
}

void FreezeBoundaryItem::setLineGaps(std::vector<std::pair<double, double>> gaps) {
  std::sort(gaps.begin(), gaps.end());
  gaps_ = std::move(gaps);
  gapsAt_ = pos();
  update();
}

QPainterPath FreezeBoundaryItem::shape() const {
  // The handle and a band along the line can be grabbed.
  QPainterPath path;
  path.addRoundedRect(handleRect(), handleRect().height() / 4, handleRect().height() / 4);
  path.addRect(QRectF(left_, -5, right_ - left_, 10));
  return path;
}

void FreezeBoundaryItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  QPen line(kIce, hover_ ? 3 : 2, Qt::DashLine);
  line.setCosmetic(true);
  painter->setPen(line);
  double from = handleRect().right();
  if (pos() == gapsAt_)
    for (const auto& [gapLeft, gapRight] : gaps_) {
      if (gapLeft > from) painter->drawLine(QPointF(from, 0), QPointF(gapLeft, 0));
      from = std::max(from, gapRight);
    }
  if (from < right_) painter->drawLine(QPointF(from, 0), QPointF(right_, 0));
  const QRectF handle = handleRect();
  painter->setPen(Qt::NoPen);
  painter->setBrush(hover_ ? kIce.lighter(115) : kIce);
  painter->drawRoundedRect(handle, handle.height() / 4, handle.height() / 4);
  painter->setPen(Qt::white);
  if (isCompact()) {
    drawCompactLabel(painter, handle, handleText());
    return;
  }
  painter->setFont(overlayFont());
  painter->drawText(handle, Qt::AlignCenter, handleText());
}

int FreezeBoundaryItem::columnUnder(double sceneX) const {
  // Column k's cards span [left_ + 10, right_ - 10] moved by k steps; the gap to its left (where
  // the handle is drawn) belongs to it.
  const double gutter = columnStep_ - (right_ - left_ - 20);
  return static_cast<int>(std::floor((sceneX - (left_ + 10) + gutter) / columnStep_));
}

QVariant FreezeBoundaryItem::itemChange(GraphicsItemChange change, const QVariant& value) {
  if (change == ItemPositionChange) {
    // Vertical movement, and across columns only from one to another: to the column under the
    // pointer. (Rounding the item's own move put the bar one column right when the handle, on
    // the left, was dropped on the right half of a wide column.)
    QPointF p = value.toPointF();
    int column = 0;
    if (columnStep_ > 0)
      column = std::clamp(
          pointerX_ ? columnUnder(*pointerX_) : static_cast<int>(std::lround(p.x() / columnStep_)),
          0, columns_ - 1);
    p.setX(column * columnStep_);
    Q_EMIT dragged(p);
    return p;
  }
  return QGraphicsObject::itemChange(change, value);
}

void FreezeBoundaryItem::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
  pointerX_ = event->scenePos().x();
  QGraphicsObject::mouseMoveEvent(event);
}

void FreezeBoundaryItem::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
  QGraphicsObject::mouseReleaseEvent(event);
  pointerX_.reset();
  Q_EMIT released(pos());
}

void FreezeBoundaryItem::hoverEnterEvent(QGraphicsSceneHoverEvent*) {
  hover_ = true;
  update();
}

void FreezeBoundaryItem::hoverLeaveEvent(QGraphicsSceneHoverEvent*) {
  hover_ = false;
  update();
}

}  // namespace graft::ui
