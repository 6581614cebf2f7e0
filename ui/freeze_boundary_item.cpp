#include "ui/freeze_boundary_item.h"

#include <QCursor>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPalette>
#include <algorithm>
#include <cmath>
#include <vector>

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

double FreezeBoundaryItem::handleGap() const {
  return isCompact() ? kCompactGap / scale_ : 8;
}

QRectF FreezeBoundaryItem::handleHome() const {
  if (!isCompact())
    return QRectF(left_ - kHandleWidth - handleGap(), -kHandleHeight / 2, kHandleWidth,
                  kHandleHeight);
  // Sized in screen pixels, its right end near the line's start whatever the zoom.
  const QSizeF size = compactOverlaySize(handleText()) / scale_;
  return QRectF(left_ - handleGap() - size.width(), -size.height() / 2, size.width(),
                size.height());
}

QRectF FreezeBoundaryItem::handleRect() const {
  return handleHome().translated(handleOffset_);
}

void FreezeBoundaryItem::placeHandleClearOf(const QList<QRectF>& cards) {
  prepareGeometryChange();
  handleOffset_ = QPointF();
  update();
  const QRectF home = mapRectToScene(handleHome());
  const double margin = 3 / scale_;  // a few pixels of room on screen
  const auto clear = [&cards, margin](const QRectF& handle) {
    const QRectF room = handle.adjusted(-margin, -margin, margin, margin);
    return std::none_of(cards.begin(), cards.end(),
                        [&room](const QRectF& card) { return room.intersects(card); });
  };
  if (clear(home)) return;
  // Along the line: the handle's left end just after a card or its right end just before one,
  // from its home rightwards to just after the line's end; the nearest clear one.
  const double lineLeft = scenePos().x() + left_;
  const double last = scenePos().x() + right_ + handleGap();
  std::vector<double> lefts{last};
  for (const QRectF& card : cards) {
    if (card.top() > home.bottom() || card.bottom() < home.top()) continue;
    for (const double x : {card.right() + 2 * margin, card.left() - 2 * margin - home.width()})
      if (x > home.left() && x < last) lefts.push_back(x);
  }
  std::sort(lefts.begin(), lefts.end());
  for (const double x : lefts)
    if (clear(home.translated(x - home.left(), 0))) {
      handleOffset_ = QPointF(x - home.left(), 0);
      return;
    }
  // No room on the line (an inner column fitted: the cards leave less than the handle's width
  // between columns): above the cards over its start, where the columns begin.
  QRectF raised = home.translated(lineLeft - home.left(), 0);
  double bottom = scenePos().y() - 2 * margin;
  for (const QRectF& card : cards)
    if (card.right() > raised.left() && card.left() < raised.right() && card.top() < scenePos().y())
      bottom = std::min(bottom, card.top() - 2 * margin);
  raised.moveBottom(bottom);
  handleOffset_ = raised.topLeft() - home.topLeft();
}

QRectF FreezeBoundaryItem::boundingRect() const {
  const QRectF handle = handleRect();
  const QRectF line(left_, -5, right_ - left_, 10);
  return handle.united(line).adjusted(-2, -2, 2, 2);
}

QRectF FreezeBoundaryItem::lineRect() const {
  // From the handle when it sits left of the line (its home), else across the whole column.
  const double from = std::min(handleRect().right(), left_);
  return QRectF(from, -5, right_ - from, 10);
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
  double from = lineRect().left();
  if (pos() == gapsAt_)
    for (const auto& [gapLeft, gapRight] : gaps_) {
      if (gapLeft > from) painter->drawLine(QPointF(from, 0), QPointF(gapLeft, 0));
      from = std::max(from, gapRight);
    }
  if (from < right_) painter->drawLine(QPointF(from, 0), QPointF(right_, 0));
  const QRectF handle = handleRect();
  if (handleIsRaised()) painter->drawLine(QPointF(left_, handle.bottom()), QPointF(left_, 0));
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
