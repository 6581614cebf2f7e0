#pragma once
// A panel's content in a frameless scroll area that follows the panel's size: below what the
// content needs it scrolls, so a dock never makes the window taller than the screen.
class QScrollArea;
class QString;
class QWidget;

namespace graft::ui {

// `content` scrolled in an area named `name` (no frame, not a tab stop of its own: Tab goes to
// the content's fields and the area scrolls to them).
QScrollArea* scrolledContent(QWidget* content, const QString& name, QWidget* parent);

}  // namespace graft::ui
