#include "ui/scroll_area.h"

#include <QApplication>
#include <QScrollArea>

namespace graft::ui {
namespace {

// Every scroll area holding `field`, the innermost first: the outer one scrolls to where the
// inner one has put it.
void revealInScrollAreas(QWidget* field) {
  for (QWidget* w = field->parentWidget(); w; w = w->parentWidget())
    if (auto* area = qobject_cast<QScrollArea*>(w)) area->ensureWidgetVisible(field);
}

}  // namespace

void keepFocusInView(QScrollArea* area) {
  QObject::connect(qApp, &QApplication::focusChanged, area, [area](QWidget* old, QWidget* now) {
    if (!now || !area->widget() || !area->widget()->isAncestorOf(now)) return;
    if (!old) return;  // the window active again: the view stays where the user scrolled it
    if (QApplication::mouseButtons() != Qt::NoButton) return;  // clicked: it is in view
    revealInScrollAreas(now);
  });
}

QScrollArea* scrolledContent(QWidget* content, const QString& name, QWidget* parent) {
  auto* scroll = new QScrollArea(parent);
  scroll->setObjectName(name);
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setFocusPolicy(Qt::NoFocus);
  keepFocusInView(scroll);
  return scroll;
}

}  // namespace graft::ui
