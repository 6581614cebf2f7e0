#pragma once
// A text field takes Ctrl+Z and Ctrl+Shift+Z for its own typing. Once what it shows is committed
// (the document's value), the keys go to the window's Undo and Redo instead: after a committed
// property edit, Ctrl+Z reverted only the field's text and left the model as it was.
#include <functional>

class QWidget;

namespace graft::ui {

// `isTyping`: the field holds text not committed yet (its own undo then applies).
void passUndoToWindowWhenCommitted(QWidget* field, std::function<bool()> isTyping);

}  // namespace graft::ui
