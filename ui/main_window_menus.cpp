#include "ui/main_window_menus.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>
#include <algorithm>
#include <map>

#include "graph/surgery/ops.h"
#include "ui/doc/document.h"
#include "ui/error_dialog.h"
#include "ui/find_bar.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/layout_menu.h"
#include "ui/main_window.h"
#include "ui/prediction_panel.h"
#include "ui/properties_panel.h"
#include "ui/recent_files.h"
#include "ui/training_panel.h"
#include "ui/workbench.h"

namespace graft::ui {
namespace {

QIcon icon(const char* name) {
  return QIcon(QStringLiteral(":/icons/%1.svg").arg(name));
}

// The menu actions the toolbar shows too; each menu's builder fills in its own.
struct ToolBarActions {
  QAction* home = nullptr;
  QAction* open = nullptr;
  QAction* save = nullptr;
  QAction* undo = nullptr;
  QAction* redo = nullptr;
  QAction* zoomIn = nullptr;
  QAction* zoomOut = nullptr;
  QAction* fit = nullptr;
  QAction* find = nullptr;
  QAction* train = nullptr;
};

// Filled each time it opens: every file opened or saved changes the list.
void addRecentMenu(MainWindow* window, QMenu* file) {
  QMenu* recent = file->addMenu(MainWindow::tr("Open &Recent"));
  QObject::connect(recent, &QMenu::aboutToShow, window, [window, recent] {
    recent->clear();
    for (const QString& path : recentFiles())
      recent
          ->addAction(QFileInfo(path).fileName(), window,
                      [window, path] { window->openPath(path); })
          ->setToolTip(path);
    if (recent->isEmpty()) recent->addAction(MainWindow::tr("No recent files"))->setEnabled(false);
  });
}

// The platform theme's keys for `standard` and `also`: a desktop whose theme defines none (a
// bare X session, some window managers) still gets the usual ones.
QList<QKeySequence> platformKeysAnd(QKeySequence::StandardKey standard,
                                    const QList<QKeySequence>& also) {
  QList<QKeySequence> keys = QKeySequence::keyBindings(standard);
  for (const QKeySequence& k : also)
    if (!keys.contains(k)) keys << k;
  return keys;
}

// Everything that writes the model or the session somewhere needs a model: off until one opens.
void enableOnceOpened(Document* document, QAction* action) {
  action->setEnabled(false);
  QObject::connect(document, &Document::opened, action, [action] { action->setEnabled(true); });
}

void addSaveActions(MainWindow* window, QMenu* file, ToolBarActions& bar) {
  QAction* save = file->addAction(icon("save"), MainWindow::tr("&Save Project"), window,
                                  [window] { window->saveProject(); });
  save->setShortcut(QKeySequence::Save);
  save->setToolTip(
      MainWindow::tr("Save graph, weights, labels and the edit recipe as one .graft file"));
  QAction* saveAs = file->addAction(MainWindow::tr("Save Project &As…"), window,
                                    [window] { window->saveProjectAs(); });
  saveAs->setShortcuts(
      platformKeysAnd(QKeySequence::SaveAs, {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)}));
  file->addSeparator();
  QAction* recipe = file->addAction(MainWindow::tr("Export Re&cipe…"), window,
                                    [window] { window->exportRecipe(); });
  recipe->setToolTip(
      MainWindow::tr("Save the edits made so far as a recipe graft-cli edit can replay"));
  QAction* weights = file->addAction(MainWindow::tr("Load &Weights…"), window,
                                     [window] { window->loadWeightsFile(); });
  weights->setToolTip(
      MainWindow::tr("Put the weights of a Keras file (.h5, .weights.h5, .keras: an export of "
                     "this model, a checkpoint) on the open model, by layer name"));
  // Always enabled: without a model it does nothing.
  file->addAction(MainWindow::tr("Appl&y Recipe…"), window, [window] { window->applyRecipeFile(); })
      ->setToolTip(
          MainWindow::tr("Replay a recipe's operations on this model as one undoable step"));
  QAction* pipeline = file->addAction(MainWindow::tr("Save Session as &Pipeline…"), window,
                                      [window] { window->savePipeline(); });
  pipeline->setToolTip(
      MainWindow::tr("Write a pipeline graft-cli run can replay in CI: the model, the edits, "
                     "training, exports and checks"));
  QAction* exportModel = file->addAction(icon("export"), MainWindow::tr("&Export Model…"), window,
                                         [window] { window->openExportDialog(); });
  exportModel->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  for (QAction* a : {save, saveAs, recipe, pipeline, exportModel, weights})
    enableOnceOpened(window->document(), a);
  bar.save = save;
}

void addFileMenu(MainWindow* window, ToolBarActions& bar) {
  QMenu* file = window->menuBar()->addMenu(MainWindow::tr("&File"));
  bar.home = file->addAction(icon("home"), MainWindow::tr("S&tart Page"), window,
                             &MainWindow::showStartPage);
  bar.home->setShortcut(QKeySequence::New);
  bar.home->setToolTip(MainWindow::tr(
      "Open a file or start from a Keras Applications architecture (again: back to the model)"));
  bar.open =
      file->addAction(icon("open"), MainWindow::tr("&Open…"), window, &MainWindow::chooseFile);
  bar.open->setShortcut(QKeySequence::Open);
  addRecentMenu(window, file);
  file->addSeparator();
  addSaveActions(window, file, bar);
  file->addSeparator();
  QAction* quit = file->addAction(MainWindow::tr("&Quit"), window, &QWidget::close);
  quit->setShortcuts(platformKeysAnd(QKeySequence::Quit, {QKeySequence(Qt::CTRL | Qt::Key_Q)}));
}

void addUndoActions(MainWindow* window, QMenu* edit, ToolBarActions& bar) {
  Document* document = window->document();
  // Undo and redo go through the document, which refuses them while a run trains on the model.
  // Text typed into Properties and not committed is the last change: Undo takes it back first.
  QAction* undo = edit->addAction(icon("undo"), MainWindow::tr("&Undo"), window, [window] {
    if (const QString field = window->properties()->discardUnfinishedEdit(); !field.isEmpty()) {
      window->statusBar()->showMessage(
          MainWindow::tr("Took back what was typed in %1 (not applied yet)").arg(field), 5000);
      return;
    }
    window->document()->undo();
  });
  undo->setShortcut(QKeySequence::Undo);
  undo->setProperty("helpText", MainWindow::tr("&Undo"));  // the help lists it without the step
  QAction* redo = edit->addAction(MainWindow::tr("&Redo"), document, &Document::redo);
  QUndoStack* stack = document->undoStack();
  // QPointers: the stack clears itself (and signals) when the document is destroyed, after the
  // window's menus and docks are gone.
  auto refreshUndoActions = [document, stack, undoAction = QPointer<QAction>(undo),
                             redoAction = QPointer<QAction>(redo),
                             history = QPointer<QUndoView>(window->historyView())] {
    if (!undoAction || !redoAction || !history) return;
    const bool free = document->canEdit();
    undoAction->setEnabled(free && stack->canUndo());
    redoAction->setEnabled(free && stack->canRedo());
    undoAction->setText(stack->undoText().isEmpty()
                            ? MainWindow::tr("&Undo")
                            : MainWindow::tr("&Undo %1").arg(stack->undoText()));
    redoAction->setText(stack->redoText().isEmpty()
                            ? MainWindow::tr("&Redo")
                            : MainWindow::tr("&Redo %1").arg(stack->redoText()));
    history->setEnabled(free);
  };
  QObject::connect(stack, &QUndoStack::indexChanged, window, refreshUndoActions);
  QObject::connect(stack, &QUndoStack::canUndoChanged, window, refreshUndoActions);
  QObject::connect(stack, &QUndoStack::canRedoChanged, window, refreshUndoActions);
  QObject::connect(document, &Document::editLockChanged, window, refreshUndoActions);
  // Says why undo and the edits stopped working (a run trains on the model).
  // Unlocked: the reason goes too (it outlived a run that failed at once, or ended).
  QObject::connect(document, &Document::editLockChanged, window,
                   [window, shown = QString()](const QString& reason) mutable {
                     QStatusBar* status = window->statusBar();
                     if (!reason.isEmpty())
                       status->showMessage(reason, 5000);
                     else if (!shown.isEmpty() && status->currentMessage() == shown)
                       status->clearMessage();
                     shown = reason;
                   });
  refreshUndoActions();
  // Both conventions everywhere: Ctrl+Y (Windows, KDE) and Ctrl+Shift+Z (GNOME, macOS).
  redo->setShortcuts(platformKeysAnd(
      QKeySequence::Redo,
      {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)}));
  redo->setIcon(icon("redo"));
  redo->setProperty("helpText", MainWindow::tr("&Redo"));
  bar.undo = undo;
  bar.redo = redo;
}

