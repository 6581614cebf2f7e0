// MainWindow's docks: the panels around the graph, where they sit, and how the run panels
// (training, cut-point explorer) reach the window and each other.
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QLayout>
#include <QMenu>
#include <QScopedValueRollback>
#include <QScrollArea>
#include <QScrollBar>
#include <QStatusBar>
#include <QTabBar>
#include <QUndoView>
#include <algorithm>
#include <utility>

#include "ui/cut_explorer_panel.h"
#include "ui/doc/document.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/layer_palette.h"
#include "ui/main_window.h"
#include "ui/overview_widget.h"
#include "ui/prediction_panel.h"
#include "ui/properties_panel.h"
#include "ui/summary_table.h"
#include "ui/training_panel.h"
#include "ui/workbench.h"

namespace graft::ui {
namespace {

QDockWidget* dock(const QString& title, const QString& objectName, QWidget* content,
                  QWidget* parent) {
  auto* widget = new QDockWidget(title, parent);
  widget->setObjectName(objectName);  // saveState() keys docks by object name
  widget->setWidget(content);
  widget->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
  return widget;
}

// What a run panel needs to show its form's first fields (input to epochs) and Start.
constexpr int kRunPanelHeight = 280;

// A group's dock on top (Qt parks the others outside the window).
QDockWidget* onTop(const QList<QDockWidget*>& group, const QRect& window) {
  for (QDockWidget* dock : group)
    if (dock->geometry().intersects(window)) return dock;
  return group.front();
}

// The docks shown in `area`, by group (a dock and those tabbed with it), top to bottom.
QList<QList<QDockWidget*>> dockGroups(const QMainWindow* window, Qt::DockWidgetArea area) {
  QList<QList<QDockWidget*>> groups;
  QList<QDockWidget*> seen;
  for (QDockWidget* dock : window->findChildren<QDockWidget*>()) {
    if (seen.contains(dock) || dock->isHidden() || dock->isFloating() ||
        window->dockWidgetArea(dock) != area)
      continue;
    QList<QDockWidget*> group{dock};
    for (QDockWidget* other : window->tabifiedDockWidgets(dock))
      if (!other->isHidden()) group << other;
    seen << group;
    group.move(group.indexOf(onTop(group, window->rect())), 0);  // its tab first
    groups << group;
  }
  const QRect inside = window->rect();
  std::sort(groups.begin(), groups.end(), [&inside](const auto& a, const auto& b) {
    return onTop(a, inside)->y() < onTop(b, inside)->y();
  });
  return groups;
}

// The tab bar Qt shows for the group holding `dock`, or null.
QTabBar* tabBarOf(const QMainWindow* window, const QDockWidget* dock) {
  for (QTabBar* bar : window->findChildren<QTabBar*>(Qt::FindDirectChildrenOnly))
    for (int i = 0; i < bar->count(); ++i)
      if (bar->isVisible() && bar->tabText(i) == dock->windowTitle()) return bar;
  return nullptr;
}

}  // namespace

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
  explorer_ = new CutExplorerPanel(document_, this);
  auto* explorerDock =
      dock(tr("Cut-point explorer"), QStringLiteral("dock_cut_explorer"), explorer_, this);
  addDockWidget(Qt::BottomDockWidgetArea, explorerDock);
  tabifyDockWidget(trainingDock, explorerDock);
  explorerDock->hide();  // opened by Model > Explore Cut Points
  connectRunPanels();
  predictions_ = new PredictionPanel(document_, this);
  // Scrolled when the column is short: its list, layer rows and map held the right column at
  // 255 px and the training dock below was left too low to read a chart axis.
  auto* predictionScroll = new QScrollArea(this);
  predictionScroll->setWidget(predictions_);
  predictionScroll->setWidgetResizable(true);
  predictionScroll->setFrameShape(QFrame::NoFrame);
  predictionScroll->setFocusPolicy(Qt::NoFocus);  // a frame for fields, not a tab stop
  // As wide as the panel needs, so its buttons are not cut at the edge; sideways only should
  // it need more later (longer layer names in its choosers).
  predictionScroll->setMinimumWidth(predictions_->minimumSizeHint().width() +
                                    predictionScroll->verticalScrollBar()->sizeHint().width());
  auto* predictionDock =
      dock(tr("Predictions"), QStringLiteral("dock_predictions"), predictionScroll, this);
  addDockWidget(Qt::RightDockWidgetArea, predictionDock);
  tabifyDockWidget(propertiesDock, predictionDock);
  propertiesDock->raise();
  // The graph keeps most of the width: on a 1024 px screen fixed 240 + 430 px docks left it a
  // third, too narrow to read a card. Properties gets the larger share of the height, so a
  // layer's configuration shows without scrolling.
  const int width = this->width();
  resizeDocks({paletteDock, propertiesDock},
              {std::min(240, width * 17 / 100), std::min(430, width * 3 / 10)}, Qt::Horizontal);
  resizeDocks({propertiesDock, summaryDock}, {55, 45}, Qt::Vertical);
}

