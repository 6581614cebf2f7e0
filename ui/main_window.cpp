#include "ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableWidget>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoView>
#include <cstdlib>

#include "export/export.h"
#include "graph/summary.h"
#include "io/atomic_file.h"
#include "io/fetch/fetch_weights.h"
#include "io/project_file.h"
#include "io/recipe.h"
#include "runtime/data/dataset.h"
#include "ui/cut_explorer_panel.h"
#include "ui/doc/autosave_controller.h"
#include "ui/doc/background_task.h"
#include "ui/doc/document.h"
#include "ui/doc/model_loader.h"
#include "ui/edit_notes.h"
#include "ui/error_dialog.h"
#include "ui/export_dialog.h"
#include "ui/find_bar.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/layer_palette.h"
#include "ui/layout_menu.h"
#include "ui/node_item.h"
#include "ui/notes_banner.h"
#include "ui/overview_widget.h"
#include "ui/pipeline_dialog.h"
#include "ui/prediction_panel.h"
#include "ui/properties_panel.h"
#include "ui/recent_files.h"
#include "ui/recovery_dialog.h"
#include "ui/start_page.h"
#include "ui/summary_table.h"
#include "ui/training_panel.h"
#include "ui/weights_download_panel.h"
#include "ui/workbench.h"

// The icons are compiled into the static graft_ui library; a static library's resources must be
// registered explicitly or the linker drops them.
static void initResources() {
  Q_INIT_RESOURCE(graft);
}

