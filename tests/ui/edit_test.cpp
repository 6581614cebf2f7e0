// Editing by direct manipulation: real mouse gestures on the graph view go through the core
// surgery as undoable steps, and the scene, summary and properties follow the document.
#include <gtest/gtest.h>

#include <QApplication>
#include <QLineEdit>
#include <QMenu>
#include <QStatusBar>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUndoStack>

#include "ui/doc/document.h"
#include "ui/edge_item.h"
#include "ui/freeze_boundary_item.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/layer_palette.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/output_marker_item.h"
#include "ui/properties_panel.h"
#include "ui/summary_table.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

class EditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::guiApp();
    window_ = std::make_unique<ui::MainWindow>();
    window_->resize(1400, 900);
    window_->show();
    ModelSpec spec;
    spec.source = "vgg16";
    spec.includeTop = false;
    spec.inputSize = 160;
    ASSERT_TRUE(window_->openModel(spec));
    view_ = window_->workbench()->view();
    scene_ = view_->graphScene();
    view_->resetZoom();
  }
  const Graph& graph() const { return window_->document()->graph(); }
  ui::EdgeItem* edge(const QString& from, const QString& to) const {
    for (ui::EdgeItem* e : scene_->edgeItems())
      if (e->from() == from && e->to() == to) return e;
    return nullptr;
  }
  // A palette entry dragged onto the middle of the edge from -> to; false when there is no such
  // edge or the drop was refused.
  bool dropOnEdge(const QByteArray& className, const QString& from, const QString& to) {
    ui::EdgeItem* target = edge(from, to);
    if (!target) return false;
    const QPointF at = target->path().pointAtPercent(0.5);
    view_->centerOn(at);
    return test::dropOnScene(view_, at, ui::kLayerMimeType, className);
  }

  std::unique_ptr<ui::MainWindow> window_;
  ui::GraphView* view_ = nullptr;
  ui::GraphScene* scene_ = nullptr;
};

// A right-click inside a selection keeps it (the menu then acts on every selected layer); the
// press went to the scene, which no card took, so the selection fell to the clicked layer.
TEST_F(EditTest, ARightClickInsideASelectionKeepsIt) {
  scene_->selectLayers({QStringLiteral("block1_conv1"), QStringLiteral("block1_conv2")});
  ui::NodeItem* card = scene_->nodeItem("block1_conv2");
  ASSERT_NE(card, nullptr);
  view_->centerOn(card);
  // The press alone: its menu would wait for a click.
  view_->viewport()->setContextMenuPolicy(Qt::NoContextMenu);
  const QPoint at = view_->mapFromScene(card->pos());
  QTest::mousePress(view_->viewport(), Qt::RightButton, Qt::NoModifier, at);
  QTest::mouseRelease(view_->viewport(), Qt::RightButton, Qt::NoModifier, at);
  EXPECT_EQ(scene_->selectedLayers().size(), 2)
      << scene_->selectedLayers().join(", ").toStdString();
  // Nor does a right-click on the background clear it.
  const QPoint empty = view_->mapFromScene(card->pos() + QPointF(600, 0));
  ASSERT_EQ(scene_->nodeAt(view_->mapToScene(empty)), nullptr);
  QTest::mousePress(view_->viewport(), Qt::RightButton, Qt::NoModifier, empty);
  QTest::mouseRelease(view_->viewport(), Qt::RightButton, Qt::NoModifier, empty);
  EXPECT_EQ(scene_->selectedLayers().size(), 2);
}

