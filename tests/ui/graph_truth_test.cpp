// The graph view never shows a stale fact (issue #21): after every kind of document change —
// a config edit in the Properties panel, freezing, renaming, undo, redo, a training commit —
// every card's text, every edge's shape label and every freeze marking equals what the core
// says about the model (the summary graft-cli prints), and what is drawn changed with it.
#include <gtest/gtest.h>

#include <QCheckBox>
#include <QImage>
#include <QLineEdit>
#include <QPainter>
#include <QSpinBox>
#include <QStyleOptionGraphicsItem>
#include <QTest>
#include <QUndoStack>

#include "graph/analysis.h"
#include "graph/summary.h"
#include "ui/doc/document.h"
#include "ui/edge_item.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/properties_panel.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

QString shapeText(const Json& shape) {
  if (!shape.is_array()) return {};
  QStringList dims;
  for (const Json& d : shape)
    dims << (d.is_null() ? QStringLiteral("None") : QString::number(d.get<int64_t>()));
  return QStringLiteral("(%1)").arg(dims.join(", "));
}

// Every card and edge against the core's summary of the document's model.
void expectSceneMatchesModel(const ui::GraphScene& scene, const Model& model, const char* after) {
  SCOPED_TRACE(after);
  const Json summary = summaryJson(model.graph, analyze(model.graph));
  ASSERT_EQ(scene.nodeItems().size(), static_cast<int>(summary["layers"].size()));
  std::map<QString, QString> shapes;
  for (const Json& layer : summary["layers"]) {
    const QString name = QString::fromStdString(layer["name"].get<std::string>());
    const ui::NodeItem* item = scene.nodeItem(name);
    ASSERT_NE(item, nullptr) << name.toStdString();
    const QStringList lines = item->lines();
    ASSERT_EQ(lines.size(), 3);
    EXPECT_EQ(lines[0], name);
    QString type = QString::fromStdString(layer["type"].get<std::string>());
    const int64_t params = layer["params"].get<int64_t>();
    if (params > 0) type += QStringLiteral("  ·  ") + ui::compactCount(params) + " params";
    EXPECT_EQ(lines[1], type) << name.toStdString();
    EXPECT_EQ(lines[2], shapeText(layer["output_shape"])) << name.toStdString();
    EXPECT_EQ(item->view().trainable, layer["trainable"].get<bool>()) << name.toStdString();
    // The tooltip holds the whole text whatever the card had to elide.
    EXPECT_NE(item->toolTip().indexOf(name.toHtmlEscaped()), -1) << name.toStdString();
    shapes[name] = lines[2];
  }
  for (const ui::EdgeItem* edge : scene.edgeItems()) {
    EXPECT_EQ(edge->label(), shapes[edge->from()]) << edge->from().toStdString();
    EXPECT_NE(edge->toolTip().indexOf(shapes[edge->from()]), -1);
  }
}

// What the view shows of one card, as pixels.
QImage cardPixels(ui::GraphView* view, const QString& name) {
  const ui::NodeItem* item = view->graphScene()->nodeItem(name);
  view->centerOn(item);
  QApplication::processEvents();
  const QRect rect = view->mapFromScene(item->sceneBoundingRect()).boundingRect();
  return view->viewport()->grab(rect).toImage();
}

class GraphTruthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::guiApp();
    window_ = std::make_unique<ui::MainWindow>();
    window_->resize(1440, 900);
    window_->show();
    window_->document()->open(test::smallModel(4), "small model", {});
    window_->showWorkbench();
    view_ = window_->workbench()->view();
    scene_ = view_->graphScene();
    view_->resetZoom();
  }
  ui::Document* document() const { return window_->document(); }

  std::unique_ptr<ui::MainWindow> window_;
  ui::GraphView* view_ = nullptr;
  ui::GraphScene* scene_ = nullptr;
};

TEST_F(GraphTruthTest, EveryKindOfEditUpdatesEveryCardAndEdgeAtOnce) {
  expectSceneMatchesModel(*scene_, document()->model(), "open");

  // A config edit in the Properties panel: units change the Dense card's parameter count and
  // shape (and nothing needs a zoom to show it).
  ASSERT_TRUE(view_->revealLayer("fc"));
  const QImage before = cardPixels(view_, "fc");
  auto* units = qobject_cast<QSpinBox*>(window_->properties()->fieldEditor("units"));
  ASSERT_NE(units, nullptr);
  units->setFocus();
  units->selectAll();
  QTest::keyClicks(units, "7");
  QTest::keyClick(units, Qt::Key_Return);
  ASSERT_EQ(document()->graph().at("fc").config["units"], 7);
  expectSceneMatchesModel(*scene_, document()->model(), "units edit");
  EXPECT_NE(cardPixels(view_, "fc"), before) << "the card still draws the old text";

  // Freezing from the menu path (what the freeze bar and Ctrl+T do).
  window_->editor()->freezeUpTo("conv1_bn");
  EXPECT_FALSE(document()->graph().at("conv1").trainable);
  expectSceneMatchesModel(*scene_, document()->model(), "freeze");

  // Rename in the Properties panel.
  ASSERT_TRUE(view_->revealLayer("pool1"));
  QLineEdit* name = window_->properties()->nameEdit();
  name->setFocus();
  name->selectAll();
  QTest::keyClicks(name, "features");
  QTest::keyClick(name, Qt::Key_Return);
  ASSERT_NE(document()->graph().find("features"), nullptr);
  expectSceneMatchesModel(*scene_, document()->model(), "rename");
  EXPECT_EQ(scene_->selectedLayers(), QStringList{"features"});

  // Undo all three, then redo them.
  for (int i = 0; i < 3; ++i) {
    document()->undoStack()->undo();
    expectSceneMatchesModel(*scene_, document()->model(), "undo");
  }
  EXPECT_EQ(document()->graph().at("fc").config["units"], 4);
  for (int i = 0; i < 3; ++i) {
    document()->undoStack()->redo();
    expectSceneMatchesModel(*scene_, document()->model(), "redo");
  }

  // A training run commits a model computed elsewhere (here with the head unfrozen and the
  // convolution frozen differently, as a staged plan leaves it).
  Model trained = document()->model();
  std::vector<Node> nodes = trained.graph.nodes();
  for (Node& node : nodes) node.trainable = node.name != "conv1";
  trained.graph =
      Graph(trained.graph.name(), nodes, trained.graph.outputs(), trained.graph.groups());
  document()->commitModel(trained, "training");
  expectSceneMatchesModel(*scene_, document()->model(), "training commit");
  EXPECT_TRUE(scene_->nodeItem("conv1_bn")->view().trainable);
}

