// Finding one's way around a big graph (issue #21): Fit shows the whole graph, the wheel
// scrolls and Ctrl+wheel zooms, and the layouts that use the window — columns that fill it,
// left to right, compact cards — keep every card apart and nested models boxed.
#include <gtest/gtest.h>

#include <QScrollBar>
#include <QUndoStack>
#include <QWheelEvent>
#include <algorithm>

#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/edge_item.h"
#include "ui/freeze_boundary_item.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/group_item.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

using test::visibleScene;

using Arrangement = ui::GraphScene::Arrangement;

// MobileNet α 0.25: 86 layers, one long chain.
ModelSpec mobileNet() {
  ModelSpec spec;
  spec.source = "mobilenet";
  spec.alpha = 0.25;
  spec.inputSize = 128;
  spec.includeTop = false;
  return spec;
}

void wheel(ui::GraphView* view, int delta, Qt::KeyboardModifiers modifiers) {
  const QPointF at = view->viewport()->rect().center();
  QWheelEvent event(at, view->viewport()->mapToGlobal(at), QPoint(), QPoint(0, delta), Qt::NoButton,
                    modifiers, Qt::NoScrollPhase, false);
  QApplication::sendEvent(view->viewport(), &event);
}

void expectNoOverlaps(const ui::GraphScene& scene) {
  QList<QRectF> cards;
  for (const ui::NodeItem* item : scene.nodeItems())
    cards << QRectF(item->pos() - QPointF(ui::NodeItem::cardSize(scene.isCompact()).width() / 2,
                                          ui::NodeItem::cardSize(scene.isCompact()).height() / 2),
                    ui::NodeItem::cardSize(scene.isCompact()));
  int overlaps = 0;
  for (int i = 0; i < cards.size(); ++i)
    for (int j = i + 1; j < cards.size(); ++j) overlaps += cards[i].intersects(cards[j]) ? 1 : 0;
  EXPECT_EQ(overlaps, 0);
}

class NavigationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::guiApp();
    window_ = std::make_unique<ui::MainWindow>();
    window_->resize(1440, 900);
    window_->show();
    ASSERT_TRUE(window_->openModel(mobileNet()));
    view_ = window_->workbench()->view();
    scene_ = view_->graphScene();
    QApplication::processEvents();
  }
  std::unique_ptr<ui::MainWindow> window_;
  ui::GraphView* view_ = nullptr;
  ui::GraphScene* scene_ = nullptr;
};

TEST_F(NavigationTest, FitShowsEveryLayer) {
  view_->resetZoom();
  view_->fitAll();
  const QRectF visible = visibleScene(view_);
  for (const ui::NodeItem* item : scene_->nodeItems())
    EXPECT_TRUE(visible.contains(item->sceneBoundingRect())) << item->name().toStdString();
}

TEST_F(NavigationTest, TheWheelScrollsAndCtrlWheelZooms) {
  view_->resetZoom();
  view_->centerOn(scene_->nodeItem("conv1")->pos());
  const int scrolled = view_->verticalScrollBar()->value();
  wheel(view_, -120, Qt::NoModifier);
  EXPECT_DOUBLE_EQ(view_->zoom(), 1.0);
  EXPECT_GT(view_->verticalScrollBar()->value(), scrolled);  // down the graph
  wheel(view_, -120, Qt::ControlModifier);
  EXPECT_LT(view_->zoom(), 1.0);
  wheel(view_, 240, Qt::ControlModifier);
  EXPECT_GT(view_->zoom(), 1.0);
}

// A fitted view stays fitted until the user zooms or scrolls: a cut to a few layers fits them
// (it stayed at the zoom that fitted 86, the cards unreadable in an empty view), and so does a
// larger window (the banner closed, a dock closed). Once the user has zoomed, edits keep it.
TEST_F(NavigationTest, AFittedViewFitsWhatAnEditLeaves) {
  view_->fitAll();
  ASSERT_TRUE(view_->isFitted());
  const double whole = view_->zoom();
  ASSERT_TRUE(window_->editor()->cutAt(QStringLiteral("conv_pw_2_relu")));
  QApplication::processEvents();
  EXPECT_GT(view_->zoom(), 1.5 * whole);
  const QRectF visible = visibleScene(view_);
  for (const ui::NodeItem* item : scene_->nodeItems())
    EXPECT_TRUE(visible.contains(item->sceneBoundingRect())) << item->name().toStdString();
  window_->document()->undoStack()->undo();
  QApplication::processEvents();
  EXPECT_NEAR(view_->zoom(), whole, 0.02 * whole) << "the whole graph, fitted again";
  // Scrolled by the user (a scroll bar, keys): fitted no more.
  view_->fitAll();
  view_->verticalScrollBar()->triggerAction(QAbstractSlider::SliderSingleStepAdd);
  EXPECT_FALSE(view_->isFitted());
  view_->fitAll();
  // Zoomed by the user: an edit keeps the zoom.
  view_->zoomIn();
  const double chosen = view_->zoom();
  ASSERT_FALSE(view_->isFitted());
  ASSERT_TRUE(window_->editor()->cutAt(QStringLiteral("conv_pw_2_relu")));
  QApplication::processEvents();
  EXPECT_DOUBLE_EQ(view_->zoom(), chosen);
}