// What the layer's context menu offers, from the keyboard: the same GraphEditor calls, and the
// context menu itself as a submenu (replace, collapse or expand its nested model, the cut-point
// explorer's cut). `selectionActions` need a selected layer too.
void addSelectedLayerActions(MainWindow* window, QMenu* edit,
                             const QList<QAction*>& selectionActions) {
  GraphEditor* editor = window->editor();
  GraphScene* scene = window->workbench()->scene();
  Document* document = window->document();
  QAction* unfreeze =
      edit->addAction(MainWindow::tr("Unfreeze Fr&om Selected"), window, [editor, scene] {
        const QStringList selected = scene->selectedLayers();
        if (!selected.isEmpty()) editor->unfreezeFrom(selected.front());
      });
  QAction* cut = edit->addAction(icon("cut"), MainWindow::tr("&Cut Model After Selected"), window,
                                 [editor, scene] {
                                   const QStringList selected = scene->selectedLayers();
                                   if (selected.size() == 1) editor->cutAt(selected.front());
                                 });
  cut->setStatusTip(MainWindow::tr("Make the selected layer the model's output"));
  QMenu* layerMenu = edit->addMenu(MainWindow::tr("Selected &Layer"));
  layerMenu->setObjectName(QStringLiteral("selected_layer_menu"));
  // Filled as it opens with the context menu's entries, whose keys Edit's own entries have:
  // listed, the help gained them as Edit's once the menu had been opened.
  layerMenu->setProperty("notInKeyHelp", true);
  QObject::connect(layerMenu, &QMenu::aboutToShow, window, [editor, scene, document, layerMenu] {
    layerMenu->clear();
    const QStringList selected = scene->selectedLayers();
    if (selected.isEmpty() || !document->hasModel()) return;
    editor->populateContextMenu(layerMenu, selected.front());
    // The nested model holding it: collapse, cut after, freeze all (the title's menu).
    const Node* node = document->graph().find(selected.front().toStdString());
    if (node && !node->group.empty()) {
      QMenu* group = layerMenu->addMenu(
          MainWindow::tr("&Nested Model %1").arg(QString::fromStdString(node->group)));
      editor->populateGroupMenu(group, QString::fromStdString(node->group));
    }
  });
  // Enabled only where they apply: something selected, the model free to edit (not training).
  // Connected for the life of the submenu (the Edit menu's children all go with it); the
  // document may go first as the window closes.
  const auto refresh = [scene, document = QPointer<Document>(document), selectionActions, unfreeze,
                        cut, layerMenu] {
    if (!document) return;
    const QStringList selected = scene->selectedLayers();
    const bool editable = document->hasModel() && document->canEdit();
    const bool any = editable && !selected.isEmpty();
    for (QAction* a : selectionActions) a->setEnabled(any);
    unfreeze->setEnabled(any);
    layerMenu->menuAction()->setEnabled(any);
    // A cut at the model's only output changes nothing (as in the context menu).
    cut->setEnabled(any && selected.size() == 1 &&
                    document->graph().outputs() !=
                        std::vector<std::string>{selected.front().toStdString()});
  };
  QObject::connect(scene, &GraphScene::layersSelected, layerMenu, refresh);
  QObject::connect(document, &Document::changed, layerMenu, refresh);
  QObject::connect(document, &Document::editLockChanged, layerMenu, refresh);
  refresh();
}

