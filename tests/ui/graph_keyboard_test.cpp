// The arrow keys walk the graph: a keyboard user reaches any layer without Find or the Summary.
#include <gtest/gtest.h>

#include <QTest>

#include "ui/doc/document.h"
#include "ui/graph_keyboard.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

using ui::GraphStep;
using ui::neighbourLayer;

TEST(GraphKeyboard, StepsFollowTheEdges) {
  // stem feeds a and s; both feed add.
  const QList<QPair<QString, QString>> edges{
      {"input", "stem"}, {"stem", "a"}, {"stem", "s"}, {"a", "add"}, {"s", "add"}};
  EXPECT_EQ(neighbourLayer(edges, "stem", GraphStep::Down), "a");
  EXPECT_EQ(neighbourLayer(edges, "a", GraphStep::Right), "s");
  EXPECT_EQ(neighbourLayer(edges, "s", GraphStep::Left), "a");
  EXPECT_EQ(neighbourLayer(edges, "s", GraphStep::Right), "");
  EXPECT_EQ(neighbourLayer(edges, "add", GraphStep::Up), "a");
  EXPECT_EQ(neighbourLayer(edges, "input", GraphStep::Up), "");
  EXPECT_EQ(neighbourLayer(edges, "add", GraphStep::Down), "");
}

TEST(GraphKeyboard, TheArrowKeysMoveTheSelectionInTheView) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  window.document()->open(test::smallModel(3), "small", {});
  ui::GraphView* view = window.workbench()->view();
  view->graphScene()->selectLayers({QStringLiteral("conv1")});
  view->setFocus();
  QTest::keyClick(view, Qt::Key_Down);
  EXPECT_EQ(view->graphScene()->selectedLayers(), QStringList{"conv1_bn"});
  QTest::keyClick(view, Qt::Key_Down);
  QTest::keyClick(view, Qt::Key_Up);
  EXPECT_EQ(view->graphScene()->selectedLayers(), QStringList{"conv1_bn"});
  QTest::keyClick(view, Qt::Key_Up);
  QTest::keyClick(view, Qt::Key_Up);
  QTest::keyClick(view, Qt::Key_Up);  // past the input: it stays
  EXPECT_EQ(view->graphScene()->selectedLayers(), QStringList{"input_1"});
}

}  // namespace
}  // namespace graft
