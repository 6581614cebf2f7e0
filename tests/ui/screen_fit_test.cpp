// On a small screen (960 x 540 logical pixels: 1920 x 1080 at 200 %) the window with a run
// panel open still fits: the panels scroll instead of making the window taller than the screen
// (the status bar went below the screen's edge, the training form showed a row and a half).
#include <gtest/gtest.h>

#include <QApplication>
#include <QStatusBar>

#include "ui/doc/document.h"
#include "ui/main_window.h"
#include "ui_test_support.h"

namespace graft {
namespace {

constexpr int kScreenWidth = 960;
constexpr int kScreenHeight = 540;

TEST(ScreenFit, RunPanelsKeepTheWindowOnA540PxScreen) {
  test::guiApp();
  ui::MainWindow window;
  window.resize(kScreenWidth, kScreenHeight);
  window.show();
  window.document()->open(test::smallModel(3), "small", {});
  const auto fits = [&window](const char* panel) {
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

}  // namespace
}  // namespace graft
