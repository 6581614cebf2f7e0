#include "ui/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QGuiApplication>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QShowEvent>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QUndoStack>
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "graph/summary.h"
#include "runtime/system/device_names.h"
#include "ui/cut_explorer_panel.h"
#include "ui/doc/autosave_controller.h"
#include "ui/doc/document.h"
#include "ui/doc/model_loader.h"
#include "ui/edit_notes.h"
#include "ui/eliding_status_bar.h"
#include "ui/export_dialog.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/layer_palette.h"
#include "ui/main_window_menus.h"
#include "ui/node_item.h"
#include "ui/notes_banner.h"
#include "ui/prediction_panel.h"
#include "ui/properties_panel.h"
#include "ui/recent_files.h"
#include "ui/scroll_area.h"
#include "ui/start_page.h"
#include "ui/summary_table.h"
#include "ui/training_panel.h"
#include "ui/workbench.h"

// The icons are compiled into the static graft_ui library; a static library's resources must be
// registered explicitly or the linker drops them.
static void initResources() {
  Q_INIT_RESOURCE(graft);
}

namespace graft::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  initResources();
  kerasCacheDir_ =
      QString::fromStdString(kerasCacheDir(std::getenv("KERAS_HOME"), std::getenv("HOME")));
  setWindowIcon(QIcon(QStringLiteral(":/icons/graft.svg")));
  setAcceptDrops(true);
  setDockNestingEnabled(true);
  // Before anything asks for statusBar() (which would make a plain one): long messages elide.
  setStatusBar(new ElidingStatusBar(this));
  // 1440 x 900 where the screen has room; a smaller screen gets the window within it (a fixed
  // size put the status bar and the right-hand panels off a 1024 x 700 screen).
  QSize size(1440, 900);
  if (const QScreen* screen = QGuiApplication::primaryScreen())
    size = size.boundedTo(screen->availableGeometry().size() * 0.95);
  resize(size);

  document_ = new Document(this);
  loader_ = new ModelLoader(this);
  createPages();
  editor_ = new GraphEditor(document_, workbench_->view(), this);

  createDocks();
  createMenusAndToolBar(this);  // after the docks: View lists them
  createAutosave();

  connectStartPage();
  connectLoader();
  connectDocument();
  connectSelection();
  createStatusLabels();

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

void MainWindow::createPages() {
  stack_ = new QStackedWidget(this);
  start_ = new StartPage(kerasCacheDir_);
  workbench_ = new Workbench(document_, stack_);
  // In a scroll area: a stacked widget is as tall as its tallest page's minimum, and the start
  // page's zoo list must not take height from the workbench's docks (nor the window's minimum).
  auto* startScroll = new QScrollArea(stack_);
  startScroll->setObjectName(QStringLiteral("start_page_scroll"));
  startScroll->setWidgetResizable(true);
  startScroll->setFrameShape(QFrame::NoFrame);
  // Not a tab stop of its own: Tab reaches the page's fields, and the area scrolls to them.
  startScroll->setFocusPolicy(Qt::NoFocus);
  keepFocusInView(startScroll);
  startScroll->setWidget(start_);
  stack_->addWidget(startScroll);  // index 0: the start page
  stack_->addWidget(workbench_);
  setCentralWidget(stack_);
}

void MainWindow::connectStartPage() {
  connect(start_, &StartPage::openFileRequested, this, &MainWindow::chooseFile);
  connect(start_, &StartPage::openPathRequested, this, &MainWindow::openPath);
  connect(start_, &StartPage::openSpecRequested, this, &MainWindow::openModelAsync);
  connect(workbench_->banner(), &NotesBanner::weightsInstalled, this,
          &MainWindow::weightsInstalled);
  connect(start_, &StartPage::sampleDataRequested, this, [this] {
    training_->createSampleData();
    if (document_->hasModel()) showTraining();
  });
}