namespace graft::ui {
namespace {

// A zoo architecture whose weights are looked up in the Keras cache (no weights file named): a
// download through the notes banner can give it its pretrained weights.
bool weightsComeFromTheCache(const ModelSpec& spec) {
  return zooOptionsOf(spec).has_value() && spec.weightsFile.empty();
}

QIcon icon(const char* name) {
  return QIcon(QStringLiteral(":/icons/%1.svg").arg(name));
}

QDockWidget* dock(const QString& title, const QString& objectName, QWidget* content,
                  QWidget* parent) {
  auto* widget = new QDockWidget(title, parent);
  widget->setObjectName(objectName);  // saveState() keys docks by object name
  widget->setWidget(content);
  widget->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
  return widget;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  initResources();
  kerasCacheDir_ =
      QString::fromStdString(kerasCacheDir(std::getenv("KERAS_HOME"), std::getenv("HOME")));
  setWindowIcon(icon("graft"));
  setAcceptDrops(true);
  setDockNestingEnabled(true);
  resize(1440, 900);

  document_ = new Document(this);
  loader_ = new ModelLoader(this);
  stack_ = new QStackedWidget(this);
  start_ = new StartPage(kerasCacheDir_);
  workbench_ = new Workbench(document_, stack_);
  // In a scroll area: a stacked widget is as tall as its tallest page's minimum, and the start
  // page's zoo list must not take height from the workbench's docks (nor the window's minimum).
  auto* startScroll = new QScrollArea(stack_);
  startScroll->setObjectName(QStringLiteral("start_page_scroll"));
  startScroll->setWidgetResizable(true);
  startScroll->setFrameShape(QFrame::NoFrame);
  startScroll->setWidget(start_);
  stack_->addWidget(startScroll);  // index 0: the start page
  stack_->addWidget(workbench_);
  setCentralWidget(stack_);
  editor_ = new GraphEditor(document_, workbench_->view(), this);

  createDocks();
  createActions();
  createAutosave();

  connect(start_, &StartPage::openFileRequested, this, &MainWindow::chooseFile);
  connect(start_, &StartPage::openPathRequested, this, &MainWindow::openPath);
  connect(start_, &StartPage::openSpecRequested, this, &MainWindow::openModelAsync);
  connect(workbench_->banner(), &NotesBanner::weightsInstalled, this, [this] {
    start_->refreshWeights();
    if (openedSpec_ && weightsComeFromTheCache(*openedSpec_))
      openModelAsync(*openedSpec_, describeZooSpec(*openedSpec_));
  });
  connect(start_, &StartPage::sampleDataRequested, this, [this] {
    training_->createSampleData();
    if (document_->hasModel()) showTraining();
  });
  connect(loader_, &ModelLoader::loaded, this, &MainWindow::modelLoaded);
  connect(loader_, &ModelLoader::failed, this,
          [this](const QString& message, const QString& description) {
            start_->setStatus(tr("Could not open %1.").arg(description));
            if (!pendingPath_.isEmpty() && !QFileInfo::exists(pendingPath_))
              removeRecentFile(pendingPath_);
            pendingPath_.clear();
            start_->setRecentFiles(recentFiles());
            showError(this, tr("Cannot open %1").arg(description), message);
          });
  connect(loader_, &ModelLoader::busyChanged, this, [this](bool busy) {
    if (busy) {
      statusBar()->showMessage(tr("Loading…"));
      QApplication::setOverrideCursor(Qt::BusyCursor);
    } else {
      statusBar()->clearMessage();
      QApplication::restoreOverrideCursor();
    }
  });
  connect(document_, &Document::changed, this, &MainWindow::updateStatus);
  // What an edit did beyond the obvious (fresh weights, a fusion's error) stays readable for a
  // while; the History panel keeps the steps themselves.
  connect(document_, &Document::editNotes, this, [this](const QStringList& notes) {
    statusBar()->showMessage(editNotesSentence(notes), 20000);
  });
  connect(document_, &Document::modifiedChanged, this, &MainWindow::updateTitle);
  connect(document_, &Document::opened, this, &MainWindow::updateTitle);

  // Selection is shared: graph, summary table and properties panel show the same layers.
  GraphScene* scene = workbench_->scene();
  connect(scene, &GraphScene::layersSelected, properties_, &PropertiesPanel::showLayers);
  connect(scene, &GraphScene::layersSelected, summary_, &SummaryTable::selectLayers);
  connect(properties_, &PropertiesPanel::layerRenamed, scene,
          [scene](const QString&, const QString& to) { scene->selectLayers({to}); });
  connect(summary_, &SummaryTable::layersSelected, this, [this, scene](const QStringList& names) {
    scene->selectLayers(names);
    if (names.size() == 1) workbench_->view()->centerOn(scene->nodeItem(names.front()));
  });
  connect(palette_, &LayerPalette::layerActivated, this, [this, scene](const QString& className) {
    const QStringList selected = scene->selectedLayers();
    if (selected.size() == 1) {
      editor_->addAfter(className, selected.front());
    } else {
      editor_->addAtOutput(className);
    }
  });
  connect(workbench_->view(), &GraphView::nodeActivated, this, [this](const QString&) {
    properties_->parentWidget()->show();
    properties_->parentWidget()->raise();
  });

  auto* status = statusBar();
  paramsLabel_ = new QLabel(status);
  problemsLabel_ = new QLabel(status);
  zoomLabel_ = new QLabel(status);
  status->addPermanentWidget(problemsLabel_);
  status->addPermanentWidget(paramsLabel_);
  status->addPermanentWidget(zoomLabel_);
  // Room for the widest zoom text, so "Zoom 41 %" is never clipped at the window's edge.
  zoomLabel_->setMinimumWidth(zoomLabel_->fontMetrics().horizontalAdvance(tr("Zoom 400 %")) + 8);
  connect(workbench_->view(), &GraphView::zoomChanged, this,
          [this](double zoom) { zoomLabel_->setText(tr("Zoom %1 %").arg(qRound(zoom * 100))); });

  start_->setRecentFiles(recentFiles());
  restoreSettings();
  showStartPage();
  updateTitle();
}

MainWindow::~MainWindow() {
  // A normal end removes the autosave; the controller reads the document, so it goes first.
  delete autosave_;
  // The views read the document while they go away; make sure they go first.
  delete stack_;
  qDeleteAll(findChildren<QDockWidget*>());
}

void MainWindow::createDocks() {
  palette_ = new LayerPalette(this);
  auto* paletteDock = dock(tr("Layers"), QStringLiteral("dock_palette"), palette_, this);
  addDockWidget(Qt::LeftDockWidgetArea, paletteDock);
  overview_ = new OverviewWidget(workbench_->view(), this);
  auto* overviewDock = dock(tr("Overview"), QStringLiteral("dock_overview"), overview_, this);
  addDockWidget(Qt::LeftDockWidgetArea, overviewDock);
  splitDockWidget(paletteDock, overviewDock, Qt::Vertical);

  properties_ = new PropertiesPanel(document_, this);
  auto* propertiesDock =
      dock(tr("Properties"), QStringLiteral("dock_properties"), properties_, this);
  addDockWidget(Qt::RightDockWidgetArea, propertiesDock);
  summary_ = new SummaryTable(document_, this);
  auto* summaryDock = dock(tr("Summary"), QStringLiteral("dock_summary"), summary_, this);
  addDockWidget(Qt::RightDockWidgetArea, summaryDock);
  splitDockWidget(propertiesDock, summaryDock, Qt::Vertical);
  history_ = new QUndoView(document_->undoStack(), this);
  history_->setEmptyLabel(tr("<opened model>"));
  auto* historyDock = dock(tr("History"), QStringLiteral("dock_history"), history_, this);
  addDockWidget(Qt::RightDockWidgetArea, historyDock);
  tabifyDockWidget(summaryDock, historyDock);
  summaryDock->raise();
  training_ = new TrainingPanel(document_, this);
  auto* trainingDock = dock(tr("Training"), QStringLiteral("dock_training"), training_, this);
  addDockWidget(Qt::BottomDockWidgetArea, trainingDock);
  trainingDock->hide();  // opened by Model > Train, keeps the graph tall until then
  connect(training_, &TrainingPanel::statusMessage, this,
          [this](const QString& text) { statusBar()->showMessage(text, 20000); });
  connect(training_, &TrainingPanel::saveTrainedModelRequested, this,
          &MainWindow::saveModelAsProject);
  // A run takes minutes to hours: when it ends while the user works in another window, the
  // task bar entry asks for attention (QApplication::alert does nothing for the active window).
  connect(training_, &TrainingPanel::trainingFinished, this, [this](TrainingOutcome outcome) {
    if (outcome != TrainingOutcome::Cancelled) QApplication::alert(this);
  });
  explorer_ = new CutExplorerPanel(document_, this);
  auto* explorerDock =
      dock(tr("Cut-point explorer"), QStringLiteral("dock_cut_explorer"), explorer_, this);
  addDockWidget(Qt::BottomDockWidgetArea, explorerDock);
  tabifyDockWidget(trainingDock, explorerDock);
  explorerDock->hide();  // opened by Model > Explore Cut Points
  connect(explorer_, &CutExplorerPanel::marksChanged, workbench_->scene(),
          &GraphScene::setCutCandidates);
  connect(explorer_, &CutExplorerPanel::statusMessage, this,
          [this](const QString& text) { statusBar()->showMessage(text, 20000); });
  training_->setCutReportSource([this]() -> const CutExplorerReport* {
    return explorer_->resultIsCurrent() ? &explorer_->session()->result()->report : nullptr;
  });
  editor_->addContextMenuExtension([this](QMenu* menu, const QString& node) {
    const int index = explorer_->candidateIndex(node);
    if (index < 0) return;
    menu->addAction(tr("Cut here with a new head (%1 classes)").arg(explorer_->classCount()),
                    explorer_, [this, index] { explorer_->cutAt(index); });
  });
  predictions_ = new PredictionPanel(document_, this);
  auto* predictionDock =
      dock(tr("Predictions"), QStringLiteral("dock_predictions"), predictions_, this);
  addDockWidget(Qt::RightDockWidgetArea, predictionDock);
  tabifyDockWidget(propertiesDock, predictionDock);
  propertiesDock->raise();
  resizeDocks({paletteDock, propertiesDock}, {240, 430}, Qt::Horizontal);
  resizeDocks({propertiesDock, summaryDock}, {420, 380}, Qt::Vertical);
}

void MainWindow::createActions() {
  GraphView* view = workbench_->view();
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* home =
      file->addAction(icon("home"), tr("&Start Page"), this, &MainWindow::showStartPage);
  home->setShortcut(QKeySequence::New);
  home->setToolTip(tr("Open a file or start from a Keras Applications architecture"));
  QAction* open = file->addAction(icon("open"), tr("&Open…"), this, &MainWindow::chooseFile);
  open->setShortcut(QKeySequence::Open);
  QMenu* recent = file->addMenu(tr("Open &Recent"));
  connect(recent, &QMenu::aboutToShow, this, [this, recent] {
    recent->clear();
    for (const QString& path : recentFiles())
      recent->addAction(QFileInfo(path).fileName(), this, [this, path] { openPath(path); })
          ->setToolTip(path);
    if (recent->isEmpty()) recent->addAction(tr("No recent files"))->setEnabled(false);
  });
  file->addSeparator();
  QAction* save =
      file->addAction(icon("save"), tr("&Save Project"), this, [this] { saveProject(); });
  save->setShortcut(QKeySequence::Save);
  save->setToolTip(tr("Save graph, weights, labels and the edit recipe as one .graft file"));
  QAction* saveAs = file->addAction(tr("Save Project &As…"), this, [this] { saveProjectAs(); });
  saveAs->setShortcut(QKeySequence::SaveAs);
  file->addSeparator();
  QAction* recipe = file->addAction(tr("Export &Recipe…"), this, [this] { exportRecipe(); });
  recipe->setToolTip(tr("Save the edits made so far as a recipe graft-cli edit can replay"));
  file->addAction(tr("A&pply Recipe…"), this, [this] { applyRecipeFile(); })
      ->setToolTip(tr("Replay a recipe's operations on this model as one undoable step"));
  QAction* pipeline =
      file->addAction(tr("Save Session as &Pipeline…"), this, [this] { savePipeline(); });
  pipeline->setToolTip(
      tr("Write a pipeline graft-cli run can replay in CI: the model, the edits, training, "
         "exports and checks"));
  for (QAction* a : {save, saveAs, recipe, pipeline}) {
    a->setEnabled(false);
    connect(document_, &Document::opened, a, [a] { a->setEnabled(true); });
  }
  QAction* exportModel =
      file->addAction(icon("export"), tr("&Export Model…"), this, [this] { openExportDialog(); });
  exportModel->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  exportModel->setEnabled(false);
  connect(document_, &Document::opened, exportModel,
          [exportModel] { exportModel->setEnabled(true); });
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  // Undo and redo go through the document, which refuses them while a run trains on the model.
  QAction* undo = edit->addAction(icon("undo"), tr("&Undo"), document_, &Document::undo);
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = edit->addAction(tr("&Redo"), document_, &Document::redo);
  QUndoStack* stack = document_->undoStack();
  // QPointers: the stack clears itself (and signals) when the document is destroyed, after the
  // window's menus and docks are gone.
  auto refreshUndoActions = [this, stack, undoAction = QPointer<QAction>(undo),
                             redoAction = QPointer<QAction>(redo),
                             history = QPointer<QUndoView>(history_)] {
    if (!undoAction || !redoAction || !history) return;
    const bool free = document_->canEdit();
    undoAction->setEnabled(free && stack->canUndo());
    redoAction->setEnabled(free && stack->canRedo());
    undoAction->setText(stack->undoText().isEmpty() ? tr("&Undo")
                                                    : tr("&Undo %1").arg(stack->undoText()));
    redoAction->setText(stack->redoText().isEmpty() ? tr("&Redo")
                                                    : tr("&Redo %1").arg(stack->redoText()));
    history->setEnabled(free);
  };
  connect(stack, &QUndoStack::indexChanged, this, refreshUndoActions);
  connect(stack, &QUndoStack::canUndoChanged, this, refreshUndoActions);
  connect(stack, &QUndoStack::canRedoChanged, this, refreshUndoActions);
  connect(document_, &Document::editLockChanged, this, refreshUndoActions);
  connect(document_, &Document::editLockChanged, this, [this](const QString& reason) {
    if (!reason.isEmpty()) statusBar()->showMessage(reason, 5000);
  });
  refreshUndoActions();
  // Both conventions everywhere: Ctrl+Y (Windows, KDE) and Ctrl+Shift+Z (GNOME, macOS).
  QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
  for (const QKeySequence& k :
       {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)})
    if (!redoKeys.contains(k)) redoKeys << k;
  redo->setShortcuts(redoKeys);
  redo->setIcon(icon("redo"));
  edit->addSeparator();
  QAction* remove = edit->addAction(icon("delete"), tr("&Remove Selected Layers"), editor_,
                                    &GraphEditor::removeSelection);
  remove->setShortcuts({QKeySequence::Delete, Qt::Key_Backspace});
  remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  view->addAction(remove);  // only while the graph has focus: Delete in a text field edits text
  QAction* rename = edit->addAction(tr("Re&name Layer…"), this, [this] {
    const QStringList selected = workbench_->scene()->selectedLayers();
    if (selected.size() == 1) editor_->renameInteractively(selected.front());
  });
  rename->setShortcut(Qt::Key_F2);
  // Fuses any linear chain: a selected Conv2D/Dense with its BatchNormalization, or the layers
  // selected together.
  QAction* fuse =
      edit->addAction(tr("&Fuse Selected Layers"), editor_, &GraphEditor::fuseSelection);
  fuse->setStatusTip(
      tr("Fuse the selected chain into one layer; a lone convolution or Dense layer fuses with "
         "the BatchNormalization after it"));
  fuse->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
  QAction* freeze = edit->addAction(icon("lock"), tr("Freeze &Up to Selected"), this, [this] {
    const QStringList selected = workbench_->scene()->selectedLayers();
    if (!selected.isEmpty()) editor_->freezeUpTo(selected.back());
  });
  freeze->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
  QAction* toggle = edit->addAction(tr("&Toggle Trainable"), this, [this] {
    const QStringList selected = workbench_->scene()->selectedLayers();
    if (selected.isEmpty()) return;
    const Node* first = document_->graph().find(selected.front().toStdString());
    editor_->setTrainable(selected, first && !first->trainable);
  });
  toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
  edit->addSeparator();
  QAction* find = edit->addAction(icon("find"), tr("&Find Layer…"), this, [this] {
    showWorkbench();
    workbench_->findBar()->activate();
  });
  find->setShortcut(QKeySequence::Find);
  QAction* selectAll = edit->addAction(tr("Select &All Layers"), this, [this] {
    QStringList names;
    for (const Node& node : document_->graph().nodes()) names << QString::fromStdString(node.name);
    workbench_->scene()->selectLayers(names);
  });
  selectAll->setShortcut(QKeySequence::SelectAll);
  selectAll->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  view->addAction(selectAll);

  QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
  QAction* zoomIn = viewMenu->addAction(icon("zoom-in"), tr("Zoom &In"), view, &GraphView::zoomIn);
  zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
  QAction* zoomOut =
      viewMenu->addAction(icon("zoom-out"), tr("Zoom &Out"), view, &GraphView::zoomOut);
  zoomOut->setShortcut(QKeySequence::ZoomOut);
  QAction* fit = viewMenu->addAction(icon("fit"), tr("&Fit to Window"), view, &GraphView::fitAll);
  fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
  QAction* actual = viewMenu->addAction(tr("&Actual Size"), view, &GraphView::resetZoom);
  actual->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
  viewMenu->addMenu(createLayoutMenu(view, this));
  viewMenu->addSeparator();
  for (QDockWidget* d : findChildren<QDockWidget*>()) viewMenu->addAction(d->toggleViewAction());

  QMenu* model = menuBar()->addMenu(tr("&Model"));
  QAction* train = model->addAction(icon("train"), tr("&Train…"), this, &MainWindow::showTraining);
  train->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  train->setToolTip(tr("Fine-tune the model on an image folder"));
  QAction* predict = model->addAction(tr("&Predict Images…"), this, [this] {
    predictions_->parentWidget()->show();
    predictions_->parentWidget()->raise();
    predictions_->chooseImages();
  });
  predict->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
  predict->setToolTip(tr("Run the current model on images (or drop images on the window)"));
  QAction* explore =
      model->addAction(tr("&Explore Cut Points…"), this, &MainWindow::showCutExplorer);
  explore->setToolTip(
      tr("Measure on your images which layer to cut at: a linear classifier on each candidate"));
  model->addAction(tr("Create &Sample Data"), this, [this] {
    showTraining();
    training_->createSampleData();
  });

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Keyboard and Mouse"), this, [this] {
    QMessageBox::information(
        this, tr("Keyboard and mouse"),
        tr("<table>"
           "<tr><td><b>Wheel</b></td><td>scroll (Shift+wheel: sideways)</td></tr>"
           "<tr><td><b>Ctrl+wheel</b></td><td>zoom at the cursor</td></tr>"
           "<tr><td><b>Drag background</b></td><td>pan (middle button too)</td></tr>"
           "<tr><td><b>Shift+drag</b></td><td>select a group of layers</td></tr>"
           "<tr><td><b>Drag from Layers</b></td><td>onto a connection: insert; onto a layer: "
           "add after it</td></tr>"
           "<tr><td><b>Right click</b></td><td>cut, remove, replace, fuse, freeze, rename</td></tr>"
           "<tr><td><b>Ctrl+F</b></td><td>find a layer by name</td></tr>"
           "<tr><td><b>Ctrl+0 / Ctrl+1</b></td><td>fit the whole graph / actual size</td></tr>"
           "<tr><td><b>Ctrl+Z / Ctrl+Shift+Z</b></td><td>undo / redo</td></tr>"
           "<tr><td><b>Del, F2, Ctrl+B, Ctrl+T</b></td><td>remove, rename, fuse with BN, toggle "
           "trainable</td></tr></table>"));
  });
  help->addAction(tr("&About Graft"), this, [this] {
    QMessageBox::about(this, tr("About Graft"),
                       tr("<b>Graft %1</b><br>Transfer learning by model surgery on Keras "
                          "networks.")
                           .arg(QApplication::applicationVersion()));
  });

  QToolBar* tools = addToolBar(tr("Main"));
  tools->setObjectName(QStringLiteral("toolbar_main"));
  tools->setMovable(false);
  tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  tools->addAction(home);
  tools->addAction(open);
  tools->addAction(save);
  tools->addSeparator();
  tools->addAction(undo);
  tools->addAction(redo);
  tools->addSeparator();
  for (QAction* a : {zoomOut, zoomIn, fit, find}) {
    tools->addAction(a);
  }
  tools->addSeparator();
  tools->addAction(train);
  // Icon-only buttons for the view group keep the toolbar short.
  for (QAction* a : {zoomOut, zoomIn, fit, find, undo, redo})
    if (QWidget* button = tools->widgetForAction(a)) {
      if (auto* tb = qobject_cast<QToolButton*>(button))
        tb->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }
  for (QAction* a : {zoomIn, zoomOut, fit, actual, find, rename, fuse, freeze, toggle}) {
    a->setShortcutContext(Qt::WindowShortcut);
  }
}

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
}

