// On small screens the window fits: 960 x 540 logical pixels (1920 x 1080 at 200 %) with a run
// panel open, whose panels scroll instead of making the window taller than the screen (the
// status bar went below the screen's edge), and 1024 px wide for the start page (its right
// column was cut off, reached only by scrolling sideways).
#include <gtest/gtest.h>

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QFont>
#include <QFontMetrics>
#include <QScrollArea>
#include <QScrollBar>
#include <QStatusBar>

#include "ui/doc/document.h"
#include "ui/main_window.h"
#include "ui/start_page.h"
#include "ui/training_chart.h"
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