// Compact cards take clicks and drops where they are drawn: the full-size bounds of a compact
// card covered the edge below it, so a layer dropped there went one layer lower.
TEST_F(EditTest, ACompactCardIsHitWhereItIsDrawn) {
  scene_->setArrangement(ui::GraphScene::Arrangement::TopToBottom, true);
  ui::NodeItem* card = scene_->nodeItem("block1_conv1");
  ASSERT_NE(card, nullptr);
  ASSERT_TRUE(card->isCompact());
  const QSizeF drawn = ui::NodeItem::cardSize(true);
  EXPECT_LT(card->boundingRect().height(), ui::NodeItem::cardSize(false).height());
  EXPECT_EQ(scene_->nodeAt(card->pos() + QPointF(0, drawn.height() / 2 - 2)), card);
  // Below the drawn card, inside where a full-size card would reach: not the card.
  EXPECT_NE(scene_->nodeAt(card->pos() + QPointF(0, drawn.height() / 2 + 10)), card);
  // Nor just below it, where only the selection outline is painted: the arrow leaving the card
  // is there (a right-click 5 px below a card opened the card's menu).
  EXPECT_NE(scene_->nodeAt(card->pos() + QPointF(0, drawn.height() / 2 + 3)), card);
}

TEST_F(EditTest, DroppingAPaletteEntryOnAnEdgeInsertsTheLayerThere) {
  ASSERT_TRUE(dropOnEdge("BatchNormalization", "block1_conv2", "block1_pool"));

  const Node* inserted = graph().find("batch_normalization");
  ASSERT_NE(inserted, nullptr);
  EXPECT_EQ(inserted->inputs, std::vector<std::string>{"block1_conv2"});
  EXPECT_EQ(graph().at("block1_pool").inputs, std::vector<std::string>{"batch_normalization"});
  ASSERT_NE(scene_->nodeItem("batch_normalization"), nullptr);  // the scene followed
  EXPECT_EQ(scene_->nodeItems().size(), 20);
  EXPECT_EQ(scene_->selectedLayers(), QStringList{"batch_normalization"});
  EXPECT_EQ(window_->properties()->layers(), QStringList{"batch_normalization"});
  EXPECT_EQ(window_->document()->recipe()["operations"].back()["op"], "insert");
  test::screenshot(window_.get(), "edit_inserted_bn");

  QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(graph().find("batch_normalization"), nullptr);
  EXPECT_EQ(scene_->nodeItem("batch_normalization"), nullptr);
  EXPECT_EQ(scene_->nodeItems().size(), 19);
  QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_NE(scene_->nodeItem("batch_normalization"), nullptr);
}

// A layer Keras gives no default size (Resizing) is added from the palette at 224 x 224, a size
// the user then changes, rather than refused for its missing height.
TEST_F(EditTest, AResizingFromThePaletteStartsAt224) {
  ASSERT_TRUE(
      dropOnEdge("Resizing", QString::fromStdString(graph().inputs().front()), "block1_conv1"));
  const Node* inserted = graph().find("resizing");
  ASSERT_NE(inserted, nullptr);
  EXPECT_EQ(inserted->config.at("height"), 224);
  EXPECT_EQ(inserted->config.at("width"), 224);
  EXPECT_EQ(graph().at("block1_conv1").inputs, std::vector<std::string>{"resizing"});
}

TEST_F(EditTest, DraggingTheOutputMarkerOntoALayerCutsThere) {
  ui::OutputMarkerItem* marker = scene_->outputMarker("block5_pool");
  ASSERT_NE(marker, nullptr);
  const QPointF target = scene_->nodeItem("block3_pool")->pos();
  // Zoom out so both ends of the drag are on screen, as a user would.
  view_->setZoom(0.3);
  view_->centerOn((marker->scenePos() + target) / 2);
  test::dragScene(view_, marker->scenePos(), target);

  EXPECT_EQ(graph().outputs(), std::vector<std::string>{"block3_pool"});
  EXPECT_EQ(graph().find("block4_conv1"), nullptr);
  EXPECT_EQ(scene_->nodeItems().size(), 11);
  ASSERT_NE(scene_->outputMarker("block3_pool"), nullptr);
  EXPECT_EQ(window_->document()->recipe()["operations"].back(),
            Json({{"op", "cut"}, {"at", "block3_pool"}}));
  QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(graph().outputs(), std::vector<std::string>{"block5_pool"});
  EXPECT_EQ(scene_->nodeItems().size(), 19);
}