void MainWindow::makeRoomForRunPanel(QDockWidget* run) {
  if (restoringDocks_ || !layoutBeforeStartPage_.isEmpty() || run->isFloating() ||
      dockWidgetArea(run) != Qt::BottomDockWidgetArea)
    return;
  // The room it gets beside the docks as they are: 40 % of the window (as showTraining gives).
  if (run->height() < kRunPanelHeight)
    resizeDocks({run}, {std::max(kRunPanelHeight, height() * 2 / 5)}, Qt::Vertical);
  layout()->invalidate();
  layout()->activate();
  if (run->height() >= kRunPanelHeight) return;
  for (const Qt::DockWidgetArea area : {Qt::LeftDockWidgetArea, Qt::RightDockWidgetArea}) {
    const QList<QList<QDockWidget*>> groups = dockGroups(this, area);
    if (groups.size() < 2) continue;
    if (docksBeforeRunPanel_.isEmpty()) docksBeforeRunPanel_ = saveState();
    // Alone in its group's height when on top, its two rows' minimum would hold the whole group.
    summary_->setMinimumRows(1);
    QDockWidget* first = groups.front().front();
    QDockWidget* top = onTop(groups.front(), rect());  // stays on top
    for (qsizetype g = 1; g < groups.size(); ++g)
      for (QDockWidget* dock : groups[g]) tabifyDockWidget(first, dock);
    layout()->activate();
    top->raise();
    // As wide as the tabs' names, where the graph keeps a third of the window ("L…", "Ov…").
    if (const QTabBar* bar = tabBarOf(this, top))
      if (top->width() < bar->sizeHint().width())
        resizeDocks({top}, {std::min(bar->sizeHint().width(), width() / 3)}, Qt::Horizontal);
  }
  // The Summary's new minimum reaches its dock first.
  QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
  layout()->invalidate();
  resizeDocks({run}, {kRunPanelHeight}, Qt::Vertical);
  layout()->activate();
}

void MainWindow::giveBackRoomOfRunPanels() {
  if (restoringDocks_ || docksBeforeRunPanel_.isEmpty() || !layoutBeforeStartPage_.isEmpty())
    return;
  QList<QDockWidget*> runs;
  for (QWidget* panel : {static_cast<QWidget*>(training_), static_cast<QWidget*>(explorer_)})
    runs << qobject_cast<QDockWidget*>(panel->parentWidget());
  if (std::any_of(runs.begin(), runs.end(), [](QDockWidget* run) { return !run->isHidden(); }))
    return;
  const QScopedValueRollback<bool> restoring(restoringDocks_, true);
  summary_->setMinimumRows(2);
  // The state was saved with the run panel just opened: it closes again.
  restoreState(std::exchange(docksBeforeRunPanel_, {}));
  for (QDockWidget* run : runs) run->hide();
}

void MainWindow::connectRunPanels() {
  for (QWidget* panel : {static_cast<QWidget*>(training_), static_cast<QWidget*>(explorer_)}) {
    auto* run = qobject_cast<QDockWidget*>(panel->parentWidget());
    connect(run->toggleViewAction(), &QAction::toggled, this, [this, run](bool open) {
      if (open)
        makeRoomForRunPanel(run);
      else
        giveBackRoomOfRunPanels();
    });
  }
  connect(training_, &TrainingPanel::statusMessage, this,
          [this](const QString& text) { statusBar()->showMessage(text, 20000); });
  connect(training_, &TrainingPanel::saveTrainedModelRequested, this,
          &MainWindow::saveModelAsProject);
  // A run takes minutes to hours: when it ends while the user works in another window, the
  // task bar entry asks for attention (QApplication::alert does nothing for the active window).
  connect(training_, &TrainingPanel::trainingFinished, this, [this](TrainingOutcome outcome) {
    if (outcome != TrainingOutcome::Cancelled) QApplication::alert(this);
  });
  // The marks go with the panel: closed, they stayed on the graph until the next edit (and an
  // undo or a run ending behind the closed panel put them back).
  auto* explorerDock = qobject_cast<QDockWidget*>(explorer_->parentWidget());
  connect(explorer_, &CutExplorerPanel::marksChanged, this,
          [this, explorerDock](const QMap<QString, double>& marks) {
            if (explorerDock->toggleViewAction()->isChecked())
              workbench_->scene()->setCutCandidates(marks);
          });
  connect(explorerDock->toggleViewAction(), &QAction::toggled, this, [this](bool open) {
    if (open)
      explorer_->remark();
    else
      workbench_->scene()->setCutCandidates({});
  });
  // Training takes the folder a cut's head was fitted to (unless a run is using the panel).
  connect(explorer_, &CutExplorerPanel::headCut, this, [this](const QString& folder) {
    if (!training_->isTraining() && training_->dataDir() != folder) training_->setDataDir(folder);
  });
  connect(explorer_, &CutExplorerPanel::statusMessage, this,
          [this](const QString& text) { statusBar()->showMessage(text, 20000); });
  // The advisor plans with the explorer's measurements while they describe the current model.
  training_->setCutReportSource([this]() -> const CutExplorerReport* {
    return explorer_->resultIsCurrent() ? &explorer_->session()->result()->report : nullptr;
  });
  // A layer the explorer measured offers the cut there in its context menu.
  editor_->addContextMenuExtension([this](QMenu* menu, const QString& node) {
    const int index = explorer_->candidateIndex(node);
    if (index < 0) return;
    menu->addAction(tr("Cut here with a new &head (%1 classes)").arg(explorer_->classCount()),
                    explorer_, [this, index] { explorer_->cutAt(index); });
  });
}

}  // namespace graft::ui
