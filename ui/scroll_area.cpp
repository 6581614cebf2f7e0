#include "ui/scroll_area.h"

#include <QScrollArea>

namespace graft::ui {

QScrollArea* scrolledContent(QWidget* content, const QString& name, QWidget* parent) {
  auto* scroll = new QScrollArea(parent);
  scroll->setObjectName(name);
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setFocusPolicy(Qt::NoFocus);
  return scroll;
}

}  // namespace graft::ui