// Edits of the selected layers.
void addLayerActions(MainWindow* window, QMenu* edit) {
  GraphEditor* editor = window->editor();
  GraphScene* scene = window->workbench()->scene();
  QAction* remove = edit->addAction(icon("delete"), MainWindow::tr("Remo&ve Selected Layers"),
                                    editor, &GraphEditor::removeSelection);
  remove->setShortcuts({QKeySequence::Delete, Qt::Key_Backspace});
  remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  // Only while the graph has focus: Delete in a text field edits text.
  window->workbench()->view()->addAction(remove);
  QAction* rename = edit->addAction(MainWindow::tr("Re&name Layer…"), window, [editor, scene] {
    const QStringList selected = scene->selectedLayers();
    if (selected.size() == 1) editor->renameInteractively(selected.front());
  });
  rename->setShortcut(Qt::Key_F2);
  // Fuses any linear chain: a selected Conv2D/Dense with its BatchNormalization, or the layers
  // selected together.
  QAction* fuse =
      edit->addAction(MainWindow::tr("Fu&se Selected Layers"), editor, &GraphEditor::fuseSelection);
  fuse->setStatusTip(
      MainWindow::tr("Fuse the selected chain into one layer; a lone convolution or Dense layer "
                     "fuses with the BatchNormalization after it"));
  fuse->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
  QAction* freeze = edit->addAction(icon("lock"), MainWindow::tr("Free&ze Up to Selected"), window,
                                    [editor, scene] {
                                      const QStringList selected = scene->selectedLayers();
                                      if (!selected.isEmpty()) editor->freezeUpTo(selected.back());
                                    });
  freeze->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
  QAction* toggle = edit->addAction(MainWindow::tr("&Toggle Trainable"), window, [window, scene] {
    const QStringList selected = scene->selectedLayers();
    if (selected.isEmpty()) return;
    const Node* first = window->document()->graph().find(selected.front().toStdString());
    window->editor()->setTrainable(selected, first && !first->trainable);
  });
  toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
  // Window-wide, unlike Remove: these keys mean nothing in a text field.
  for (QAction* a : {rename, fuse, freeze, toggle}) a->setShortcutContext(Qt::WindowShortcut);
  addSelectedLayerActions(window, edit, {remove, rename, fuse, freeze, toggle});
}