void MainWindow::connectDocument() {
  connect(document_, &Document::changed, this, &MainWindow::updateStatus);
  // Undo and Redo in the toolbar stay on while the start page shows: what they change is shown
  // (they undid edits of a model the page hid).
  // (In the stack's name: the window's end deletes it before the document clears its undo.)
  connect(document_->undoStack(), &QUndoStack::indexChanged, stack_, [this] {
    if (isVisible() && stack_->currentIndex() == 0) showWorkbench();
  });
  // What an edit did beyond the obvious (fresh weights, a fusion's error) stays readable for a
  // while; the History panel keeps the steps themselves.
  connect(document_, &Document::editNotes, this, [this](const QStringList& notes) {
    statusBar()->showMessage(editNotesSentence(notes), 20000);
  });
  // Undo and redo say what they did (the last edit's sentence stayed, or the bar went blank). A
  // new edit moves the index too: its own notes, sent right after, replace "Redone".
  QUndoStack* undo = document_->undoStack();
  connect(undo, &QUndoStack::indexChanged, this,
          [this, undo, previous = undo->index()](int index) mutable {
            if (undo->count() == 0) {  // cleared: another model opened
              previous = 0;
              return;
            }
            // The step's sentence, without the recipe-level notes the History keeps with it
            // ("— operations[0] (freeze): ...").
            const auto sentence = [undo](int at) {
              return undo->text(at).section(QStringLiteral(" — "), 0, 0);
            };
            if (index < previous)
              statusBar()->showMessage(tr("Undone: %1").arg(sentence(index)), 10000);
            else if (index > previous && index > 0)
              statusBar()->showMessage(tr("Redone: %1").arg(sentence(index - 1)), 10000);
            previous = index;
          });
  connect(document_, &Document::modifiedChanged, this, &MainWindow::updateTitle);
  connect(document_, &Document::opened, this, &MainWindow::updateTitle);
}