TEST_F(EditTest, DraggingTheFreezeBoundaryFreezesEverythingAboveIt) {
  ui::FreezeBoundaryItem* boundary = scene_->freezeBoundary();
  ASSERT_NE(boundary, nullptr);
  const QPointF handle = boundary->mapToScene(boundary->handleRect().center());
  const double between =
      (scene_->nodeItem("block2_pool")->pos().y() + scene_->nodeItem("block3_conv1")->pos().y()) /
      2;
  view_->setZoom(0.4);
  view_->centerOn(handle.x(), between / 2);
  test::dragScene(view_, handle, QPointF(handle.x(), between));

  for (const char* frozen : {"block1_conv1", "block1_conv2", "block2_conv1", "block2_pool"})
    EXPECT_FALSE(graph().at(frozen).trainable) << frozen;
  for (const char* trainable : {"block3_conv1", "block4_conv1", "block5_conv3"})
    EXPECT_TRUE(graph().at(trainable).trainable) << trainable;
  EXPECT_FALSE(scene_->nodeItem("block2_conv2")->view().trainable);
  // One sentence for the one move (the freeze and unfreeze underneath led with "Nothing to
  // freeze").
  EXPECT_TRUE(window_->statusBar()->currentMessage().startsWith(
      "Freeze boundary moved: froze 7 layer(s); 7 layer(s) above it are frozen."))
      << window_->statusBar()->currentMessage().toStdString();
  // Keras users' layers[:k]: recorded as "freeze upto".
  const Json ops = window_->document()->recipe()["operations"];
  ASSERT_FALSE(ops.empty());
  EXPECT_EQ(ops[0], Json({{"op", "freeze"}, {"upto", "block2_pool"}}));
  // The boundary now sits below block2_pool.
  EXPECT_GT(boundary->pos().y(), scene_->nodeItem("block2_pool")->pos().y());
  EXPECT_LT(boundary->pos().y(), scene_->nodeItem("block3_conv1")->pos().y());
  // A layer frozen on its own further down is hatched; the bar stays where the frozen layers the
  // model starts with end (it moved below the whole graph, saying everything was frozen).
  const QPointF before = boundary->pos();
  ASSERT_TRUE(window_->editor()->setTrainable({QStringLiteral("block5_conv3")}, false));
  EXPECT_EQ(scene_->freezeBoundary()->pos(), before);
  EXPECT_FALSE(scene_->nodeItem("block5_conv3")->view().trainable);
  // Its label counts it apart: 7 above the bar, 1 more below (it read 7 with 8 frozen).
  EXPECT_EQ(scene_->freezeBoundary()->frozenCount(), 7);
  EXPECT_EQ(scene_->freezeBoundary()->frozenElsewhere(), 1);
  view_->setZoom(1.0);
  view_->centerOn(scene_->freezeBoundary());
  test::screenshot(window_->workbench(), "edit_freeze_bar_frozen_elsewhere");
  // Far out, where cards are blocks, the selection outline stays inside the card.
  scene_->selectLayers({QStringLiteral("block5_conv3")});
  view_->setZoom(0.2);
  view_->centerOn(scene_->nodeItem("block5_conv3"));
  test::screenshot(window_->workbench(), "edit_selection_far_out");
  QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier);
  boundary = scene_->freezeBoundary();
  view_->fitAll();
  test::screenshot(window_->workbench(), "edit_freeze_boundary");

  // One undo step brings everything back.
  QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier);
  for (const Node& node : graph().nodes()) EXPECT_TRUE(node.trainable) << node.name;
}

