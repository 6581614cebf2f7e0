// Background work and the end of the process: main() waits for what is still running before
// anything is destroyed (a prediction computing when the window was closed crashed the process
// on its way out, in oneDNN).
#include <gtest/gtest.h>

#include <QObject>
#include <atomic>
#include <chrono>
#include <thread>

#include "ui/doc/background_task.h"
#include "ui_test_support.h"

namespace graft {
namespace {

TEST(BackgroundTask, WaitingForBackgroundWorkReturnsOnceEveryPieceHasEnded) {
  test::guiApp();
  std::atomic<int> ended{0};
  bool doneRan = false;
  {
    QObject context;
    for (int i = 0; i < 3; ++i)
      ui::runInBackground(
          &context,
          [&ended, i] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100 * (i + 1)));
            ++ended;
          },
          [&doneRan](const QString&) { doneRan = true; });
  }  // the window that asked is gone, as at quit
  ui::waitForBackgroundWork();
  EXPECT_EQ(ended.load(), 3);
  EXPECT_FALSE(doneRan);        // its context is gone: nothing runs for it
  ui::waitForBackgroundWork();  // nothing left: returns at once
}

}  // namespace
}  // namespace graft