QTableWidget* MainWindow::layerTable() const {
  return summary_->table();
}

bool MainWindow::isLoading() const {
  return loader_->isBusy();
}

void MainWindow::showStartPage() {
  start_->setRecentFiles(recentFiles());
  stack_->setCurrentIndex(0);  // the start page's scroll area
}

void MainWindow::showWorkbench() {
  if (document_->hasModel()) stack_->setCurrentWidget(workbench_);
}

void MainWindow::predictImages(const QStringList& files) {
  showWorkbench();
  predictions_->parentWidget()->show();
  predictions_->parentWidget()->raise();
  predictions_->predict(files);
}

void MainWindow::showTraining() {
  showWorkbench();
  auto* dock = qobject_cast<QDockWidget*>(training_->parentWidget());
  dock->show();
  dock->raise();
  // The panel needs room for its charts and the doctor's findings with their fix buttons: a
  // dock squeezed below ~40 % of the window (its first showing) grows to that, never shrinks.
  const int wanted = height() * 2 / 5;
  if (dock->height() < wanted) resizeDocks({dock}, {wanted}, Qt::Vertical);
}

void MainWindow::showCutExplorer() {
  showWorkbench();
  if (explorer_->dataDir().isEmpty()) explorer_->setDataDir(training_->dataDir());
  explorer_->parentWidget()->show();
  explorer_->parentWidget()->raise();
}

