// The main window opens a model through the core loader and lists its layers.
#include <gtest/gtest.h>

#include <QApplication>
#include <QLabel>
#include <QTableWidget>

#include "support/test_support.h"
#include "ui/main_window.h"

namespace graft {
namespace {

TEST(MainWindow, ShowsTheLayersOfAZooModel) {
  int argc = 1;
  char name[] = "graft_ui_tests";
  char* argv[] = {name, nullptr};
  QApplication app(argc, argv);
  ui::MainWindow window;
  ModelSpec spec;
  spec.source = "vgg16";
  spec.includeTop = false;
  spec.inputSize = 160;
  ASSERT_TRUE(window.openModel(spec));
  EXPECT_EQ(window.layerTable()->rowCount(), 19);
  EXPECT_EQ(window.layerTable()->item(6, 0)->text(), "block2_pool");
  EXPECT_EQ(window.layerTable()->item(6, 2)->text(), "(None, 40, 40, 128)");
  window.show();
  const QPixmap shot = window.grab();
  EXPECT_FALSE(shot.isNull());
  test::TempDir dir;
  EXPECT_TRUE(shot.save(QString::fromStdString(dir.file("main_window.png"))));
}

}  // namespace
}  // namespace graft
