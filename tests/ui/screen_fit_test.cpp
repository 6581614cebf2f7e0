// On small screens the window fits: 960 x 540 logical pixels (1920 x 1080 at 200 %) with a run
// panel open, whose panels scroll instead of making the window taller than the screen (the
// status bar went below the screen's edge), and 1024 px wide for the start page (its right
// column was cut off, reached only by scrolling sideways).
#include <gtest/gtest.h>

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QDockWidget>
#include <QFont>
#include <QFontMetrics>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QStatusBar>
#include <QTableWidget>

#include "ui/doc/document.h"
#include "ui/main_window.h"
#include "ui/start_page.h"
#include "ui/training_chart.h"
#include "ui/training_panel.h"
#include "ui_test_support.h"

namespace graft {
namespace {

// The font Qt gives the X11 and VNC platforms on this system (DejaVu, 12 pt) while the tests
// last: the offscreen platform's 9 pt left room those screens did not have.
class DesktopFont {
 public:
  DesktopFont() : saved_(QApplication::font()) {
    QApplication::setFont(QFont(QStringLiteral("DejaVu LGC Sans"), 12));
  }
  ~DesktopFont() { QApplication::setFont(saved_); }

 private:
  QFont saved_;
};

constexpr int kScreenHeight = 540;

// A window of the given size in the desktop font, with the small model open.
class ScreenFit : public ::testing::Test {
 protected:
  void showModel(int width, int height) {
    window.resize(width, height);
    window.show();
    window.document()->open(test::smallModel(3), "small", {});
  }