void addFindActions(MainWindow* window, QMenu* edit, ToolBarActions& bar) {
  Workbench* workbench = window->workbench();
  bar.find = edit->addAction(icon("find"), MainWindow::tr("&Find Layer…"), window, [window] {
    window->showWorkbench();
    window->workbench()->findBar()->activate();
  });
  bar.find->setShortcut(QKeySequence::Find);
  bar.find->setShortcutContext(Qt::WindowShortcut);
  QAction* selectAll =
      edit->addAction(MainWindow::tr("Select &All Layers"), window, [window, workbench] {
        QStringList names;
        for (const Node& node : window->document()->graph().nodes())
          names << QString::fromStdString(node.name);
        workbench->scene()->selectLayers(names);
      });
  selectAll->setShortcut(QKeySequence::SelectAll);
  // Only while the graph has focus: Ctrl+A in a text field selects its text.
  selectAll->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  workbench->view()->addAction(selectAll);
}

void addEditMenu(MainWindow* window, ToolBarActions& bar) {
  QMenu* edit = window->menuBar()->addMenu(MainWindow::tr("&Edit"));
  addUndoActions(window, edit, bar);
  edit->addSeparator();
  addLayerActions(window, edit);
  edit->addSeparator();
  addFindActions(window, edit, bar);
}

void addViewMenu(MainWindow* window, ToolBarActions& bar) {
  GraphView* view = window->workbench()->view();
  QMenu* viewMenu = window->menuBar()->addMenu(MainWindow::tr("&View"));
  bar.zoomIn =
      viewMenu->addAction(icon("zoom-in"), MainWindow::tr("Zoom &In"), view, &GraphView::zoomIn);
  bar.zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
  bar.zoomOut =
      viewMenu->addAction(icon("zoom-out"), MainWindow::tr("Zoom &Out"), view, &GraphView::zoomOut);
  bar.zoomOut->setShortcut(QKeySequence::ZoomOut);
  bar.fit =
      viewMenu->addAction(icon("fit"), MainWindow::tr("&Fit to Window"), view, &GraphView::fitAll);
  bar.fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
  QAction* actual =
      viewMenu->addAction(MainWindow::tr("&Actual Size"), view, &GraphView::resetZoom);
  actual->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
  for (QAction* a : {bar.zoomIn, bar.zoomOut, bar.fit, actual})
    a->setShortcutContext(Qt::WindowShortcut);
  viewMenu->addMenu(createLayoutMenu(view, window));
  viewMenu->addSeparator();
  // With mnemonics, unlike the docks' titles (which the toggles would show as they are).
  static const std::map<QString, const char*> toggles = {
      {QStringLiteral("dock_palette"), QT_TR_NOOP("La&yers")},
      {QStringLiteral("dock_overview"), QT_TR_NOOP("O&verview")},
      {QStringLiteral("dock_properties"), QT_TR_NOOP("&Properties")},
      {QStringLiteral("dock_summary"), QT_TR_NOOP("&Summary")},
      {QStringLiteral("dock_history"), QT_TR_NOOP("&History")},
      {QStringLiteral("dock_training"), QT_TR_NOOP("&Training")},
      {QStringLiteral("dock_cut_explorer"), QT_TR_NOOP("&Cut-point Explorer")},
      {QStringLiteral("dock_predictions"), QT_TR_NOOP("Pre&dictions")},
  };
  for (QDockWidget* d : window->findChildren<QDockWidget*>()) {
    QAction* toggle = d->toggleViewAction();
    if (const auto it = toggles.find(d->objectName()); it != toggles.end())
      toggle->setText(MainWindow::tr(it->second));
    viewMenu->addAction(toggle);
  }
}

