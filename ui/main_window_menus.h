#pragma once
// The main window's menu bar (File, Edit, View, Model, Help) and its toolbar. Built from the
// window's public face only (its document, views, panels and slots), so the menus cannot reach
// into the window's loading and saving state; the window calls this once, after its docks exist
// (View lists them).
namespace graft::ui {

class MainWindow;

void createMenusAndToolBar(MainWindow* window);

}  // namespace graft::ui
