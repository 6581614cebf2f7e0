#include "ui/edge_item.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>
#include <QStyleOptionGraphicsItem>
#include <QtMath>
#include <utility>

namespace graft::ui {
namespace {
constexpr double kArrow = 7.0;
constexpr double kHitWidth = 14.0;
constexpr double kLabelPoints = 7.5;

QFont labelFont() {
  QFont font = QApplication::font();
  font.setPointSizeF(kLabelPoints);
  return font;
}
}  // namespace

EdgeItem::EdgeItem(const QString& from, const QString& to, const QPainterPath& path)
    : QGraphicsPathItem(path), from_(from), to_(to) {
  setZValue(-1);  // under the cards
  setToolTip(QStringLiteral("%1 → %2").arg(from, to));
}

void EdgeItem::setDropHighlight(bool on) {
  if (dropHighlight_ == on) return;
  dropHighlight_ = on;
  update();
}

void EdgeItem::setLabel(const QString& label, bool visible) {
  if (label == label_ && visible == labelVisible_) return;
  prepareGeometryChange();
  label_ = label;
  labelVisible_ = visible;
  setToolTip(label_.isEmpty() ? QStringLiteral("%1 → %2").arg(from_, to_)
                              : QStringLiteral("%1 → %2\n%3").arg(from_, to_, label_));
  update();
}

QRectF EdgeItem::labelRect() const {
  return labelRectAt(labelAt_);
}

QRectF EdgeItem::labelRectAt(double percent) const {
  if (!labelVisible_ || label_.isEmpty()) return {};
  const QFontMetricsF metrics(labelFont());
  const QSizeF size(metrics.horizontalAdvance(label_) + 6, metrics.height() + 2);
  const QPointF at = path().pointAtPercent(percent);
  return QRectF(at - QPointF(size.width() / 2, size.height() / 2), size);
}

void EdgeItem::setLabelAt(double percent) {
  if (percent == labelAt_) return;
  prepareGeometryChange();
  labelAt_ = percent;
  update();
}

void EdgeItem::setGaps(QList<QRectF> gaps) {
  if (gaps == gaps_) return;
  gaps_ = std::move(gaps);
  update();
}

QPainterPath EdgeItem::shape() const {
  QPainterPathStroker stroker;
  stroker.setWidth(kHitWidth);
  return stroker.createStroke(path());
}

QRectF EdgeItem::boundingRect() const {
  return path().boundingRect().adjusted(-kHitWidth, -kHitWidth, kHitWidth, kHitWidth) | labelRect();
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const QPalette palette = QApplication::palette();
  QColor color = palette.color(QPalette::Text);
  color.setAlphaF(0.45);
  double width = 1.3;
  if (dropHighlight_) {
    color = palette.color(QPalette::Highlight);
    width = 4.0;
  }
  painter->setRenderHint(QPainter::Antialiasing);
  if (!gaps_.isEmpty()) {
    // The line passes under a title and comes out below it, as the freeze bar's line breaks
    // around a shape label.
    QPainterPath visible;
    visible.addRect(boundingRect());
    for (const QRectF& gap : gaps_) {
      QPainterPath hole;
      hole.addRect(mapRectFromScene(gap));
      visible = visible.subtracted(hole);
    }
    painter->setClipPath(visible, Qt::IntersectClip);
  }
  painter->setPen(QPen(color, width, Qt::SolidLine, Qt::RoundCap));
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(path());

  // Arrowhead along the path's final direction.
  const QPainterPath& p = path();
  if (p.elementCount() < 2) return;
  const QPointF tip = p.pointAtPercent(1.0);
  const QPointF before = p.pointAtPercent(std::max(0.0, 1.0 - 6.0 / std::max(p.length(), 6.0)));
  const double angle = std::atan2(tip.y() - before.y(), tip.x() - before.x());
  QPolygonF head;
  head << tip << tip - QPointF(kArrow * std::cos(angle - 0.45), kArrow * std::sin(angle - 0.45))
       << tip - QPointF(kArrow * std::cos(angle + 0.45), kArrow * std::sin(angle + 0.45));
  painter->setPen(Qt::NoPen);
  painter->setBrush(color);
  painter->drawPolygon(head);

  const QRectF box = labelRect();
  if (box.isEmpty()) return;
  // Zoomed out the shape would be a smear of a few pixels (cards show their type then); it
  // stays in the tooltip.
  if (box.height() * option->levelOfDetailFromTransform(painter->worldTransform()) < 9) return;
  painter->setBrush(palette.color(QPalette::Base));
  painter->drawRoundedRect(box, 3, 3);
  painter->setFont(labelFont());
  QColor text = palette.color(QPalette::Text);
  text.setAlphaF(0.75);
  painter->setPen(text);
  painter->drawText(box, Qt::AlignCenter, label_);
}

}  // namespace graft::ui