// The bar dropped between the input and the first layer with weights freezes nothing a run
// trains: no edit, no undo step (it "froze 1 layer", the InputLayer).
TEST_F(EditTest, TheFreezeBarBelowTheInputAloneIsNoEdit) {
  const QPointF input = scene_->nodeItem("input_1")->pos();
  const QPointF conv = scene_->nodeItem("block1_conv1")->pos();
  const int steps = window_->document()->undoStack()->count();
  EXPECT_FALSE(
      window_->editor()->moveFreezeBoundary(QPointF(input.x(), (input.y() + conv.y()) / 2)));
  EXPECT_EQ(window_->document()->undoStack()->count(), steps);
  EXPECT_TRUE(graph().at("input_1").trainable);
}

// A keyboard user adds a layer from the palette: Return in the filter box adds the first match,
// Down walks into the matches and Return there adds the one under the cursor.
TEST_F(EditTest, TheKeyboardAddsALayerFromThePalette) {
  ui::LayerPalette* palette = window_->layerPalette();
  const auto addedAfter = [&](const char* layer) {
    const auto readers = graph().consumers(layer);
    return readers.size() == 1 ? graph().at(readers[0]).className : std::string();
  };
  scene_->selectLayers({QStringLiteral("block1_conv1")});
  palette->filterBox()->setFocus();
  QTest::keyClicks(palette->filterBox(), QStringLiteral("SpatialDropout2D"));
  QTest::keyClick(palette->filterBox(), Qt::Key_Return);
  EXPECT_EQ(addedAfter("block1_conv1"), "SpatialDropout2D");

  scene_->selectLayers({QStringLiteral("block1_pool")});
  palette->filterBox()->clear();
  QTest::keyClicks(palette->filterBox(), QStringLiteral("relu"));
  QTest::keyClick(palette->filterBox(), Qt::Key_Down);
  QTreeWidgetItem* current = palette->tree()->currentItem();
  ASSERT_NE(current, nullptr);
  EXPECT_TRUE(palette->tree()->hasFocus());
  QTest::keyClick(palette->tree(), Qt::Key_Return);
  EXPECT_EQ(addedAfter("block1_pool"), current->text(0).toStdString());
}

// All the texts of a menu and its submenus.
QStringList menuTexts(const QMenu& menu) {
  QStringList texts;
  for (QAction* action : menu.actions()) {
    texts << test::shownText(action->text());
    if (action->menu()) texts << menuTexts(*action->menu());
  }
  return texts;
}

// The context menu offers what can work on the layer: no merge to replace a one-input chain
// (refused when chosen), no fusion on a layer nothing folds into.
TEST_F(EditTest, TheContextMenuOffersOnlyWhatCanWork) {
  QMenu convolution;
  window_->editor()->populateContextMenu(&convolution, QStringLiteral("block1_conv1"));
  const QStringList offered = menuTexts(convolution);
  EXPECT_TRUE(offered.contains("DepthwiseConv2D")) << offered.join(", ").toStdString();
  for (const char* merge : {"Add", "Concatenate", "Multiply"})
    EXPECT_FALSE(offered.contains(merge)) << merge;
  bool greyed = false;
  for (QAction* action : convolution.actions())
    if (test::shownText(action->text()) == "Fuse with next BatchNormalization")
      greyed = !action->isEnabled();
  EXPECT_TRUE(greyed) << "offered, greyed: no BatchNormalization follows";
  QMenu pooling;
  window_->editor()->populateContextMenu(&pooling, QStringLiteral("block1_pool"));
  for (const QString& text : menuTexts(pooling))
    EXPECT_FALSE(text.startsWith("Fuse")) << text.toStdString();
}

QAction* findAction(const QMenu& menu, const QString& text) {
  for (QAction* action : menu.actions()) {
    if (test::shownText(action->text()) == text && !action->menu()) return action;
    if (action->menu())
      if (QAction* inner = findAction(*action->menu(), text)) return inner;
  }
  return nullptr;
}