void MainWindow::chooseFile() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open model"), QSettings().value("lastDirectory").toString(),
      tr("Models (*.h5 *.hdf5 *.keras *.json *.graft);;Keras HDF5 (*.h5 *.hdf5);;Graft projects "
         "(*.graft);;All files (*)"));
  if (path.isEmpty()) return;
  QSettings().setValue("lastDirectory", QFileInfo(path).absolutePath());
  openPath(path);
}

void MainWindow::openPath(const QString& path) {
  ModelSpec spec;
  spec.source = path.toStdString();
  spec.kerasCacheDir = kerasCacheDir_.toStdString();
  openModelAsync(spec, QFileInfo(path).fileName());
}

void MainWindow::openModelAsync(const ModelSpec& spec, const QString& description) {
  if (!stopTrainingBeforeOpening(description,
                                 [this, spec, description] { openModelAsync(spec, description); }))
    return;
  if (!maybeDiscardChanges()) return;
  if (!loader_->start(spec, description)) {
    statusBar()->showMessage(tr("Still loading the previous model…"), 3000);
    return;
  }
  // Files (not zoo names) go into the recent list once they opened.
  const QString source = QString::fromStdString(spec.source);
  pendingPath_ = QFileInfo(source).isFile() ? QFileInfo(source).absoluteFilePath() : QString();
  pendingSpec_ = spec;
}

