#include "ui/eliding_status_bar.h"

#include <QPainter>
#include <QSizeGrip>
#include <QStyleOption>
#include <algorithm>

namespace graft::ui {

namespace {

// The widgets a message leaves showing: the permanent ones (QStatusBar hides the others while
// a message shows) and the size grip.
QList<QWidget*> shownChildren(const QStatusBar* bar) {
  QList<QWidget*> shown;
  for (QWidget* child : bar->findChildren<QWidget*>(Qt::FindDirectChildrenOnly))
    if (child->isVisible()) shown.push_back(child);
  return shown;
}

}  // namespace

ElidingStatusBar::ElidingStatusBar(QWidget* parent) : QStatusBar(parent) {}

QRect ElidingStatusBar::messageRect() const {
  // QStatusBar's own margins: 6 px from the edge, 2 px before the first label.
  const bool rtl = layoutDirection() == Qt::RightToLeft;
  int left = 6, right = width() - 12;
  for (const QWidget* child : shownChildren(this)) {
    if (rtl)
      left = std::max(left, child->geometry().right() + 3);
    else
      right = std::min(right, child->x() - 2);
  }
  return QRect(left, 0, std::max(0, right - left), height());
}

QString ElidingStatusBar::shownMessage() const {
  return fontMetrics().elidedText(currentMessage(), Qt::ElideMiddle, messageRect().width());
}

void ElidingStatusBar::paintEvent(QPaintEvent* event) {
  if (currentMessage().isEmpty()) {
    QStatusBar::paintEvent(event);
    return;
  }
  // QStatusBar's painting (the panel, the frames of the labels a message leaves) with the
  // message elided rather than clipped.
  QPainter painter(this);
  QStyleOption panel;
  panel.initFrom(this);
  style()->drawPrimitive(QStyle::PE_PanelStatusBar, &panel, &painter, this);
  for (QWidget* child : shownChildren(this)) {
    if (qobject_cast<QSizeGrip*>(child)) continue;
    QStyleOption frame(0);
    frame.rect = child->geometry().adjusted(-2, -1, 2, 1);
    frame.palette = palette();
    frame.state = QStyle::State_None;
    style()->drawPrimitive(QStyle::PE_FrameStatusBarItem, &frame, &painter, child);
  }
  painter.setPen(palette().windowText().color());
  painter.drawText(messageRect(), Qt::AlignLeading | Qt::AlignVCenter | Qt::TextSingleLine,
                   shownMessage());
}

}  // namespace graft::ui
