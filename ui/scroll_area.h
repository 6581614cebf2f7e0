#pragma once
// A panel's content in a frameless scroll area that follows the panel's size: below what the
// content needs it scrolls, so a dock never makes the window taller than the screen.
class QScrollArea;
class QString;
class QWidget;

namespace graft::ui {

// `content` scrolled in an area named `name` (no frame, not a tab stop of its own: Tab goes to
// the content's fields and the area scrolls to them; keepFocusInView).
QScrollArea* scrolledContent(QWidget* content, const QString& name, QWidget* parent);

// The area scrolls to a field inside it that gets the focus from the keyboard or the program
// (Ctrl+R's data field, a label's Alt+letter), as Tab already made it: Qt scrolls only for
// Tab, and Ctrl+R focused a field scrolled out of sight. A click, or the window becoming active
// again, leaves the view where it is.
void keepFocusInView(QScrollArea* area);

}  // namespace graft::ui