bool MainWindow::openModel(const ModelSpec& spec) {
  bool opened = false;
  auto connection = connect(document_, &Document::opened, this, [&opened] { opened = true; });
  ModelSpec withCache = spec;
  if (withCache.kerasCacheDir.empty()) withCache.kerasCacheDir = kerasCacheDir_.toStdString();
  openModelAsync(withCache, QString::fromStdString(spec.source));
  loader_->wait();
  disconnect(connection);
  return opened;
}

void MainWindow::modelLoaded(const std::shared_ptr<LoadedModel>& loaded,
                             const QString& description) {
  QStringList notes;
  for (const std::string& note : loaded->notes) notes << QString::fromStdString(note);
  document_->open(loaded->model, description, notes, loaded->freshLayers);
  // Random weights because Keras's file is missing: the banner offers to download it.
  std::optional<fetch::FetchRequest> download;
  if (pendingSpec_ && weightsComeFromTheCache(*pendingSpec_) &&
      loaded->model.weightsSource.rfind("random", 0) == 0) {
    const zoo::ZooOptions options = *zooOptionsOf(*pendingSpec_);
    if (fetch::publishedWeights(options))
      download =
          fetch::zooFetchRequest(options, kerasCacheDir_.toStdString(), configuredWeightsBaseUrl());
  }
  openedSpec_ = pendingSpec_;
  pendingSpec_.reset();
  workbench_->banner()->offerDownload(download);
  if (!pendingPath_.isEmpty() && QFileInfo(pendingPath_).isFile()) {
    addRecentFile(pendingPath_);
    // Ctrl+S writes back into a project it came from; other files are never overwritten.
    if (pendingPath_.endsWith(QStringLiteral(".graft"), Qt::CaseInsensitive))
      document_->setProjectPath(pendingPath_);
  }
  pendingPath_.clear();
  start_->setRecentFiles(recentFiles());
  start_->setStatus(QString());
  showWorkbench();
  // Fit once the view has its final size (the stacked widget just switched pages).
  QTimer::singleShot(0, workbench_->view(), &GraphView::fitAll);
}

