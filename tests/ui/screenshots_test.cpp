// The main views at the two common screen sizes (issue #21): the start page, the graph with a
// model, the training panel (after Advise, its tallest) and the export dialog are written as
// screenshots to $GRAFT_SCREENSHOT_DIR for a person to look at, and the controls a user needs
// are checked to be on screen, not cut off.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTableWidget>
#include <QTreeWidget>

#include "ui/doc/document.h"
#include "ui/export_dialog.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/layer_insight_view.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/notes_banner.h"
#include "ui/prediction_panel.h"
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

// MobileNet α 0.25 at 128 px with its classifier: without its weights file, so the banner
// offering Keras's shows.
ModelSpec mobileNetWithTop() {
  ModelSpec spec;
  spec.source = "mobilenet";
  spec.alpha = 0.25;
  spec.inputSize = 128;
  return spec;
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

// Text at 4/3 of the default size (a 125-150 % desktop scale, or Qt's VNC platform) in a
// window of 95 % of a 1440 x 900 and a 1280 x 800 screen, with the training dock, the
// predictions and the summary all open at once: every panel still shows what it is for, and
// the cut-point explorer does not make the window taller than the screen. The charts ran off
// the window's right edge, the Summary showed a header and no layer, and the explorer pushed
// the status bar off the bottom of a 800 px screen.
class LargeText : public ::testing::TestWithParam<QSize> {};

TEST_P(LargeText, EveryPanelOpenKeepsEachReadable) {
  const QSize size = GetParam();
  test::guiApp();
  const QFont normal = QApplication::font();
  QFont large = normal;
  large.setPointSizeF(normal.pointSizeF() * 4 / 3);
  QApplication::setFont(large);
  struct RestoreFont {
    QFont font;
    ~RestoreFont() { QApplication::setFont(font); }
  } restore{normal};
  ui::MainWindow window;
  window.resize(size);
  window.show();
  ASSERT_TRUE(window.openModel(mobileNetWithTop()));
  window.showTraining();
  ui::TrainingPanel* training = window.trainingPanel();
  training->createSampleData();
  ASSERT_TRUE(training->advise()) << training->adviceText()->text().toStdString();
  QStringList images;
  for (const QFileInfo& file :
       QDir(training->dataDir() + "/circle").entryInfoList({"*.png"}, QDir::Files))
    if (images.size() < 3) images << file.absoluteFilePath();
  ASSERT_EQ(images.size(), 3);
  window.predictImages(images);
  ui::PredictionPanel* predictions = window.predictionPanel();
  ASSERT_TRUE(test::waitFor([&] {
    return !predictions->isRunning() && predictions->results()->topLevelItemCount() == 3;
  }));
  QApplication::processEvents();
  const QString suffix = QStringLiteral("_%1x%2").arg(size.width()).arg(size.height());
  test::screenshot(&window, "every_panel_large_text" + suffix);
  EXPECT_EQ(window.size(), size) << "the window grew past the screen";

  expectFullyVisible(training->startButton(), &window, "Start");
  // Both charts lie inside the progress column's viewport, nothing needs scrolling sideways.
  auto* progress = training->findChild<QScrollArea*>(QStringLiteral("training_progress_scroll"));
  ASSERT_NE(progress, nullptr);
  const QRect viewport(progress->viewport()->mapTo(&window, QPoint(0, 0)),
                       progress->viewport()->size());
  for (ui::TrainingChart* chart : {training->lossChart(), training->accuracyChart()}) {
    const QRect inWindow(chart->mapTo(&window, QPoint(0, 0)), chart->size());
    EXPECT_TRUE(viewport.contains(inWindow))
        << "a chart at " << inWindow.x() << "," << inWindow.width() << " wide, the viewport "
        << viewport.x() << "," << viewport.width() << " wide";
  }
  EXPECT_LE(progress->widget()->minimumSizeHint().width(), progress->viewport()->width());
  // The predictions list and the layer chooser below it share the dock without overlapping.
  QTreeWidget* list = predictions->results();
  QComboBox* layer = predictions->insight()->layerChooser();
  ASSERT_TRUE(layer->isVisible());
  const QRect listRect(list->mapTo(&window, QPoint(0, 0)), list->size());
  const QRect layerRect(layer->mapTo(&window, QPoint(0, 0)), layer->size());
  EXPECT_FALSE(listRect.intersects(layerRect));
  EXPECT_GE(list->viewport()->height(), list->visualItemRect(list->topLevelItem(0)).height());
  // The Summary, tabbed on top, shows two layers at least.
  auto* summaryDock = window.findChild<QDockWidget*>(QStringLiteral("dock_summary"));
  ASSERT_TRUE(summaryDock->isVisible());
  QTableWidget* table = window.layerTable();
  EXPECT_GE(table->viewport()->height(), 2 * table->rowHeight(0));

  window.showCutExplorer();
  QApplication::processEvents();
  test::screenshot(&window, "explorer_large_text" + suffix);
  EXPECT_EQ(window.size(), size) << "the explorer made the window taller than the screen";
  expectFullyVisible(window.statusBar(), &window, "the status bar");
}

INSTANTIATE_TEST_SUITE_P(Sizes, LargeText, ::testing::Values(QSize(1368, 855), QSize(1216, 760)),
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

// A laptop's 1280 x 800 screen (the window 1280 x 760 inside its panels), a zoo model without
// its weights file (the banner offering Keras's weights) and the training dock after Advise:
// the graph kept ~40 px, under a banner of four lines and a dock sized to its contents.
TEST(TrainingPanel, TheGraphKeepsRoomBesideTheBannerAndTheDock) {
  test::guiApp();
  QSettings().remove("view/arrangement");  // what a new user sees: the default layout
  ui::MainWindow window;
  QSettings().setValue("view/arrangement", 0);  // later tests keep the layout they expect
  window.resize(1280, 760);
  window.show();
  ASSERT_TRUE(window.openModel(mobileNetWithTop()));
  ASSERT_TRUE(window.workbench()->banner()->isVisible());
  window.showTraining();
  ui::TrainingPanel* training = window.trainingPanel();
  training->createSampleData();
  ASSERT_TRUE(training->advise()) << training->adviceText()->text().toStdString();
  QApplication::processEvents();
  test::screenshot(&window, "training_with_banner_1280x760");
  ui::GraphView* view = window.workbench()->view();
  EXPECT_GE(view->height(), window.height() / 4) << "the graph is " << view->height() << " px";
  expectFullyVisible(training->startButton(), &window, "Start");
  expectFullyVisible(window.workbench()->banner(), &window, "the weights banner");
}

}  // namespace
}  // namespace graft
