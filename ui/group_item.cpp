#include "ui/group_item.h"

#include <QLocale>
#include <QPainter>

namespace graft::ui {

GroupItem::GroupItem(const GroupView& view, const QRectF& rect, std::vector<QRectF> continued)
    : view_(view), rect_(rect), continued_(std::move(continued)), bounds_(rect) {
  for (const QRectF& piece : continued_) bounds_ |= piece;
  // Behind edges and cards; inner groups over outer ones.
  setZValue(-20 + view.depth);
  setAcceptedMouseButtons(Qt::NoButton);
  setView(view);
}

QString GroupItem::title() const {
  return QStringLiteral("%1 (%2) \u00b7 %3 params")
      .arg(view_.name, view_.className, QLocale(QLocale::English).toString(view_.params));
}

void GroupItem::setView(const GroupView& view) {
  view_ = view;
  setToolTip(QStringLiteral("Nested model %1\n%2").arg(view_.path, title()));
  update();
}

void GroupItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  const QColor frame(0x6b, 0x7b, 0x8c);
  QColor fill(0x6b, 0x7b, 0x8c, 18 + 10 * view_.depth);
  painter->setPen(QPen(frame, 1.4, Qt::DashLine));
  painter->setBrush(fill);
  painter->drawRoundedRect(rect_.adjusted(1, 1, -1, -1), 10, 10);
  for (const QRectF& piece : continued_)
    painter->drawRoundedRect(piece.adjusted(1, 1, -1, -1), 10, 10);
  QFont font = painter->font();
  font.setBold(true);
  painter->setFont(font);
  painter->setPen(frame.darker(140));
  const QRectF titleRect(rect_.left() + 12, rect_.top() + 4, rect_.width() - 24, 20);
  painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter,
                    painter->fontMetrics().elidedText(title(), Qt::ElideRight,
                                                      static_cast<int>(titleRect.width())));
}

}  // namespace graft::ui
