#include "ui/card_icons.h"

#include <QPainter>

namespace graft::ui {

void drawLock(QPainter* painter, const QRectF& box, const QColor& color) {
  painter->save();
  painter->setPen(QPen(color, box.width() * 0.14, Qt::SolidLine, Qt::RoundCap));
  painter->setBrush(Qt::NoBrush);
  const QRectF shackle(box.left() + box.width() * 0.22, box.top(), box.width() * 0.56,
                       box.height() * 0.7);
  painter->drawArc(shackle, 0, 180 * 16);
  painter->drawLine(QPointF(shackle.left(), shackle.center().y()),
                    QPointF(shackle.left(), box.top() + box.height() * 0.45));
  painter->drawLine(QPointF(shackle.right(), shackle.center().y()),
                    QPointF(shackle.right(), box.top() + box.height() * 0.45));
  painter->setPen(Qt::NoPen);
  painter->setBrush(color);
  painter->drawRoundedRect(
      QRectF(box.left(), box.top() + box.height() * 0.42, box.width(), box.height() * 0.58),
      box.width() * 0.12, box.width() * 0.12);
  painter->restore();
}

}  // namespace graft::ui
