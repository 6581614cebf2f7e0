#pragma once
// The main window's menu bar (File, Edit, View, Model, Help) and its toolbar. Built from the
// window's public face only (its document, views, panels and slots), so the menus cannot reach
// into the window's loading and saving state; the window calls this once, after its docks exist
// (View lists them).
#include <QString>

class QDialog;

namespace graft::ui {

class MainWindow;

void createMenusAndToolBar(MainWindow* window);
// Help › Keyboard and Mouse: the gestures and keys of the graph and the lists, then every menu
// entry's key(s), read from the actions themselves (rich text, a table).
QString keyboardHelpText(const MainWindow* window);
// The window that shows it (Help › Keyboard and Mouse), sized to the table; not shown yet.
QDialog* keyboardHelpDialog(MainWindow* window);

}  // namespace graft::ui
