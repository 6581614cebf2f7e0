#include "ui/output_marker_item.h"

#include <QCursor>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>

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

QRectF OutputMarkerItem::boundingRect() const {
  return kBox.adjusted(-2, -8, 2, 2);
}

void OutputMarkerItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  painter->setPen(Qt::NoPen);
  painter->setBrush(kColor);
  QPainterPath path;
  path.addRoundedRect(kBox, 12, 12);
  // A notch pointing at the layer above.
  QPolygonF notch;
  notch << QPointF(-7, kBox.top() + 1) << QPointF(0, kBox.top() - 7) << QPointF(7, kBox.top() + 1);
  path.addPolygon(notch);
  painter->drawPath(path.simplified());
  painter->setPen(Qt::white);
  QFont font = painter->font();
  font.setPointSizeF(8.5);
  font.setBold(true);
  painter->setFont(font);
  painter->drawText(kBox, Qt::AlignCenter, tr("✂ OUTPUT"));
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