TEST_F(GraphTruthTest, CompactCardsPutTheShapesOnTheEdges) {
  scene_->setArrangement(ui::GraphScene::Arrangement::TopToBottom, /*compact=*/true);
  ASSERT_FALSE(scene_->edgeItems().isEmpty());
  for (const ui::EdgeItem* edge : scene_->edgeItems()) {
    EXPECT_TRUE(edge->isLabelVisible());
    EXPECT_EQ(edge->label(), scene_->nodeItem(edge->from())->view().shape);
  }
  EXPECT_EQ(scene_->nodeItem("fc")->lines().size(), 2);  // name and type; the shape is on edges
  // An edit changes the labels on the edges too.
  // (The BatchNormalization after it gets fresh weights for 5 channels.)
  ASSERT_TRUE(document()
                  ->apply1({{"op", "set_config"},
                            {"layer", "conv1"},
                            {"config", {{"filters", 5}}},
                            {"reinitialize", true}},
                           "filters")
                  .empty());
  for (const ui::EdgeItem* edge : scene_->edgeItems()) {
    if (edge->from() == "conv1") {
      EXPECT_EQ(edge->label(), "(None, 30, 30, 5)");
    }
  }
  view_->fitAll();
  test::screenshot(window_.get(), "graph_compact");
}

// Renders one card alone, as the view would at 100 %.
QImage render(ui::NodeItem* item) {
  QImage image(item->boundingRect().size().toSize(), QImage::Format_ARGB32);
  image.fill(Qt::white);
  QPainter painter(&image);
  painter.translate(-item->boundingRect().topLeft());
  QStyleOptionGraphicsItem option;
  item->paint(&painter, &option, nullptr);
  return image;
}

int pixelsNear(const QImage& image, const QColor& color, const QRect& area) {
  int count = 0;
  for (int y = area.top(); y <= area.bottom(); ++y)
    for (int x = area.left(); x <= area.right(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (std::abs(c.red() - color.red()) + std::abs(c.green() - color.green()) +
              std::abs(c.blue() - color.blue()) <
          60)
        ++count;
    }
  return count;
}

// Pixels clearly more blue than red: the ice hatching and padlock on an orange card.
int bluePixels(const QImage& image) {
  int count = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (c.blue() - c.red() > 40) ++count;
    }
  return count;
}

TEST(GraphMarks, FrozenCardsAreHatchedInIceAndTheSelectionHasAnOutline) {
  test::guiApp();
  ui::NodeView view;
  view.name = "bn";
  view.className = "BatchNormalization";
  view.category = LayerCategory::Normalization;  // orange, far from the ice blue
  view.shape = "(None, 112, 112, 32)";
  view.params = 128;
  view.hasWeights = true;
  ui::NodeItem trainable(view);
  view.trainable = false;
  ui::NodeItem frozen(view);
  EXPECT_EQ(bluePixels(render(&trainable)), 0);
  EXPECT_GT(bluePixels(render(&frozen)), 200) << "frozen is not visibly marked";

  // The outline lies around the card, outside its frame.
  QGraphicsScene scene;
  scene.addItem(&trainable);
  const QImage plain = render(&trainable);
  trainable.setSelected(true);
  const QImage selected = render(&trainable);
  scene.removeItem(&trainable);
  const QColor highlight = QApplication::palette().color(QPalette::Highlight);
  const QRect strip(0, 0, plain.width(), 6);  // above the card's own frame
  EXPECT_EQ(pixelsNear(plain, highlight, strip), 0);
  EXPECT_GT(pixelsNear(selected, highlight, strip), 100) << "no selection outline";
}

TEST(GraphMarks, ALongNameIsElidedOnTheCardAndWholeInTheTooltip) {
  test::guiApp();
  ui::NodeView view;
  view.name = "a_really_long_layer_name_that_no_card_can_hold_in_full_width";
  view.className = "Conv2D";
  ui::NodeItem item(view);
  EXPECT_EQ(item.lines().front(), view.name);
  EXPECT_NE(item.toolTip().indexOf(view.name), -1);
}

}  // namespace
}  // namespace graft