void MainWindow::connectSelection() {
  // Selection is shared: graph, summary table and properties panel show the same layers.
  GraphScene* scene = workbench_->scene();
  connect(scene, &GraphScene::layersSelected, properties_, &PropertiesPanel::showLayers);
  connect(scene, &GraphScene::layersSelected, summary_, &SummaryTable::selectLayers);
  connect(properties_, &PropertiesPanel::layerRenamed, scene,
          [scene](const QString&, const QString& to) { scene->selectLayers({to}); });
  connect(summary_, &SummaryTable::layersSelected, this, [this, scene](const QStringList& names) {
    scene->selectLayers(names);
    if (names.size() != 1) return;
    if (const NodeItem* item = scene->nodeItem(names.front()))
      workbench_->view()->lookAt(item->sceneBoundingRect().center());
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
}

void MainWindow::createStatusLabels() {
  auto* status = statusBar();
  paramsLabel_ = new QLabel(status);
  problemsLabel_ = new QLabel(status);
  zoomLabel_ = new QLabel(status);
  deviceLabel_ = new QLabel(QString::fromStdString(deviceDescription("auto")), status);
  deviceLabel_->setObjectName(QStringLiteral("device_label"));
  deviceLabel_->setToolTip(tr("Training and prediction compute here unless told otherwise "
                              "(the training settings' device).\n%1")
                               .arg(QString::fromStdString(computeBackendSummary())));
  status->addPermanentWidget(problemsLabel_);
  status->addPermanentWidget(paramsLabel_);
  status->addPermanentWidget(deviceLabel_);
  status->addPermanentWidget(zoomLabel_);
  // Room for the widest zoom text, so "Zoom 41 %" is never clipped at the window's edge.
  zoomLabel_->setMinimumWidth(zoomLabel_->fontMetrics().horizontalAdvance(tr("Zoom 400 %")) + 8);
  connect(workbench_->view(), &GraphView::zoomChanged, this,
          [this](double zoom) { zoomLabel_->setText(tr("Zoom %1 %").arg(qRound(zoom * 100))); });
  paramsLabel_->setObjectName(QStringLiteral("params_label"));
  // A message longer than the room the labels leave hides the layer counts until it goes: Qt
  // cut it off mid-word at their edge. The whole message is the bar's tooltip as well; one too
  // long even then is elided (ElidingStatusBar).
  connect(status, &QStatusBar::messageChanged, this, [this, status](const QString& message) {
    paramsLabel_->show();
    status->setToolTip(message);
    if (message.isEmpty()) return;
    const int spacing = status->style()->pixelMetric(QStyle::PM_LayoutHorizontalSpacing);
    int taken = 2 * std::max(spacing, 6) + status->style()->pixelMetric(QStyle::PM_SizeGripSize);
    for (const QLabel* label : {problemsLabel_, paramsLabel_, deviceLabel_, zoomLabel_})
      if (label->isVisibleTo(status))
        taken += std::max(label->minimumWidth(), label->sizeHint().width()) + std::max(spacing, 6);
    if (status->fontMetrics().horizontalAdvance(message) > status->width() - taken)
      paramsLabel_->hide();
  });
}

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  fitOnScreen();
  restoredSize_ = size();
}

void MainWindow::fitOnScreen() {
  // A size saved on a larger screen: Qt moves the window onto this one but keeps its size, so
  // the status bar and the right-hand docks were off the screen.
  const QScreen* screen = this->screen();
  if (!screen) return;
  const QRect room = screen->availableGeometry();
  const QSize frame = frameGeometry().size() - geometry().size();
  const QSize fits(std::min(width(), room.width() - frame.width()),
                   std::min(height(), room.height() - frame.height()));
  if (fits == size()) return;
  resize(fits);
  move(room.topLeft());
}

QTableWidget* MainWindow::layerTable() const {
  return summary_->table();
}

bool MainWindow::isLoading() const {
  return loader_->isBusy();
}

void MainWindow::showStartPage() {
  // Start Page again, with a model open, goes back to it: the page offered no way back but
  // opening the file anew (its undo history lost).
  if (stack_->currentIndex() == 0 && document_->hasModel()) {
    showWorkbench();
    return;
  }
  start_->setRecentFiles(recentFiles());
  const bool wasShown = stack_->currentIndex() == 0;
  stack_->setCurrentIndex(0);  // the start page's scroll area
  setModelDocksShown(false);
  if (!wasShown) focusShownPage();
}

void MainWindow::showWorkbench() {
  if (!document_->hasModel()) return;
  const bool wasShown = stack_->currentWidget() == workbench_;
  stack_->setCurrentWidget(workbench_);
  setModelDocksShown(true);
  if (!wasShown) focusShownPage();
}

void MainWindow::focusShownPage() {
  // Qt's stack moves the focus from the page it hides to the next page's first tab stop, the
  // notes banner's close button: it goes to what the page is for.
  // A field of a dock (the training panel's, Ctrl+R) keeps it.
  const QWidget* focused = focusWidget();
  if (focused && focused->isVisible() && !stack_->isAncestorOf(focused)) return;
  if (stack_->currentWidget() == workbench_)
    workbench_->view()->setFocus(Qt::OtherFocusReason);
  else
    start_->openFileButton()->setFocus(Qt::OtherFocusReason);
}

void MainWindow::setModelDocksShown(bool shown) {
  // The start page has the window to itself: the docks show a model's layers, and at 1440 px
  // they left the page 720, cutting off the architecture list. The workbench gets its layout
  // back as it was (restoreState: which docks show, their sizes, the tab on top).
  if (shown) {
    if (!layoutBeforeStartPage_.isEmpty()) restoreState(layoutBeforeStartPage_);
    layoutBeforeStartPage_.clear();
    return;
  }
  if (!layoutBeforeStartPage_.isEmpty()) return;  // already hidden
  layoutBeforeStartPage_ = saveState();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) dock->hide();
}

