// What the right-click menu offers is reachable from the keyboard (Edit's entries, the Menu
// key), every menu's mnemonics are unique, the help lists the keys the actions really have,
// and the run panels take the focus when they open.
#include <gtest/gtest.h>

#include <QAction>
#include <QContextMenuEvent>
#include <QDialog>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QUndoStack>

#include "ui/cut_explorer_panel.h"
#include "ui/doc/document.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/layer_palette.h"
#include "ui/main_window.h"
#include "ui/main_window_menus.h"
#include "ui/node_item.h"
#include "ui/training_panel.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

// The letter after a single & ("" when none).
QString mnemonicOf(const QString& text) {
  for (int i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '&') continue;
    if (text[i + 1] == '&') {
      ++i;
      continue;
    }
    return text[i + 1].toLower();
  }
  return QString();
}

// Every menu and submenu under `menu` with its path: "Edit › Selected Layer".
void collectMenus(QMenu* menu, const QString& path, QList<QPair<QString, QMenu*>>& menus) {
  Q_EMIT menu->aboutToShow();  // the ones filled as they open (Recent, Selected Layer)
  menus.append({path, menu});
  for (QAction* action : menu->actions())
    if (action->menu())
      collectMenus(action->menu(), path + " › " + test::shownText(action->text()), menus);
}

// Within one menu no two entries share a letter (the second could not be reached by it).
void expectUniqueMnemonics(QMenu* menu, const QString& path) {
  QMap<QString, QString> taken;
  for (QAction* action : menu->actions()) {
    if (action->isSeparator()) continue;
    const QString letter = mnemonicOf(action->text());
    if (letter.isEmpty()) continue;
    EXPECT_FALSE(taken.contains(letter))
        << path.toStdString() << ": '" << letter.toStdString() << "' for both "
        << taken.value(letter).toStdString() << " and " << action->text().toStdString();
    taken.insert(letter, action->text());
  }
}

QAction* actionNamed(QMenu* menu, const QString& shown) {
  for (QAction* action : menu->actions())
    if (test::shownText(action->text()) == shown) return action;
  return nullptr;
}

QMenu* menuBarMenu(ui::MainWindow& window, const QString& shown) {
  for (QAction* action : window.menuBar()->actions())
    if (test::shownText(action->text()) == shown) return action->menu();
  return nullptr;
}

class KeyboardMenus : public ::testing::Test {
 protected:
  void SetUp() override {
    test::guiApp();
    window_ = std::make_unique<ui::MainWindow>();
    window_->resize(1280, 800);
    window_->show();
    window_->document()->open(test::smallModel(3), "small", {});
    window_->showWorkbench();
    ASSERT_TRUE(test::waitFor([this] { return view()->viewport()->width() > 200; }, 5000));
  }
  ui::GraphView* view() const { return window_->workbench()->view(); }
  ui::GraphScene* scene() const { return view()->graphScene(); }
  std::unique_ptr<ui::MainWindow> window_;
};

TEST_F(KeyboardMenus, EveryMenusMnemonicsAreUnique) {
  scene()->selectLayers({QStringLiteral("conv1")});
  QList<QPair<QString, QMenu*>> menus;
  for (QAction* top : window_->menuBar()->actions())
    if (top->menu()) collectMenus(top->menu(), test::shownText(top->text()), menus);
  for (const auto& [path, menu] : menus) expectUniqueMnemonics(menu, path);
  // The docks' toggles had none.
  for (QAction* action : menuBarMenu(*window_, "View")->actions()) {
    if (!action->isSeparator()) {
      EXPECT_FALSE(mnemonicOf(action->text()).isEmpty()) << action->text().toStdString();
    }
  }
  // Nor had the layer's context menu.
  QMenu context;
  window_->editor()->populateContextMenu(&context, QStringLiteral("conv1"));
  expectUniqueMnemonics(&context, "context menu");
  for (QAction* action : context.actions()) {
    if (!action->isSeparator() && action->isEnabled() && action != context.actions().front()) {
      EXPECT_FALSE(mnemonicOf(action->text()).isEmpty()) << action->text().toStdString();
    }
  }
}