// Model > Input Preprocessing: checked where the model is; usable while the model may be edited.
void syncPreprocessingMenu(QMenu* menu, QActionGroup* group, const Document* document) {
  menu->setEnabled(document->hasModel() && document->canEdit());
  const QString current =
      document->hasModel()
          ? QString::fromStdString(preprocessingName(document->model().preprocessing))
          : QString();
  for (QAction* action : group->actions()) action->setChecked(action->data().toString() == current);
}

// Model > Input Preprocessing: how images become the input, which a Keras file does not record
// (Graft guesses for a user's file and says so in the notes). A choice is a set_preprocessing
// step: undoable, and recorded in the recipe.
void addPreprocessingMenu(MainWindow* window, QMenu* model) {
  QMenu* menu = model->addMenu(MainWindow::tr("&Input Preprocessing"));
  menu->setObjectName(QStringLiteral("preprocessing_menu"));
  menu->setToolTipsVisible(true);
  auto* group = new QActionGroup(menu);
  struct Choice {
    const char* name;
    const char* text;
  };
  static const Choice choices[] = {
      {"caffe", QT_TR_NOOP("caffe: BGR, ImageNet means subtracted (VGG, ResNet)")},
      {"tf", QT_TR_NOOP("tf: scaled to -1..1 (MobileNet, Inception, Xception)")},
      {"torch", QT_TR_NOOP("torch: 0..1, ImageNet mean and deviation (DenseNet)")},
      {"unit", QT_TR_NOOP("unit: x/255, 0..1")},
      {"none", QT_TR_NOOP("none: pixels 0..255 as they are (the model scales them)")},
  };
  Document* document = window->document();
  for (const Choice& choice : choices) {
    const QString name = QString::fromLatin1(choice.name);
    QAction* action = menu->addAction(MainWindow::tr(choice.text));
    action->setObjectName(QStringLiteral("preprocessing_") + name);
    action->setCheckable(true);
    action->setData(name);
    group->addAction(action);
    QObject::connect(action, &QAction::triggered, window, [window, document, menu, group, name] {
      if (!document->hasModel() ||
          QString::fromStdString(preprocessingName(document->model().preprocessing)) == name)
        return;
      const Diagnostics refused =
          document->apply1(ops::setPreprocessing(name.toStdString()),
                           MainWindow::tr("set the input preprocessing to %1").arg(name));
      if (!refused.empty()) {
        // The group already checked the choice: show the model's again.
        syncPreprocessingMenu(menu, group, document);
        showDiagnostics(window, MainWindow::tr("Cannot set the input preprocessing"), refused);
      }
    });
  }
  const auto sync = [document, menu, group] { syncPreprocessingMenu(menu, group, document); };
  QObject::connect(document, &Document::changed, menu, sync);
  QObject::connect(document, &Document::editLockChanged, menu, sync);
  sync();
}

