#pragma once
// View > Layout: how the graph is arranged (columns that fill the window — the default —, one
// column top to bottom, left to right) and whether cards are compact. The choice is remembered.
class QMenu;
class QWidget;

namespace graft::ui {

class GraphView;

// Builds the menu and applies the remembered choice to the view's scene.
QMenu* createLayoutMenu(GraphView* view, QWidget* parent);

}  // namespace graft::ui