void MainWindow::predictImages(const QStringList& files) {
  showWorkbench();
  auto* dock = findChild<QDockWidget*>(QStringLiteral("dock_predictions"));
  dock->show();
  dock->raise();
  // The list and the Grad-CAM view below it need room: a dock below ~60 % of what its column
  // has (the window, less a run panel below) grows to that, never shrinks; the heatmap was
  // hidden under the controls until the user dragged the splitter. The run panel keeps the
  // room showTraining gave it: taken by the predictions, on a 800 px screen every chart axis
  // of the training dock read "…".
  QDockWidget* below = nullptr;
  for (QWidget* panel : {static_cast<QWidget*>(training_), static_cast<QWidget*>(explorer_)}) {
    auto* run = qobject_cast<QDockWidget*>(panel->parentWidget());
    if (run->isVisible() && !run->isFloating()) below = run;
  }
  const int room = height() * 2 / 5;
  if (below && below->height() < room) resizeDocks({below}, {room}, Qt::Vertical);
  const int column = below ? height() - below->height() : height();
  const int wanted = column * 3 / 5;
  if (dock->height() < wanted) resizeDocks({dock}, {wanted}, Qt::Vertical);
  if (below && below->height() < room) resizeDocks({below}, {room}, Qt::Vertical);
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
  training_->focusFirstField();  // it opened; the focus stayed where it was
}

void MainWindow::showCutExplorer() {
  showWorkbench();
  if (explorer_->dataDir().isEmpty()) explorer_->setDataDir(training_->dataDir());
  explorer_->parentWidget()->show();
  explorer_->parentWidget()->raise();
  explorer_->focusFirstField();
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  // Again once shown: only then is the frame (title bar) known, which the screen must hold too.
  // A size set since (a caller's resize) is that caller's to choose.
  if (!std::exchange(fittedOnShow_, true)) {
    if (size() == restoredSize_) fitOnScreen();
    focusShownPage();
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  // Quitting mid-run used to drop the run silently: the run stops first, its weights become
  // the model, and the unsaved-changes question then offers to save them.
  if (training_->isTraining()) {
    // Only whole epochs are kept: before the first one ends, stopping keeps nothing.
    const QString consequence =
        training_->epochsCompleted() == 0
            ? tr("No epoch has completed yet: the run stops after its current batch and the "
                 "model stays as it was before the run.")
            : tr("The run stops after its current batch and the weights of its last whole "
                 "epoch become the model; you are then asked whether to save them.");
    if (askToStopTraining(tr("%1 is training. Stop the run and quit?").arg(document_->source()),
                          consequence, tr("Stop and Quit"), QStringLiteral("stop_and_quit"))) {
      // Queued: when the run ended while the question was open, stopThen calls back at once,
      // inside this close event, where a nested close() would do nothing.
      statusBar()->showMessage(tr("Stopping the training run to quit…"));
      training_->stopThen(tr("stopping the run to quit…"), [this] {
        statusBar()->clearMessage();  // stopped; the save question may still cancel the quit
        QMetaObject::invokeMethod(this, &QWidget::close, Qt::QueuedConnection);
      });
    }
    event->ignore();
    return;
  }
  // An export writes its file whole at the end: quitting mid-export left no file and a hidden
  // temporary one. Quitting waits for it, when the user agrees.
  if (const ExportDialog* running = runningExport()) {
    QMessageBox box(
        QMessageBox::Question, tr("Export is running"),
        tr("The export to %1 is still running. Quit when it has finished?").arg(running->path()),
        QMessageBox::NoButton, this);
    box.setInformativeText(tr("Quitting before the export ends would leave no file."));
    QPushButton* wait = box.addButton(tr("Quit When Done"), QMessageBox::AcceptRole);
    wait->setObjectName(QStringLiteral("quit_when_exported"));
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(wait);
    box.exec();
    if (box.clickedButton() != wait) {
      event->ignore();
      return;
    }
  }
  if (!maybeDiscardChanges()) {
    event->ignore();
    return;
  }
  if (runningExport()) statusBar()->showMessage(tr("Waiting for the export to finish to quit…"));
  while (runningTasks_ > 0 || runningExport())
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  if (autosave_) autosave_->endSession();  // a normal close: nothing to recover next time
  setModelDocksShown(true);  // the layout saved is the workbench's, not the start page's
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  event->accept();
}

const ExportDialog* MainWindow::runningExport() const {
  for (const ExportDialog* dialog : findChildren<ExportDialog*>())
    if (dialog->isRunning()) return dialog;
  return nullptr;
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