// The texts of the menu a right-click at `at` opens (closed again at once); empty when none.
QStringList menuOpenedBy(QGraphicsView* view, const QPointF& at, const QString& screenshot = {}) {
  QStringList shown;
  QTimer poll;
  int tries = 0;
  QObject::connect(&poll, &QTimer::timeout, [&] {
    if (auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget())) {
      shown = menuTexts(*menu);
      if (!screenshot.isEmpty()) test::screenshot(menu, screenshot);
      menu->close();
    }
    if (++tries > 50) poll.stop();  // no menu came: nothing to close
  });
  poll.start(10);
  test::rightClickScene(view, at);
  poll.stop();
  return shown;
}

// Right-clicking an arrow offers to insert a layer on it, the canvas to add one at the output
// (only layers and nested models had a menu).
TEST_F(EditTest, ArrowsAndTheCanvasHaveMenusThatAddLayers) {
  ui::EdgeItem* arrow = edge("block1_conv2", "block1_pool");
  ASSERT_NE(arrow, nullptr);
  const QPointF at = arrow->path().pointAtPercent(0.5);
  view_->centerOn(at);
  const QStringList onArrow = menuOpenedBy(view_, at, "edit_arrow_menu");
  EXPECT_TRUE(onArrow.contains("Insert layer here")) << onArrow.join(", ").toStdString();
  EXPECT_TRUE(onArrow.contains("BatchNormalization"));
  EXPECT_FALSE(onArrow.contains("Add"));  // a merge needs a second input
  const QRectF graphArea = scene_->itemsBoundingRect();
  const QPointF empty(graphArea.right() + 300, graphArea.top());
  view_->centerOn(empty);
  const QStringList onCanvas = menuOpenedBy(view_, empty, "edit_canvas_menu");
  EXPECT_TRUE(onCanvas.contains("Add layer at the output (block5_pool)"))
      << onCanvas.join(", ").toStdString();
  EXPECT_TRUE(onCanvas.contains("Fit the model in the window"));

  QMenu arrowMenu;
  window_->editor()->populateEdgeMenu(&arrowMenu, "block1_conv2", "block1_pool");
  QAction* insert = findAction(arrowMenu, "BatchNormalization");
  ASSERT_NE(insert, nullptr);
  insert->trigger();
  EXPECT_EQ(graph().at("block1_pool").inputs, std::vector<std::string>{"batch_normalization"});
  QMenu canvasMenu;
  window_->editor()->populateSpaceMenu(&canvasMenu);
  QAction* add = findAction(canvasMenu, "Dropout");
  ASSERT_NE(add, nullptr);
  add->trigger();
  EXPECT_EQ(graph().outputs(), std::vector<std::string>{"dropout"});
  EXPECT_EQ(graph().at("dropout").inputs, std::vector<std::string>{"block5_pool"});
}

// A Conv2D or Dense put between two layers keeps the channels it reads, so the layers after it
// keep their trained weights (with Keras's 32 every such insert asked to draw them anew).
TEST_F(EditTest, AConvolutionInsertedOnAnArrowKeepsTheChannelsItReads) {
  const auto undoneBefore = window_->document()->undoStack()->count();
  ASSERT_TRUE(window_->editor()->insertOnEdge("Conv2D", "block3_conv1", "block3_conv2"));
  EXPECT_EQ(window_->document()->undoStack()->count(), undoneBefore + 1);
  EXPECT_EQ(graph().at("conv2d").config.at("filters"), 256);
  EXPECT_EQ(graph().at("block3_conv2").inputs, std::vector<std::string>{"conv2d"});
  ASSERT_TRUE(window_->editor()->addAfter("Dense", "block5_conv3"));
  EXPECT_EQ(graph().at("dense").config.at("units"), 512);
}

