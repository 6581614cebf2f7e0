// The main views at the two common screen sizes (issue #21): the start page, the graph with a
// model, the training panel (after Advise, its tallest) and the export dialog are written as
// screenshots to $GRAFT_SCREENSHOT_DIR for a person to look at, and the controls a user needs
// are checked to be on screen, not cut off.
#include <gtest/gtest.h>

#include <QDialog>
#include <QDockWidget>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>

#include "ui/doc/document.h"
#include "ui/export_dialog.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/training_chart.h"
#include "ui/training_panel.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

// The widget is shown, and its whole rectangle lies inside `window`'s.
void expectFullyVisible(QWidget* widget, QWidget* window, const char* what) {
  ASSERT_TRUE(widget->isVisible()) << what;
  const QRect inWindow(widget->mapTo(window, QPoint(0, 0)), widget->size());
  EXPECT_TRUE(window->rect().contains(inWindow))
      << what << " at " << inWindow.x() << "," << inWindow.y() << " " << inWindow.width() << "x"
      << inWindow.height() << " in a " << window->width() << "x" << window->height() << " window";
  // Not hidden by a scroll area around it either.
  EXPECT_EQ(widget->visibleRegion().boundingRect().size(), widget->size()) << what;
}

class Screenshots : public ::testing::TestWithParam<QSize> {};

TEST_P(Screenshots, MainViewsFitTheScreen) {
  test::guiApp();
  const QSize size = GetParam();
  const QString suffix = QStringLiteral("_%1x%2").arg(size.width()).arg(size.height());
  QSettings().remove("view/arrangement");  // what a new user sees: the default layout
  ui::MainWindow window;
  QSettings().setValue("view/arrangement", 0);
  EXPECT_EQ(window.workbench()->scene()->arrangement(),
            ui::GraphScene::Arrangement::WrappedColumns);
  window.resize(size);
  window.show();
  QApplication::processEvents();
  test::screenshot(&window, "start_page" + suffix);
  // The start page has the window to itself (the docks, empty without a model, squeezed it);
  // the workbench gets them back.
  for (const QDockWidget* dock : window.findChildren<QDockWidget*>())
    EXPECT_FALSE(dock->isVisible()) << dock->objectName().toStdString();

  ModelSpec spec;
  spec.source = "mobilenet";
  spec.alpha = 0.25;
  spec.inputSize = 128;
  spec.includeTop = false;
  ASSERT_TRUE(window.openModel(spec));
  QApplication::processEvents();
  window.workbench()->view()->fitAll();
  test::screenshot(&window, "graph" + suffix);
  for (const char* name : {"dock_palette", "dock_properties", "dock_summary"})
    EXPECT_TRUE(window.findChild<QDockWidget*>(QString::fromLatin1(name))->isVisible()) << name;

  // The training panel at its tallest: sample data chosen and the advisor's plan filled in.
  window.showTraining();
  ui::TrainingPanel* training = window.trainingPanel();
  training->createSampleData();
  ASSERT_TRUE(training->advise()) << training->adviceText()->text().toStdString();
  QApplication::processEvents();
  for (QWidget* button : {static_cast<QWidget*>(training->startButton()),
                          static_cast<QWidget*>(training->pauseButton()),
                          static_cast<QWidget*>(training->stopButton())})
    expectFullyVisible(button, &window, "a Start/Pause/Stop button");
  // The form scrolls up and down only: nothing cut off at its right edge.
  auto* form = training->findChild<QScrollArea*>(QStringLiteral("training_form_scroll"));
  ASSERT_NE(form, nullptr);
  EXPECT_LE(form->widget()->minimumSizeHint().width(), form->viewport()->width());
  EXPECT_NE(training->inputSizeLabel()->text().indexOf("128"), -1);
  EXPECT_NE(training->deviceLabel()->text().indexOf("CPU"), -1);
  // Both chart legends get their room.
  for (ui::TrainingChart* chart : {training->lossChart(), training->accuracyChart()})
    EXPECT_GE(chart->width(), chart->minimumWidth());
  test::screenshot(&window, "training" + suffix);
  // The charts get room to be read: the training dock takes 40 % of the window (a tall
  // minimum of the predictions dock, tabbed away, held it at 200 px: every axis label "…"),
  // also after the cut-point explorer shares its place.
  auto* trainingDock = qobject_cast<QDockWidget*>(training->parentWidget());
  EXPECT_GE(trainingDock->height(), window.height() * 2 / 5 - 10);
  EXPECT_GE(training->lossChart()->height(), 260);
  window.showCutExplorer();
  QApplication::processEvents();
  window.showTraining();
  QApplication::processEvents();
  EXPECT_EQ(window.size(), size) << "the window grew past the screen";
  EXPECT_GE(training->lossChart()->height(), 240);
  expectFullyVisible(training->startButton(), &window, "Start, after the explorer");

  ui::ExportDialog* dialog = window.openExportDialog();
  ASSERT_NE(dialog, nullptr);
  QApplication::processEvents();
  EXPECT_TRUE(dialog->path().startsWith(ui::ExportDialog::defaultFolder()))
      << dialog->path().toStdString();
  test::screenshot(dialog, "export_dialog" + suffix);
  dialog->close();
}

INSTANTIATE_TEST_SUITE_P(Sizes, Screenshots, ::testing::Values(QSize(1440, 900), QSize(1920, 1080)),
                         [](const ::testing::TestParamInfo<QSize>& size) {
                           return std::to_string(size.param.width()) + "x" +
                                  std::to_string(size.param.height());
                         });

TEST(TrainingPanel, StartStaysOnScreenInASmallWindow) {
  test::guiApp();
  ui::MainWindow window;
  window.resize(1024, 600);
  window.show();
  window.document()->open(test::smallModel(3), "small", {});
  window.showTraining();
  ui::TrainingPanel* training = window.trainingPanel();
  training->createSampleData();
  ASSERT_TRUE(training->advise());
  // Squeeze the dock as a user dragging its edge would.
  window.resizeDocks({qobject_cast<QDockWidget*>(training->parentWidget())}, {200}, Qt::Vertical);
  QApplication::processEvents();
  expectFullyVisible(training->startButton(), &window, "Start");
  expectFullyVisible(training->stopButton(), &window, "Stop");
  test::screenshot(&window, "training_small_window");
}

}  // namespace
}  // namespace graft