  QApplication& app = test::guiApp();
  const DesktopFont font;
  ui::MainWindow window;
};

TEST_F(ScreenFit, RunPanelsKeepTheWindowOnA540PxScreen) {
  showModel(960, kScreenHeight);
  const auto fits = [this](const char* panel) {
    QApplication::processEvents();
    SCOPED_TRACE(panel);
    EXPECT_LE(window.minimumSizeHint().height(), kScreenHeight);
    EXPECT_LE(window.height(), kScreenHeight);  // it grew to its minimum, past the screen
    EXPECT_LE(window.statusBar()->geometry().bottom(), kScreenHeight - 1);
  };
  window.showTraining();
  fits("training");
  test::screenshot(&window, "screen_fit_training");
  window.showCutExplorer();
  fits("cut-point explorer");
  test::screenshot(&window, "screen_fit_cut_explorer");
}

// The rows of the training form up to Epochs (input, device, data, validation split, epochs:
// what a run needs first), none cut off by the form's viewport, and the Start button whole.
void expectFirstFieldsShown(ui::TrainingPanel* training, const std::string& where) {
  auto* scroll = training->findChild<QScrollArea*>(QStringLiteral("training_form_scroll"));
  ASSERT_NE(scroll, nullptr) << where;
  auto* form = qobject_cast<QFormLayout*>(scroll->widget()->layout());
  ASSERT_NE(form, nullptr) << where;
  const QRect viewport = scroll->viewport()->rect();
  bool epochs = false;
  for (int row = 0; row < form->rowCount() && !epochs; ++row) {
    const QLayoutItem* label = form->itemAt(row, QFormLayout::LabelRole);
    const QLayoutItem* field = form->itemAt(row, QFormLayout::FieldRole);
    for (const QLayoutItem* item : {label, field}) {
      if (!item || item->isEmpty()) continue;
      const QRect inViewport = item->geometry().translated(scroll->widget()->pos());
      EXPECT_TRUE(viewport.contains(inViewport))
          << where << ": row " << row << " at " << inViewport.y() << ".." << inViewport.bottom()
          << ", the form shows 0.." << viewport.bottom();
    }
    if (label && label->widget())
      epochs = qobject_cast<QLabel*>(label->widget())->text() == QStringLiteral("Epochs");
  }
  EXPECT_TRUE(epochs) << where << ": no Epochs row";
  const QWidget* start = training->startButton();
  EXPECT_TRUE(training->rect().contains(QRect(start->mapTo(training, QPoint()), start->size())))
      << where << ": the Start button is cut off";
}

// Every dock shown lies in the window, at least its minimum height, above the status bar.
void expectNothingCutOff(ui::MainWindow& window, const std::string& where) {
  for (const QDockWidget* dock : window.findChildren<QDockWidget*>()) {
    if (dock->isHidden() || !dock->geometry().intersects(window.rect())) continue;  // behind a tab
    const std::string name = where + ", " + dock->objectName().toStdString();
    EXPECT_TRUE(window.rect().contains(dock->geometry())) << name;
    EXPECT_GE(dock->height(), dock->minimumSizeHint().height()) << name;
    EXPECT_LE(dock->geometry().bottom(), window.statusBar()->y()) << name;
  }
}

// At 960 x 540 the run docks got ~150 px, two rows of the training form: the two groups of
// docks on either side (Properties and Summary, Layers and Overview) held their minimum
// heights. Opening a run panel in a window that short tabs each side's docks together, and the
// panel gets the room of its first fields; closed, the docks are split again as they were.
TEST_F(ScreenFit, ARunPanelGetsTheRoomOfItsFirstFieldsOnA540PxScreen) {
  showModel(960, kScreenHeight);
  auto* properties = window.findChild<QDockWidget*>(QStringLiteral("dock_properties"));
  auto* summary = window.findChild<QDockWidget*>(QStringLiteral("dock_summary"));
  auto* training = window.findChild<QDockWidget*>(QStringLiteral("dock_training"));
  ASSERT_FALSE(window.tabifiedDockWidgets(properties).contains(summary));
  window.showTraining();
  QApplication::processEvents();
  test::screenshot(&window, "screen_fit_training_room_960x540");
  EXPECT_GE(training->height(), 280);
  expectFirstFieldsShown(window.trainingPanel(), "960 x 540");
  expectNothingCutOff(window, "960 x 540");
  // The side docks are all there, a tab away.
  EXPECT_TRUE(window.tabifiedDockWidgets(properties).contains(summary));
  EXPECT_FALSE(summary->isHidden());
  EXPECT_TRUE(properties->geometry().intersects(window.rect())) << "Properties stays on top";
  // The explorer, in the same place, gets the same room, less the run panels' tab bar.
  window.showCutExplorer();
  QApplication::processEvents();
  EXPECT_GE(window.findChild<QDockWidget*>(QStringLiteral("dock_cut_explorer"))->height(), 240);
  // Both run panels closed: Properties above Summary again.
  window.findChild<QDockWidget*>(QStringLiteral("dock_cut_explorer"))->close();
  training->close();
  QApplication::processEvents();
  EXPECT_FALSE(window.tabifiedDockWidgets(properties).contains(summary));
  EXPECT_TRUE(training->isHidden());
  EXPECT_LT(properties->geometry().bottom(), summary->geometry().top());
  test::screenshot(&window, "screen_fit_training_closed_960x540");
}

// Where there is room the docks stay as they are, and nothing is cut off.
TEST_F(ScreenFit, ARunPanelKeepsTheDocksWhereThereIsRoom) {
  for (const QSize size : {QSize(1280, 720), QSize(1920, 1080)}) {
    ui::MainWindow large;
    large.resize(size);
    large.show();
    large.document()->open(test::smallModel(3), "small", {});
    large.showTraining();
    QApplication::processEvents();
    const std::string where = std::to_string(size.width()) + " x " + std::to_string(size.height());
    auto* properties = large.findChild<QDockWidget*>(QStringLiteral("dock_properties"));
    auto* summary = large.findChild<QDockWidget*>(QStringLiteral("dock_summary"));
    EXPECT_FALSE(large.tabifiedDockWidgets(properties).contains(summary)) << where;
    EXPECT_GE(large.findChild<QDockWidget*>(QStringLiteral("dock_training"))->height(),
              size.height() * 2 / 5)
        << where;
    // The Summary, below Properties, shows a layer at least.
    QTableWidget* table = large.layerTable();
    EXPECT_GE(table->viewport()->height(), table->rowHeight(0)) << where;
    expectFirstFieldsShown(large.trainingPanel(), where);
    expectNothingCutOff(large, where);
    test::screenshot(&large,
                     QString::fromStdString("screen_fit_training_" + std::to_string(size.width())));
  }
}

TEST_F(ScreenFit, TheStartPageFitsA1024PxScreen) {
  window.resize(1024, 600);
  window.show();
  QApplication::processEvents();
  // The page scrolls down at 600 px: its scroll bar takes a strip of the width.
  auto* scroll = window.findChild<QScrollArea*>(QStringLiteral("start_page_scroll"));
  ASSERT_NE(scroll, nullptr);
  EXPECT_LE(window.startPage()->minimumSizeHint().width() +
                scroll->verticalScrollBar()->sizeHint().width(),
            1024);
  EXPECT_FALSE(scroll->horizontalScrollBar()->isVisible());
  test::screenshot(&window, "screen_fit_start_page");
}

// At 1024 x 600 (less a task bar) with Training open, every value on the charts' axes reads: the
// plot has a line for each of its five value labels (squeezed, Qt Charts shows "…" for them).
TEST_F(ScreenFit, TrainingChartsKeepTheirValuesOnA1024x600Screen) {
  showModel(1024, 560);
  window.showTraining();
  QApplication::processEvents();
  const auto charts = window.findChildren<ui::TrainingChart*>();
  ASSERT_EQ(charts.size(), 2);
  for (ui::TrainingChart* chart : charts) {
    const QAbstractAxis* values = chart->chart()->axes(Qt::Vertical).value(0);
    ASSERT_NE(values, nullptr);
    EXPECT_GE(chart->chart()->plotArea().height(), 5 * QFontMetrics(values->labelsFont()).height())
        << chart->chart()->title().toStdString();
  }
  test::screenshot(&window, "screen_fit_training_1024");
}

}  // namespace
}  // namespace graft