TEST_F(EditTest, DeleteKeyRemovesTheSelectedLayerAndReconnects) {
  view_->revealLayer("block1_conv2");
  view_->setFocus();
  QTest::keyClick(view_, Qt::Key_Delete);
  EXPECT_EQ(graph().find("block1_conv2"), nullptr);
  EXPECT_EQ(graph().at("block1_pool").inputs, std::vector<std::string>{"block1_conv1"});
  EXPECT_EQ(scene_->nodeItems().size(), 18);
  EXPECT_NE(edge("block1_conv1", "block1_pool"), nullptr);
  // The selection moves to the layer that took its place: Delete and the arrow keys go on.
  EXPECT_EQ(scene_->selectedLayers(), QStringList{"block1_pool"});
  QTest::keyClick(view_, Qt::Key_Up);
  EXPECT_EQ(scene_->selectedLayers(), QStringList{"block1_conv1"});
}

TEST_F(EditTest, EditingAConfigFieldIsASetConfigStep) {
  view_->revealLayer("block5_pool");
  auto* pool = qobject_cast<QLineEdit*>(window_->properties()->fieldEditor("pool_size"));
  ASSERT_NE(pool, nullptr);
  pool->setFocus();
  pool->selectAll();
  QTest::keyClicks(pool, "5, 5");
  QTest::keyClick(pool, Qt::Key_Return);
  EXPECT_EQ(graph().at("block5_pool").config["pool_size"], Json({5, 5}));
  // VGG's pools keep Keras's explicit strides (2, 2): (10 - 5) / 2 + 1 = 3.
  EXPECT_EQ(scene_->nodeItem("block5_pool")->view().shape, "(None, 3, 3, 512)");
  EXPECT_EQ(window_->document()->recipe()["operations"].back()["op"], "set_config");
}

// Undo from the menu or the toolbar while a Properties field holds typed, uncommitted text
// takes that text back first (it was committed onto the undone model when the field lost the
// focus); the next Undo undoes the last applied edit.
TEST_F(EditTest, UndoTakesBackUnfinishedTypingFirst) {
  view_->revealLayer("block5_pool");
  auto* pool = qobject_cast<QLineEdit*>(window_->properties()->fieldEditor("pool_size"));
  ASSERT_NE(pool, nullptr);
  pool->setFocus();
  pool->selectAll();
  QTest::keyClicks(pool, "5, 5");
  QTest::keyClick(pool, Qt::Key_Return);  // applied: one step
  ASSERT_EQ(graph().at("block5_pool").config["pool_size"], Json({5, 5}));
  QTest::keyClicks(pool, "3");  // typed, not applied
  QAction* undo = nullptr;
  for (QAction* action : window_->findChildren<QAction*>())
    if (action->shortcut() == QKeySequence(QKeySequence::Undo)) undo = action;
  ASSERT_NE(undo, nullptr);
  const int steps = window_->document()->undoStack()->index();
  undo->trigger();
  EXPECT_EQ(window_->document()->undoStack()->index(), steps) << "the model's edit stays";
  EXPECT_EQ(pool->text(), "5, 5");
  EXPECT_NE(window_->statusBar()->currentMessage().indexOf("pool_size"), -1);
  window_->properties()->nameEdit()->setFocus();  // leaving the field commits nothing
  EXPECT_EQ(window_->document()->undoStack()->index(), steps);
  undo->trigger();
  EXPECT_EQ(graph().at("block5_pool").config["pool_size"], Json({2, 2}));
}