bool MainWindow::exportRecipe(const QString& target) {
  QString path = target;
  if (path.isEmpty())
    path = QFileDialog::getSaveFileName(this, tr("Export recipe"), QStringLiteral("recipe.json"),
                                        tr("Graft recipes (*.json)"));
  if (path.isEmpty()) return false;
  try {
    writeTextAtomically(path.toStdString(), document_->recipe().dump(2) + "\n", "the recipe");
  } catch (const Error& e) {
    showError(this, tr("Cannot export the recipe"), QString::fromStdString(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Recipe written to %1").arg(path), 5000);
  return true;
}

ExportDialog* MainWindow::openExportDialog() {
  if (!document_->hasModel()) return nullptr;
  auto* dialog = new ExportDialog(document_->model(),
                                  QDir(ExportDialog::defaultFolder())
                                      .filePath(QString::fromStdString(document_->graph().name())),
                                  this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->open();
  return dialog;
}

PipelineDialog* MainWindow::savePipeline() {
  if (!document_->hasModel()) return nullptr;
  SessionPipelineInputs in;
  in.source = openedSpec_;
  in.operations = document_->operationsSinceOpen();
  in.sampleFolder = editor_->lastSampleFolder();
  in.training = training_->settings();
  const QString folder = QSettings().value("lastDirectory", QDir::homePath()).toString();
  in.pipelinePath = QDir(folder).filePath(QString::fromStdString(document_->graph().name()) +
                                          QStringLiteral(".pipeline.json"));
  auto* dialog = new PipelineDialog(in, training_->lastValidationAccuracy(),
                                    document_->analysis().totalParams, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    statusBar()->showMessage(tr("Pipeline written to %1").arg(dialog->pathEdit()->text()), 5000);
  });
  dialog->open();
  return dialog;
}

bool MainWindow::applyRecipeFile(const QString& target) {
  if (!document_->hasModel()) return false;
  QString path = target;
  if (path.isEmpty())
    path = QFileDialog::getOpenFileName(this, tr("Apply recipe"), QString(),
                                        tr("Graft recipes (*.json)"));
  if (path.isEmpty()) return false;
  Json operations;
  try {
    operations = readRecipeFile(path.toStdString());
  } catch (const std::exception& e) {
    showError(this, tr("Cannot read the recipe"), QString::fromStdString(e.what()));
    return false;
  }
  const Diagnostics problems =
      document_->apply(operations, tr("apply recipe %1").arg(QFileInfo(path).fileName()));
  if (!problems.empty()) {
    showDiagnostics(this, tr("Cannot apply %1").arg(QFileInfo(path).fileName()), problems);
    return false;
  }
  return true;
}

bool MainWindow::saveProject(bool wait) {
  if (!document_->hasModel()) return false;
  if (document_->projectPath().isEmpty()) return saveProjectAs(QString(), wait);
  return writeProject(document_->projectPath(), wait);
}

bool MainWindow::saveProjectAs(const QString& target, bool wait) {
  if (!document_->hasModel()) return false;
  QString path = target;
  if (path.isEmpty()) {
    const QString suggested = document_->projectPath().isEmpty()
                                  ? QString::fromStdString(document_->graph().name()) + ".graft"
                                  : document_->projectPath();
    QString filter;
    path = QFileDialog::getSaveFileName(this, tr("Save project"), suggested,
                                        tr("Graft projects (*.graft);;Keras 3 model (*.keras)"),
                                        &filter);
    if (!path.isEmpty() && filter.contains(QStringLiteral("*.keras")) &&
        !path.endsWith(QStringLiteral(".keras"), Qt::CaseInsensitive))
      path += ".keras";
  }
  if (path.isEmpty()) return false;
  if (path.endsWith(QStringLiteral(".keras"), Qt::CaseInsensitive))
    return writeKerasModel(path, wait);
  if (!path.endsWith(QStringLiteral(".graft"), Qt::CaseInsensitive)) path += ".graft";
  return writeProject(path, wait);
}

bool MainWindow::writeKerasModel(const QString& path, bool wait) {
  // A .keras file holds the model (config and weights) but not the recipe, labels or
  // preprocessing, so the document keeps its own path and unsaved state.
  const Model snapshot = document_->model();
  bool finished = false;
  bool ok = false;
  ++runningTasks_;
  statusBar()->showMessage(tr("Saving %1…").arg(QFileInfo(path).fileName()));
  runInBackground(
      this, [snapshot, path] { exportModel(snapshot, ExportFormat::Keras, path.toStdString()); },
      [this, path, &finished, &ok, wait](const QString& error) {
        --runningTasks_;
        if (wait) {
          finished = true;
          ok = error.isEmpty();
        }
        if (!error.isEmpty()) {
          statusBar()->clearMessage();
          showError(this, tr("Cannot save the Keras model"), error);
          return;
        }
        statusBar()->showMessage(tr("Saved %1 (Keras 3 model)").arg(path), 5000);
      });
  if (!wait) return true;
  while (!finished) QApplication::processEvents(QEventLoop::AllEvents, 20);
  return ok;
}

bool MainWindow::writeProject(const QString& path, bool wait) {
  // The model is a value with shared weight buffers: the worker writes this snapshot while the
  // user may go on editing.
  const Model snapshot = document_->model();
  const int savedIndex = document_->undoStack()->index();
  bool finished = false;
  bool ok = false;
  ++runningTasks_;
  statusBar()->showMessage(tr("Saving %1…").arg(QFileInfo(path).fileName()));
  runInBackground(
      this, [snapshot, path] { graft::saveProject(snapshot, path.toStdString()); },
      [this, path, savedIndex, &finished, &ok, wait](const QString& error) {
        --runningTasks_;
        if (wait) {
          finished = true;
          ok = error.isEmpty();
        }
        if (!error.isEmpty()) {
          statusBar()->clearMessage();
          showError(this, tr("Cannot save the project"), error);
          return;
        }
        document_->setProjectPath(path);
        // Clean only if nothing was edited while the file was written.
        if (document_->undoStack()->index() == savedIndex) document_->markSaved();
        addRecentFile(path);
        updateTitle();
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
      });
  if (!wait) return true;
  while (!finished) QApplication::processEvents(QEventLoop::AllEvents, 20);
  return ok;
}

bool MainWindow::stopTrainingBeforeOpening(const QString& description, std::function<void()> open) {
  if (!training_->isTraining()) return true;
  QMessageBox box(
      QMessageBox::Question, tr("Training is running"),
      tr("%1 is training. Stop the run to open %2?").arg(document_->source(), description),
      QMessageBox::NoButton, this);
  box.setInformativeText(
      tr("The run stops after its current batch; the weights trained so far become the "
         "model (one undoable step) before %1 opens.")
          .arg(description));
  QPushButton* stop = box.addButton(tr("Stop and Open"), QMessageBox::AcceptRole);
  stop->setObjectName(QStringLiteral("stop_and_open"));
  box.addButton(QMessageBox::Cancel);
  box.setDefaultButton(stop);
  box.exec();
  if (box.clickedButton() == stop) {
    statusBar()->showMessage(tr("Stopping the training run to open %1…").arg(description));
    training_->stopThen(std::move(open));
  }
  return false;
}

void MainWindow::saveModelAsProject(const graft::Model& model, const QString& suggestedName) {
  QFileDialog dialog(this, tr("Save trained model as project"),
                     QDir(QSettings().value("lastDirectory").toString())
                         .filePath(suggestedName + QStringLiteral(".graft")),
                     tr("Graft projects (*.graft)"));
  dialog.setAcceptMode(QFileDialog::AcceptSave);
  dialog.setDefaultSuffix(QStringLiteral("graft"));
  dialog.setOption(QFileDialog::DontUseNativeDialog);  // the same dialog everywhere, and in tests
  if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return;
  const QString path = dialog.selectedFiles().front();
  ++runningTasks_;
  statusBar()->showMessage(tr("Saving %1…").arg(QFileInfo(path).fileName()));
  runInBackground(
      this, [model, path] { graft::saveProject(model, path.toStdString()); },
      [this, path](const QString& error) {
        --runningTasks_;
        if (!error.isEmpty()) {
          statusBar()->clearMessage();
          showError(this, tr("Cannot save the trained model"), error);
          return;
        }
        addRecentFile(path);
        statusBar()->showMessage(tr("Saved the trained model as %1").arg(path), 10000);
      });
}

bool MainWindow::maybeDiscardChanges() {
  if (!document_->isModified()) return true;
  const auto answer = QMessageBox::warning(
      this, tr("Unsaved changes"),
      tr("The edits to %1 have not been saved.").arg(document_->source()),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Save) return saveProject(true);
  return answer == QMessageBox::Discard;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!maybeDiscardChanges()) {
    event->ignore();
    return;
  }
  while (runningTasks_ > 0) QApplication::processEvents(QEventLoop::AllEvents, 20);
  if (autosave_) autosave_->endSession();  // a normal close: nothing to recover next time
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  event->accept();
}

void MainWindow::createAutosave() {
  const QString dir =
      QSettings()
          .value(QStringLiteral("autosave/directory"), AutosaveStore::defaultDirectory())
          .toString();
  try {
    autosave_ = new AutosaveController(document_, std::make_unique<AutosaveStore>(dir), this);
  } catch (const std::exception& e) {
    statusBar()->showMessage(tr("No autosave: %1").arg(QString::fromStdString(e.what())));
    return;
  }
  connect(autosave_, &AutosaveController::failed, this, [this](const QString& error) {
    statusBar()->showMessage(tr("Autosave failed: %1").arg(error), 10000);
  });
}

bool MainWindow::offerAutosaveRecovery() {
  if (!autosave_ || !graft::ui::offerAutosaveRecovery(this, *autosave_)) return false;
  start_->setStatus(QString());
  showWorkbench();
  QTimer::singleShot(0, workbench_->view(), &GraphView::fitAll);
  return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls() && !event->mimeData()->urls().isEmpty() &&
      event->mimeData()->urls().front().isLocalFile())
    event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  // Images go to the prediction preview (when there is a model to run); anything else opens.
  QStringList images;
  for (const QUrl& url : event->mimeData()->urls())
    if (url.isLocalFile() && hasImageExtension(url.toLocalFile().toStdString()))
      images << url.toLocalFile();
  event->acceptProposedAction();
  if (!images.isEmpty() && document_->hasModel()) {
    predictImages(images);
    return;
  }
  const QString path = event->mimeData()->urls().front().toLocalFile();
  // Open after the drop has finished: the unsaved-changes question must not run inside it.
  QTimer::singleShot(0, this, [this, path] { openPath(path); });
}

void MainWindow::updateTitle() {
  if (!document_->hasModel()) {
    setWindowTitle(tr("Graft"));
    return;
  }
  setWindowTitle(QStringLiteral("%1 — %2[*] — Graft")
                     .arg(QString::fromStdString(document_->graph().name()), document_->source()));
  setWindowModified(document_->isModified());
}

void MainWindow::updateStatus() {
  if (!document_->hasModel()) return;
  const GraphAnalysis& analysis = document_->analysis();
  paramsLabel_->setText(tr("%1 layers · %2 params · %3 trainable")
                            .arg(document_->graph().size())
                            .arg(QString::fromStdString(withThousands(analysis.totalParams)),
                                 QString::fromStdString(withThousands(analysis.trainableParams))));
  const size_t problems = analysis.diagnostics.size();
  problemsLabel_->setText(
      problems == 0   ? QString()
      : problems == 1 ? tr("<span style='color:#d62d20'>⚠ 1 problem</span>")
                      : tr("<span style='color:#d62d20'>⚠ %1 problems</span>").arg(problems));
  problemsLabel_->setToolTip(QString::fromStdString(joinDiagnostics(analysis.diagnostics)));
}

}  // namespace graft::ui