// Cut, unfreeze and the rest of the context menu were reachable only with the mouse.
TEST_F(KeyboardMenus, TheEditMenuActsOnTheSelectedLayer) {
  QMenu* edit = menuBarMenu(*window_, "Edit");
  QAction* cut = actionNamed(edit, "Cut Model After Selected");
  QAction* unfreeze = actionNamed(edit, "Unfreeze From Selected");
  QAction* layerMenu = actionNamed(edit, "Selected Layer");
  ASSERT_NE(cut, nullptr);
  ASSERT_NE(unfreeze, nullptr);
  ASSERT_NE(layerMenu, nullptr);
  scene()->clearSelection();
  EXPECT_FALSE(cut->isEnabled());
  EXPECT_FALSE(unfreeze->isEnabled());
  EXPECT_FALSE(layerMenu->isEnabled());

  scene()->selectLayers({QStringLiteral("conv1_relu")});
  ASSERT_TRUE(cut->isEnabled());
  cut->trigger();
  EXPECT_EQ(window_->document()->graph().outputs(), std::vector<std::string>{"conv1_relu"});
  scene()->selectLayers({QStringLiteral("conv1_relu")});
  EXPECT_FALSE(cut->isEnabled()) << "already the output";
  window_->document()->undo();

  window_->editor()->setTrainable({"conv1", "conv1_bn", "conv1_relu"}, false);
  scene()->selectLayers({QStringLiteral("conv1_bn")});
  unfreeze->trigger();
  EXPECT_FALSE(window_->document()->graph().find("conv1")->trainable);
  EXPECT_TRUE(window_->document()->graph().find("conv1_bn")->trainable);
  EXPECT_TRUE(window_->document()->graph().find("conv1_relu")->trainable);

  // The submenu is the context menu itself: replace, fuse, rename…
  ASSERT_TRUE(layerMenu->isEnabled());
  Q_EMIT layerMenu->menu()->aboutToShow();
  QStringList offered;
  for (QAction* action : layerMenu->menu()->actions()) offered << test::shownText(action->text());
  EXPECT_TRUE(offered.contains("Replace with")) << offered.join(", ").toStdString();
  EXPECT_TRUE(offered.contains("Unfreeze from here")) << offered.join(", ").toStdString();
}

// The Menu key (Shift+F10) opened the canvas's menu at the top left: now the selected layer's,
// at the layer.
TEST_F(KeyboardMenus, TheMenuKeyAndShiftF10OpenTheSelectedLayersMenuAtIt) {
  scene()->selectLayers({QStringLiteral("conv1_bn")});
  QString node;
  QPoint at;
  bool space = false;
  QObject::connect(view(), &ui::GraphView::contextMenuOnNode, view(),
                   [&](const QString& name, const QPoint& pos) {
                     node = name;
                     at = pos;
                   });
  QObject::connect(view(), &ui::GraphView::contextMenuOnSpace, view(), [&] { space = true; });
  QStringList shown;
  // The menu runs its own loop: read it and close it.
  QTimer closer;
  QObject::connect(&closer, &QTimer::timeout, [&] {
    if (auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget())) {
      for (QAction* action : menu->actions()) shown << test::shownText(action->text());
      menu->close();
    }
  });
  closer.start(20);
  QContextMenuEvent keyboard(QContextMenuEvent::Keyboard, QPoint(0, 0),
                             view()->mapToGlobal(QPoint(0, 0)));
  QApplication::sendEvent(view(), &keyboard);
  EXPECT_EQ(node, "conv1_bn");
  EXPECT_FALSE(space);
  const ui::NodeItem* item = scene()->nodeItem(QStringLiteral("conv1_bn"));
  EXPECT_EQ(at, view()->viewport()->mapToGlobal(
                    view()->mapFromScene(item->sceneBoundingRect().center())));
  ASSERT_FALSE(shown.isEmpty());
  EXPECT_EQ(shown.front(), "conv1_bn");
  // Shift+F10, which the help lists: Qt's X11 plugin sends a context-menu event for the Menu
  // key alone, so the graph takes the key press itself.
  node.clear();
  at = QPoint();
  shown.clear();
  view()->setFocus();
  QTest::keyClick(view(), Qt::Key_F10, Qt::ShiftModifier);
  EXPECT_EQ(node, "conv1_bn");
  EXPECT_EQ(at, view()->viewport()->mapToGlobal(
                    view()->mapFromScene(item->sceneBoundingRect().center())));
  ASSERT_FALSE(shown.isEmpty());
  EXPECT_EQ(shown.front(), "conv1_bn");
  // Nothing selected: the canvas's menu.
  scene()->clearSelection();
  QContextMenuEvent again(QContextMenuEvent::Keyboard, QPoint(0, 0),
                          view()->mapToGlobal(QPoint(0, 0)));
  QApplication::sendEvent(view(), &again);
  EXPECT_TRUE(space);
}