// Properties shows each field as its value is: ZeroPadding2D's padding ([[0, 1], [0, 1]]) was
// a valid / same / linear choice that could never hold it; and a comma typed in a number field
// is the decimal point (it was dropped: "0,01" set epsilon to 1).
TEST(EditFields, PaddingPairsAreTextAndACommaIsTheDecimalPoint) {
  test::guiApp();
  ui::MainWindow window;
  window.resize(1400, 900);
  window.show();
  ModelSpec spec;
  spec.source = "mobilenet";
  spec.alpha = 0.25;
  spec.includeTop = false;
  spec.inputSize = 64;
  ASSERT_TRUE(window.openModel(spec));
  ui::GraphView* view = window.workbench()->view();

  view->revealLayer("conv1_pad");
  auto* padding = qobject_cast<QLineEdit*>(window.properties()->fieldEditor("padding"));
  ASSERT_NE(padding, nullptr) << "a choice box, not text";
  EXPECT_EQ(Json::parse(padding->text().toStdString()), Json::parse("[[0, 1], [0, 1]]"));
  padding->setFocus();
  padding->selectAll();
  QTest::keyClicks(padding, "[[1, 1], [1, 1]]");
  QTest::keyClick(padding, Qt::Key_Return);
  EXPECT_EQ(window.document()->graph().at("conv1_pad").config["padding"],
            Json::parse("[[1, 1], [1, 1]]"));

  // An input has nothing to train: no Trainable box.
  view->revealLayer(QString::fromStdString(window.document()->graph().inputs().front()));
  EXPECT_FALSE(window.properties()->trainableBox()->isVisibleTo(window.properties()));
  view->revealLayer("conv1");
  EXPECT_TRUE(window.properties()->trainableBox()->isVisibleTo(window.properties()));

  view->revealLayer("conv1_bn");
  auto* epsilon = qobject_cast<QLineEdit*>(window.properties()->fieldEditor("epsilon"));
  ASSERT_NE(epsilon, nullptr);
  epsilon->setFocus();
  epsilon->selectAll();
  QTest::keyClicks(epsilon, "0,01");
  EXPECT_EQ(epsilon->text(), QStringLiteral("0.01"));
  QTest::keyClick(epsilon, Qt::Key_Return);
  EXPECT_DOUBLE_EQ(window.document()->graph().at("conv1_bn").config["epsilon"].get<double>(), 0.01);
}

// "Replace with" a convolution of another kind keeps the filters, kernel and padding of the one
// it replaces: with Keras's defaults (32 filters, 3x3, valid) every replacement was refused.
TEST_F(EditTest, ReplaceWithTakesOverTheReplacedLayersSettings) {
  ASSERT_TRUE(window_->editor()->replaceLayers({QStringLiteral("block1_conv2")},
                                               QStringLiteral("SeparableConv2D")));
  const Node* replaced = graph().find("separable_conv2d");
  ASSERT_NE(replaced, nullptr);
  EXPECT_EQ(replaced->config["filters"], 64);
  EXPECT_EQ(replaced->config["padding"], "same");
  EXPECT_EQ(graph().at("block1_pool").inputs, std::vector<std::string>{"separable_conv2d"});
}

TEST_F(EditTest, ARefusedEditShowsTheCoreMessageAndChangesNothing) {
  test::CapturedErrors errors;
  view_->revealLayer("block5_pool");
  auto* kernel = qobject_cast<QLineEdit*>(window_->properties()->fieldEditor("pool_size"));
  ASSERT_NE(kernel, nullptr);
  const Model before = window_->document()->model();
  kernel->setFocus();
  kernel->selectAll();
  // block5_pool sees 10x10: a 20x20 window with valid padding has no output.
  QTest::keyClicks(kernel, "20, 20");
  QTest::keyClick(kernel, Qt::Key_Return);
  ASSERT_EQ(errors.messages().size(), 1)
      << graph().at("block5_pool").config.dump() << " undo steps "
      << window_->document()->undoStack()->count();
  EXPECT_NE(errors.messages().front().indexOf("block5_pool"), -1)
      << errors.messages().front().toStdString();
  EXPECT_EQ(graph(), before.graph);
  EXPECT_EQ(window_->document()->undoStack()->count(), 0);
  EXPECT_EQ(kernel->text(), "2, 2");  // the editor shows the document's value again
}

}  // namespace
}  // namespace graft
