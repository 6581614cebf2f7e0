// The UI tests' main: gtest's, then the work still running on background threads (a layer map
// for a window a test closed) is waited for, and the process ends without the static
// destructors. Sessions 22 and 24 saw a test crash on its way out now and then after every
// assertion passed: such a worker ran on while the static destructors tore down oneDNN under it
// (found in session 25: the application crashed the same way when quit during a prediction).
// The tests' QApplication is never destroyed (one for the whole executable), so the static
// destructors are skipped too: the tests check behaviour, not teardown.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "ui/doc/background_task.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  const int result = RUN_ALL_TESTS();
  graft::ui::waitForBackgroundWork();
  std::fflush(nullptr);
  std::_Exit(result);
}