void addModelMenu(MainWindow* window, ToolBarActions& bar) {
  QMenu* model = window->menuBar()->addMenu(MainWindow::tr("&Model"));
  bar.train =
      model->addAction(icon("train"), MainWindow::tr("&Train…"), window, &MainWindow::showTraining);
  bar.train->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  bar.train->setToolTip(MainWindow::tr("Fine-tune the model on an image folder"));
  QAction* predict = model->addAction(MainWindow::tr("&Predict Images…"), window, [window] {
    // The dock, not the panel's parent: the panel sits in a scroll area inside it.
    auto* dock = window->findChild<QDockWidget*>(QStringLiteral("dock_predictions"));
    dock->show();
    dock->raise();
    window->predictionPanel()->chooseImages();
  });
  predict->setObjectName(QStringLiteral("predict_images"));
  predict->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
  predict->setToolTip(
      MainWindow::tr("Run the current model on images (or drop images on the window)"));
  QAction* explore = model->addAction(MainWindow::tr("&Explore Cut Points…"), window,
                                      &MainWindow::showCutExplorer);
  explore->setToolTip(MainWindow::tr(
      "Measure on your images which layer to cut at: a linear classifier on each candidate"));
  model->addAction(MainWindow::tr("Create &Sample Data"), window, [window] {
    window->showTraining();
    window->trainingPanel()->createSampleData();
  });
  TrainingPanel* training = window->trainingPanel();
  QAction* stop = model->addAction(MainWindow::tr("St&op Training"), training, [training] {
    if (training->stopButton()->isEnabled()) training->stopButton()->click();
  });
  stop->setObjectName(QStringLiteral("stop_training"));
  stop->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
  stop->setShortcutContext(Qt::WindowShortcut);
  stop->setEnabled(false);
  QObject::connect(training, &TrainingPanel::runningChanged, stop, &QAction::setEnabled);
  training->stopButton()->setToolTip(MainWindow::tr("Stop after the current batch (%1)")
                                         .arg(stop->shortcut().toString(QKeySequence::NativeText)));
  model->addSeparator();
  addPreprocessingMenu(window, model);
  // Without a model these have nothing to run (Predict used to open a file dialog for nothing).
  enableOnceOpened(window->document(), predict);
  enableOnceOpened(window->document(), explore);
}

// A menu entry as the help names it: "Edit › Fuse Selected Layers".
QString entryName(const QString& menuTitle, const QAction* action) {
  const QString text = action->property("helpText").isValid()
                           ? action->property("helpText").toString()
                           : action->text();
  QString plain;
  for (int i = 0; i < text.size(); ++i) {
    if (text[i] == '&' && i + 1 < text.size()) ++i;  // a mnemonic's & goes, && stays one &
    plain += text[i];
  }
  if (plain.endsWith(QChar(0x2026))) plain.chop(1);  // "…"
  return menuTitle.isEmpty() ? plain : QStringLiteral("%1 › %2").arg(menuTitle, plain);
}

// Every action of `menu` and its submenus that has a key, as table rows.
void addShortcutRows(const QMenu* menu, const QString& title, QStringList& rows) {
  for (const QAction* action : menu->actions()) {
    if (action->menu()) {
      if (!action->menu()->property("notInKeyHelp").toBool())
        addShortcutRows(action->menu(), title, rows);
      continue;
    }
    QStringList keys;
    for (const QKeySequence& key : action->shortcuts())
      keys << key.toString(QKeySequence::NativeText).toHtmlEscaped();
    if (keys.isEmpty()) continue;
    rows << QStringLiteral("<tr><td nowrap><b>%1</b></td><td>%2</td></tr>")
                .arg(keys.join(QStringLiteral(" / ")), entryName(title, action).toHtmlEscaped());
  }
}

}  // namespace

QString keyboardHelpText(const MainWindow* window) {
  QStringList rows;
  const auto row = [&rows](const QString& keys, const QString& what) {
    rows << QStringLiteral("<tr><td nowrap><b>%1</b></td><td>%2</td></tr>").arg(keys, what);
  };
  row(MainWindow::tr("Wheel"), MainWindow::tr("scroll (Shift+wheel: sideways)"));
  row(MainWindow::tr("Ctrl+wheel"), MainWindow::tr("zoom at the cursor"));
  row(MainWindow::tr("Drag background"), MainWindow::tr("pan (middle button too)"));
  row(MainWindow::tr("Shift+drag"), MainWindow::tr("select a group of layers"));
  row(MainWindow::tr("Drag from Layers"),
      MainWindow::tr("onto a connection: insert; onto a layer: add after it"));
  row(MainWindow::tr("Right click, Menu key, Shift+F10"),
      MainWindow::tr("the layer's menu: cut, remove, replace, fuse, freeze, rename (Edit › "
                     "Selected Layer has it too)"));
  row(MainWindow::tr("Arrow keys"),
      MainWindow::tr("in the graph: move the selection along the connections (nothing "
                     "selected: to the input layer)"));
  row(MainWindow::tr("Shift+arrow keys"),
      MainWindow::tr("in the graph: extend the selection (back: shrink it)"));
  row(MainWindow::tr("Home / End"), MainWindow::tr("in the graph: the input / the output layer"));
  row(MainWindow::tr("Return"),
      MainWindow::tr("in Layers (list or filter): add that layer type after the selected layer "
                     "(at the output when none is)"));
  row(MainWindow::tr("Tab / Shift+Tab"), MainWindow::tr("the next / previous panel or field"));
  // The menus' own keys: what is listed cannot go stale.
  for (const QAction* top : window->menuBar()->actions())
    if (top->menu()) addShortcutRows(top->menu(), entryName(QString(), top), rows);
  return QStringLiteral("<table cellspacing='0' cellpadding='3'>%1</table>")
      .arg(rows.join(QString()));
}