// Opening Edit › Selected Layer added its entries' keys to the help as Edit's (two rows more).
TEST_F(KeyboardMenus, TheKeyboardHelpIsTheSameAfterTheLayerMenuOpened) {
  scene()->selectLayers({QStringLiteral("conv1")});
  const QString before = ui::keyboardHelpText(window_.get());
  auto* layerMenu = window_->findChild<QMenu*>(QStringLiteral("selected_layer_menu"));
  ASSERT_NE(layerMenu, nullptr);
  Q_EMIT layerMenu->aboutToShow();
  ASSERT_FALSE(layerMenu->actions().isEmpty());
  EXPECT_EQ(ui::keyboardHelpText(window_.get()), before);
}

// The help listed a few keys by hand and missed Ctrl+R, Ctrl+E, Ctrl+P, Ctrl+Shift+F, arrows.
TEST_F(KeyboardMenus, TheKeyboardHelpListsTheActionsKeys) {
  const QString help = ui::keyboardHelpText(window_.get());
  for (const char* key : {"Ctrl+R", "Ctrl+Shift+R", "Ctrl+E", "Ctrl+P", "Ctrl+Shift+F", "Ctrl+T",
                          "Ctrl+B", "F2", "Ctrl+0", "Arrow keys", "Shift+F10", "Return"})
    EXPECT_TRUE(help.contains(QString::fromLatin1(key))) << key;
  EXPECT_TRUE(help.contains("Model › Stop Training")) << help.toStdString();
  std::unique_ptr<QDialog> dialog(ui::keyboardHelpDialog(window_.get()));
  dialog->show();
  test::screenshot(dialog.get(), QStringLiteral("keyboard_help"));
}

TEST_F(KeyboardMenus, ToolbarTooltipsSayTheKey) {
  auto* tools = window_->findChild<QToolBar*>(QStringLiteral("toolbar_main"));
  ASSERT_NE(tools, nullptr);
  QStringList tips;
  for (QAction* action : tools->actions()) tips << action->toolTip();
  EXPECT_TRUE(tips.contains("Fit to Window (Ctrl+0)")) << tips.join(" | ").toStdString();
  EXPECT_TRUE(tips.contains("Find Layer… (Ctrl+F)")) << tips.join(" | ").toStdString();
}

// Train… and Explore Cut Points opened their panel and left the focus where it was.
TEST_F(KeyboardMenus, TheRunPanelsTakeTheFocus) {
  view()->setFocus();
  window_->showTraining();
  EXPECT_EQ(window_->focusWidget(),
            window_->trainingPanel()->findChild<QLineEdit*>(QStringLiteral("train_data")));
  view()->setFocus();
  window_->showCutExplorer();
  EXPECT_EQ(window_->focusWidget(),
            window_->cutExplorer()->findChild<QLineEdit*>(QStringLiteral("explorer_data")));
  auto* stop = window_->findChild<QAction*>(QStringLiteral("stop_training"));
  ASSERT_NE(stop, nullptr);
  EXPECT_FALSE(stop->isEnabled()) << "no run to stop";
  EXPECT_FALSE(stop->shortcut().isEmpty());
}

// A layer added from the keyboard (Return in Layers) lands in view.
TEST_F(KeyboardMenus, ALayerAddedFromTheKeyboardIsInView) {
  view()->setZoom(4.0);
  scene()->selectLayers({QString::fromStdString(window_->document()->graph().outputs().front())});
  view()->lookAt(scene()->nodeItem(QStringLiteral("input_1"))->sceneBoundingRect().center());
  auto* list = window_->layerPalette()->findChild<QTreeWidget*>();
  QTreeWidgetItem* dropout =
      list->findItems("Dropout", Qt::MatchExactly | Qt::MatchRecursive).value(0);
  ASSERT_NE(dropout, nullptr);
  list->setCurrentItem(dropout);
  QTest::keyClick(list, Qt::Key_Return);
  const QStringList selected = scene()->selectedLayers();
  ASSERT_EQ(selected.size(), 1);
  EXPECT_TRUE(selected.front().startsWith("dropout")) << selected.front().toStdString();
  EXPECT_TRUE(test::visibleScene(view()).intersects(
      scene()->nodeItem(selected.front())->sceneBoundingRect()));
}

// "one run of 1 epochs".
TEST_F(KeyboardMenus, TheChoiceNoteCountsEpochs) {
  window_->trainingPanel()->epochsBox()->setValue(1);
  const QString note = window_->trainingPanel()->choiceNote()->text();
  EXPECT_TRUE(note.contains("one run of 1 epoch,")) << note.toStdString();
}

}  // namespace
}  // namespace graft
