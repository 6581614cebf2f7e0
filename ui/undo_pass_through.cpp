#include "ui/undo_pass_through.h"

#include <QEvent>
#include <QKeyEvent>
#include <QKeySequence>
#include <QWidget>
#include <utility>

namespace graft::ui {
namespace {

class UndoPassThrough : public QObject {
 public:
  UndoPassThrough(QWidget* field, std::function<bool()> isTyping)
      : QObject(field), isTyping_(std::move(isTyping)) {}

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() == QEvent::ShortcutOverride) {
      auto* key = static_cast<QKeyEvent*>(event);
      if ((key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo)) && !isTyping_()) {
        // Not accepted and not seen by the field: the window's shortcut takes the key.
        event->ignore();
        return true;
      }
    }
    return QObject::eventFilter(watched, event);
  }

 private:
  std::function<bool()> isTyping_;
};

}  // namespace

void passUndoToWindowWhenCommitted(QWidget* field, std::function<bool()> isTyping) {
  field->installEventFilter(new UndoPassThrough(field, std::move(isTyping)));
}

}  // namespace graft::ui