TEST_F(NavigationTest, ColumnsFillTheWindowAndFitReadably) {
  view_->fitAll();
  const double oneColumn = view_->zoom();
  scene_->setArrangement(Arrangement::WrappedColumns, false);
  view_->fitAll();
  const ui::GraphLayout& layout = scene_->layout();
  EXPECT_TRUE(layout.wrapped);
  const double aspect = layout.bounds.width() / layout.bounds.height();
  const double window = double(view_->viewport()->width()) / view_->viewport()->height();
  EXPECT_GT(aspect, window / 2.5);
  EXPECT_LT(aspect, window * 2.5);
  EXPECT_GT(view_->zoom(), 2.5 * oneColumn);  // the same graph, fitted, much larger
  expectNoOverlaps(*scene_);
  // Edges still join the right cards' ends.
  for (const ui::EdgeItem* edge : scene_->edgeItems()) {
    const QPointF start = edge->path().pointAtPercent(0);
    const QPointF end = edge->path().pointAtPercent(1);
    EXPECT_LT(QLineF(start, scene_->nodeItem(edge->from())->pos()).length(), 60);
    EXPECT_LT(QLineF(end, scene_->nodeItem(edge->to())->pos()).length(), 60);
  }
  // The freeze boundary moves across columns: dropped in the second column under its third
  // layer, it freezes the whole first column and those three.
  ui::FreezeBoundaryItem* boundary = scene_->freezeBoundary();
  ASSERT_NE(boundary, nullptr);
  QList<const ui::NodeItem*> second;
  for (const ui::NodeItem* item : scene_->nodeItems())
    if (item->pos().x() > layout.columnLeft + layout.columnStep &&
        item->pos().x() < layout.columnLeft + 2 * layout.columnStep)
      second << item;
  std::sort(second.begin(), second.end(), [](const ui::NodeItem* a, const ui::NodeItem* b) {
    return a->pos().y() < b->pos().y();
  });
  ASSERT_GE(second.size(), 4);
  const QPointF handle = boundary->mapToScene(boundary->handleRect().center());
  const QPointF target(handle.x() + layout.columnStep,
                       (second[2]->pos().y() + second[3]->pos().y()) / 2);
  view_->centerOn((handle + target) / 2);
  test::dragScene(view_, handle, target);
  for (const ui::NodeItem* item : scene_->nodeItems()) {
    const bool firstColumn = item->pos().x() < layout.columnLeft + layout.columnStep;
    const bool shouldFreeze =
        firstColumn || item == second[0] || item == second[1] || item == second[2];
    EXPECT_EQ(item->view().trainable, !shouldFreeze) << item->name().toStdString();
  }
  // Placed again where the document says: under the last frozen layer, in its column.
  EXPECT_NEAR(boundary->pos().x(), layout.columnStep, 1);
  EXPECT_GT(boundary->pos().y(), second[2]->pos().y());
  EXPECT_LT(boundary->pos().y(), second[3]->pos().y());
  // The handle (on the left) dropped over the right part of the second column, a little lower:
  // still that column (it went one column right), now under its fourth layer.
  const QPointF grabbed = boundary->mapToScene(boundary->handleRect().center());
  const QPointF rightPart(layout.columnLeft + layout.columnStep + 0.9 * layout.columnWidth,
                          (second[3]->pos().y() + second[4]->pos().y()) / 2);
  ASSERT_GE(second.size(), 5);
  view_->centerOn((grabbed + rightPart) / 2);
  test::dragScene(view_, grabbed, rightPart);
  EXPECT_NEAR(boundary->pos().x(), layout.columnStep, 1);
  for (const ui::NodeItem* item : scene_->nodeItems()) {
    const bool firstColumn = item->pos().x() < layout.columnLeft + layout.columnStep;
    const bool shouldFreeze =
        firstColumn || (second.indexOf(item) >= 0 && second.indexOf(item) < 4);
    EXPECT_EQ(item->view().trainable, !shouldFreeze) << item->name().toStdString();
  }
  test::screenshot(window_.get(), "graph_columns");
}

TEST_F(NavigationTest, LeftToRightPutsConsumersRightOfProducers) {
  scene_->setArrangement(Arrangement::LeftToRight, false);
  EXPECT_TRUE(scene_->layout().leftToRight);
  for (const Node& node : window_->document()->graph().nodes())
    for (const std::string& input : node.inputs)
      EXPECT_LT(scene_->nodeItem(QString::fromStdString(input))->pos().x(),
                scene_->nodeItem(QString::fromStdString(node.name))->pos().x());
  expectNoOverlaps(*scene_);
  view_->fitAll();
  test::screenshot(window_.get(), "graph_left_to_right");
}

TEST(Navigation, NestedModelsStayBoxedInColumns) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5");
  test::guiApp();
  ui::MainWindow window;
  window.resize(1440, 900);
  window.show();
  ui::GraphScene* scene = window.workbench()->scene();
  scene->setArrangement(Arrangement::WrappedColumns, true);
  ModelSpec spec;
  spec.source = path;
  ASSERT_TRUE(window.openModel(spec));
  ASSERT_EQ(scene->groupItems().size(), 3);
  EXPECT_TRUE(scene->layout().wrapped);
  // Every layer of the MobileNetV2 inside is within one of its boxes, wherever its column is.
  const ui::GroupItem* model1 = scene->groupItems()[1];
  const ui::LayoutGroup& boxes = scene->layout().groups[1];
  for (const Node& node : window.document()->graph().nodes()) {
    if (node.group.rfind("sequential_1/model1", 0) != 0) continue;
    const QPointF at = scene->nodeItem(QString::fromStdString(node.name))->pos();
    bool inside = boxes.rect.contains(at);
    for (const QRectF& piece : boxes.continued) inside |= piece.contains(at);
    EXPECT_TRUE(inside) << node.name;
  }
  EXPECT_FALSE(model1->boundingRect().isEmpty());
  window.workbench()->view()->fitAll();
  test::screenshot(&window, "nested_columns_compact");
}

}  // namespace
}  // namespace graft
