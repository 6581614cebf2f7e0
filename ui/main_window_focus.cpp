// Tab order of the main window: Qt keeps a tabbed dock that is not on top (Predictions behind
// Properties, History behind Summary) and its spare tab bars visible, moved outside the window,
// so Tab walked through a dozen controls no one could see. Those are skipped here.
#include <QWidget>

#include "ui/main_window.h"

namespace graft::ui {
namespace {

// Outside its parent, or inside something that is: parked by the dock layout, not scrolled
// (a field scrolled out of a scroll area still overlaps the area's content widget).
bool parkedOutside(const QWidget* widget) {
  for (const QWidget* w = widget; w && !w->isWindow(); w = w->parentWidget())
    if (!w->geometry().intersects(w->parentWidget()->rect())) return true;
  return false;
}

// What Qt's own Tab would stop at (QApplicationPrivate::focusNextPrevChild_helper).
bool tabStop(const QWidget* widget, const QWidget* window) {
  return widget->window() == window && (widget->focusPolicy() & Qt::TabFocus) &&
         !widget->focusProxy() && widget->isVisibleTo(window) && widget->isEnabled() &&
         !parkedOutside(widget);
}

}  // namespace

bool MainWindow::focusNextPrevChild(bool next) {
  QWidget* from = focusWidget() ? focusWidget() : this;
  QWidget* w = from;
  // The chain is a ring: around once at most.
  do {
    w = next ? w->nextInFocusChain() : w->previousInFocusChain();
    if (w != from && tabStop(w, this)) {
      w->setFocus(next ? Qt::TabFocusReason : Qt::BacktabFocusReason);
      return true;
    }
  } while (w != from);
  return QMainWindow::focusNextPrevChild(next);
}

}  // namespace graft::ui