QDialog* keyboardHelpDialog(MainWindow* window) {
  auto* dialog = new QDialog(window);
  dialog->setObjectName(QStringLiteral("keyboard_help"));
  dialog->setWindowTitle(MainWindow::tr("Keyboard and mouse"));
  auto* layout = new QVBoxLayout(dialog);
  auto* text = new QLabel(keyboardHelpText(window), dialog);
  text->setTextFormat(Qt::RichText);
  text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  auto* scroll = new QScrollArea(dialog);
  scroll->setWidget(text);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  layout->addWidget(scroll, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
  QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
  layout->addWidget(buttons);
  // Wide enough that a key column such as "Ctrl+Shift+F" never runs into its description (a
  // message box kept both narrow, at any scale); as tall as the table, up to most of the screen.
  const int width = text->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() +
                    layout->contentsMargins().left() + layout->contentsMargins().right();
  const QRect screen = window->screen()->availableGeometry();
  const int height = text->sizeHint().height() + buttons->sizeHint().height() + 40;
  // A screen narrower than the table wraps the descriptions, never the keys (nowrap).
  text->setWordWrap(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  dialog->resize(std::min(width, screen.width() * 9 / 10),
                 std::min(height, screen.height() * 8 / 10));
  return dialog;
}

namespace {

void showKeyboardHelp(MainWindow* window) {
  QDialog* help = keyboardHelpDialog(window);
  help->setAttribute(Qt::WA_DeleteOnClose);
  help->show();  // not modal: it can stay open beside the window while the keys are tried
}

void addHelpMenu(MainWindow* window) {
  QMenu* help = window->menuBar()->addMenu(MainWindow::tr("&Help"));
  help->addAction(MainWindow::tr("&Keyboard and Mouse"), window,
                  [window] { showKeyboardHelp(window); });
  help->addAction(MainWindow::tr("&About Graft"), window, [window] {
    QMessageBox::about(window, MainWindow::tr("About Graft"),
                       MainWindow::tr("<b>Graft %1</b><br>Transfer learning by model surgery on "
                                      "Keras networks.")
                           .arg(QApplication::applicationVersion()));
  });
}

void addMainToolBar(MainWindow* window, const ToolBarActions& bar) {
  QToolBar* tools = window->addToolBar(MainWindow::tr("Main"));
  tools->setObjectName(QStringLiteral("toolbar_main"));
  tools->setMovable(false);
  tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  tools->addAction(bar.home);
  tools->addAction(bar.open);
  tools->addAction(bar.save);
  tools->addSeparator();
  tools->addAction(bar.undo);
  tools->addAction(bar.redo);
  tools->addSeparator();
  for (QAction* a : {bar.zoomOut, bar.zoomIn, bar.fit, bar.find}) tools->addAction(a);
  tools->addSeparator();
  tools->addAction(bar.train);
  // A tooltip says the key too: "Fit to Window (Ctrl+0)".
  for (QAction* a : tools->actions()) {
    const QString keys = a->shortcut().toString(QKeySequence::NativeText);
    if (!keys.isEmpty() && !a->toolTip().endsWith(QStringLiteral("(%1)").arg(keys)))
      a->setToolTip(QStringLiteral("%1 (%2)").arg(a->toolTip(), keys));
  }
  // Icon-only buttons for the view group keep the toolbar short.
  for (QAction* a : {bar.zoomOut, bar.zoomIn, bar.fit, bar.find, bar.undo, bar.redo})
    if (auto* button = qobject_cast<QToolButton*>(tools->widgetForAction(a)))
      button->setToolButtonStyle(Qt::ToolButtonIconOnly);
}

}  // namespace

void createMenusAndToolBar(MainWindow* window) {
  ToolBarActions bar;
  addFileMenu(window, bar);
  addEditMenu(window, bar);
  addViewMenu(window, bar);
  addModelMenu(window, bar);
  addHelpMenu(window);
  addMainToolBar(window, bar);
}

}  // namespace graft::ui
