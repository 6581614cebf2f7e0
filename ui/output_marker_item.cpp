#include "ui/output_marker_item.h"

#include <QCursor>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <algorithm>

#include "ui/overlay_label.h"

namespace graft::ui {
namespace {
const QRectF kBox(-48, -12, 96, 24);
const QColor kColor(0x2e, 0x8b, 0x57);
}  // namespace

OutputMarkerItem::OutputMarkerItem(const QString& output) : output_(output) {
  setFlags(ItemIsMovable);
  setCursor(Qt::OpenHandCursor);
  setZValue(6);
  setToolTip(tr("Model output. Drag onto another layer to cut the model there."));
}

void OutputMarkerItem::setViewScale(double scale) {
  if (scale <= 0 || scale == scale_) return;
  prepareGeometryChange();
  scale_ = scale;
  update();
}

void OutputMarkerItem::setBesideLayer(bool beside) {
  if (beside == beside_) return;
  prepareGeometryChange();
  beside_ = beside;
  update();
}

bool OutputMarkerItem::isCompact() const {
  return overlayIsCompact(scale_);
}

QString OutputMarkerItem::text() const {
  return tr("✂ OUTPUT");
}

QRectF OutputMarkerItem::box() const {
  const QSizeF size = isCompact() ? compactOverlaySize(text()) / scale_ : kBox.size();
  // Its start (top, or left beside the layer) as far from the item's origin at any size.
  if (beside_) return QRectF(-kBox.top(), -size.height() / 2, size.width(), size.height());
  return QRectF(-size.width() / 2, kBox.top(), size.width(), size.height());
}

QRectF OutputMarkerItem::boundingRect() const {
  return beside_ ? box().adjusted(-8, -2, 2, 2) : box().adjusted(-2, -8, 2, 2);
}

void OutputMarkerItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  const QRectF tag = box();
  // At most its size at 100 %: the tag starts 8 units under the layer, which a notch sized with
  // a compact tag reached into.
  const double notch = std::min(tag.height() * 7 / 24, 7.0);
  painter->setRenderHint(QPainter::Antialiasing);
  painter->setPen(Qt::NoPen);
  painter->setBrush(kColor);
  QPainterPath path;
  path.addRoundedRect(tag, tag.height() / 2, tag.height() / 2);
  // A notch pointing at the layer above (on the left).
  QPolygonF point;
  if (beside_)
    point << QPointF(tag.left() + notch / 7, -notch) << QPointF(tag.left() - notch, 0)
          << QPointF(tag.left() + notch / 7, notch);
  else
    point << QPointF(-notch, tag.top() + notch / 7) << QPointF(0, tag.top() - notch)
          << QPointF(notch, tag.top() + notch / 7);
  path.addPolygon(point);
  painter->drawPath(path.simplified());
  painter->setPen(Qt::white);
  if (isCompact()) {
    drawCompactLabel(painter, tag, text());
    return;
  }
  painter->setFont(overlayFont());
  painter->drawText(tag, Qt::AlignCenter, text());
}

void OutputMarkerItem::mousePressEvent(QGraphicsSceneMouseEvent* event) {
  home_ = pos();
  setCursor(Qt::ClosedHandCursor);
  QGraphicsObject::mousePressEvent(event);
}

void OutputMarkerItem::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
  QGraphicsObject::mouseReleaseEvent(event);
  setCursor(Qt::OpenHandCursor);
  const QPointF dropPoint = event->scenePos();
  // Back home until the document says otherwise: the scene follows the document.
  setPos(home_);
  Q_EMIT dropped(output_, dropPoint);
}

}  // namespace graft::ui
