// Nested Keras models collapse into one card in the graph view (issue #19 item 2): the card
// stands for the group's layers in the layout (the graph gets shorter, Fit and columns follow),
// connections from and to the outside end at it, the state survives edits and undo but not
// opening another model, nested groups collapse independently, and selecting a hidden layer
// from elsewhere shows it again.
#include <gtest/gtest.h>

#include <QMenu>
#include <QTableWidget>
#include <QTest>
#include <QUndoStack>

#include "io/project_file.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/edge_item.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/group_item.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/output_marker_item.h"
#include "ui/properties_panel.h"
#include "ui/summary_table.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

using test::visibleScene;

using Arrangement = ui::GraphScene::Arrangement;

constexpr const char* kTeachable = "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5";
const QString kBase = QStringLiteral("sequential_1/model1");  // the MobileNetV2 inside

bool inside(const Graph& graph, const QString& layer, const QString& group) {
  return groupWithin(graph.at(layer.toStdString()).group, group.toStdString());
}

int layersIn(const Graph& graph, const QString& group) {
  int count = 0;
  for (const Node& node : graph.nodes())
    count += groupWithin(node.group, group.toStdString()) ? 1 : 0;
  return count;
}

// Connections in the graph: all of them, those with one end inside `group`, both ends.
int connections(const Graph& graph) {
  int count = 0;
  for (const Node& node : graph.nodes()) count += static_cast<int>(node.inputs.size());
  return count;
}
int crossing(const Graph& graph, const QString& group) {
  int count = 0;
  for (const Node& node : graph.nodes())
    for (const std::string& input : node.inputs)
      count += inside(graph, QString::fromStdString(input), group) !=
                       inside(graph, QString::fromStdString(node.name), group)
                   ? 1
                   : 0;
  return count;
}
int within(const Graph& graph, const QString& group) {
  int count = 0;
  for (const Node& node : graph.nodes())
    for (const std::string& input : node.inputs)
      count += inside(graph, QString::fromStdString(input), group) &&
                       inside(graph, QString::fromStdString(node.name), group)
                   ? 1
                   : 0;
  return count;
}

// `group` is drawn as one visible card: its layers' cards (and inner boxes) are hidden, every
// other layer shows, no edge runs inside it and the ones crossing its border end at the card.
void expectCollapsed(const ui::GraphScene& scene, const Graph& graph, const QString& group) {
  const ui::GroupItem* card = scene.groupItem(group);
  ASSERT_NE(card, nullptr);
  EXPECT_TRUE(card->isCollapsed());
  EXPECT_TRUE(card->isVisible());
  EXPECT_TRUE(scene.isGroupCollapsed(group));
  for (const Node& node : graph.nodes()) {
    const QString name = QString::fromStdString(node.name);
    ASSERT_NE(scene.nodeItem(name), nullptr) << node.name;
    EXPECT_EQ(scene.nodeItem(name)->isVisible(), !inside(graph, name, group)) << node.name;
  }
  for (const ui::GroupItem* box : scene.groupItems())
    if (box->view().path.startsWith(group + "/")) {
      EXPECT_FALSE(box->isVisible()) << box->view().path.toStdString();
    }
  const QRectF around = card->rect().adjusted(-4, -4, 4, 4);
  int ending = 0;
  for (const ui::EdgeItem* edge : scene.edgeItems()) {
    const bool from = inside(graph, edge->from(), group);
    const bool to = inside(graph, edge->to(), group);
    EXPECT_FALSE(from && to) << edge->from().toStdString() << " -> " << edge->to().toStdString();
    if (to) {
      ++ending;
      EXPECT_TRUE(around.contains(edge->path().pointAtPercent(1))) << edge->to().toStdString();
    }
    if (from) {
      ++ending;
      EXPECT_TRUE(around.contains(edge->path().pointAtPercent(0))) << edge->from().toStdString();
    }
  }
  EXPECT_GT(ending, 0);
  EXPECT_EQ(ending, crossing(graph, group));
  EXPECT_EQ(scene.edgeItems().size(), connections(graph) - within(graph, group));
}

void expectAllShown(const ui::GraphScene& scene, const Graph& graph) {
  for (const ui::NodeItem* item : scene.nodeItems())
    EXPECT_TRUE(item->isVisible()) << item->name().toStdString();
  for (const ui::GroupItem* box : scene.groupItems()) {
    EXPECT_TRUE(box->isVisible()) << box->view().path.toStdString();
    EXPECT_FALSE(box->isCollapsed()) << box->view().path.toStdString();
  }
  EXPECT_EQ(scene.edgeItems().size(), connections(graph));
}

// test::smallModel() with conv1 in a Sequential "outer" and its BatchNormalization and ReLU in a
// Functional "outer/inner" nested in it.
Model nestedSmallModel() {
  Model model = test::smallModel();
  std::vector<Node> nodes = model.graph.nodes();
  for (Node& node : nodes) {
    if (node.name == "conv1" || node.name == "pool1") node.group = "outer";
    if (node.name == "conv1_bn" || node.name == "conv1_relu") node.group = "outer/inner";
  }
  model.graph = Graph(model.graph.name(), nodes, model.graph.outputs(),
                      {{"outer", "Sequential"}, {"outer/inner", "Functional"}});
  return model;
}

class TeachableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = test::fixture(kTeachable);
    if (path_.empty()) GTEST_SKIP() << "fixture " << kTeachable << " not found";
    test::guiApp();
    window_ = std::make_unique<ui::MainWindow>();
    window_->resize(1440, 900);
    window_->show();
    ModelSpec spec;
    spec.source = path_;
    ASSERT_TRUE(window_->openModel(spec));
    view_ = window_->workbench()->view();
    scene_ = view_->graphScene();
    QApplication::processEvents();
  }
  const Graph& graph() const { return window_->document()->graph(); }
  std::string path_;
  std::unique_ptr<ui::MainWindow> window_;
  ui::GraphView* view_ = nullptr;
  ui::GraphScene* scene_ = nullptr;
};

TEST_F(TeachableTest, TheButtonCollapsesTheBaseIntoOneCardAndBack) {
  view_->fitAll();
  const QRectF expanded = scene_->layout().bounds;
  const double expandedZoom = view_->zoom();
  expectAllShown(*scene_, graph());
  test::screenshot(window_.get(), "nested_expanded");

  // The ▸/▾ button in the MobileNetV2's title, clicked at 100 %.
  view_->resetZoom();
  ASSERT_NE(scene_->groupItem(kBase), nullptr);
  view_->centerOn(scene_->groupItem(kBase)->toggleRect().center());
  test::clickScene(view_, scene_->groupItem(kBase)->toggleRect().center());
  expectCollapsed(*scene_, graph(), kBase);
  const ui::GroupItem* card = scene_->groupItem(kBase);
  // Keras's model.summary() gives the MobileNetV2 α 0.35 without top 410,208 parameters.
  EXPECT_EQ(card->title(), QStringLiteral("model1 (Functional) \u00b7 410,208 params"));
  const QStringList lines = card->lines();
  ASSERT_EQ(lines.size(), 3);
  EXPECT_EQ(lines[0], QStringLiteral("model1"));
  EXPECT_EQ(lines[1], QStringLiteral("Functional  \u00b7  410,208 params"));
  EXPECT_TRUE(lines[2].startsWith(QStringLiteral("%1 layers").arg(layersIn(graph(), kBase))))
      << lines[2].toStdString();
  EXPECT_FALSE(lines[2].contains(QStringLiteral("frozen")));
  // Its card is one node of the layout: a much smaller graph, which Fit shows larger, whole.
  const QRectF collapsed = scene_->layout().bounds;
  EXPECT_LT(collapsed.width() * collapsed.height(), expanded.width() * expanded.height() / 4);
  view_->fitAll();
  EXPECT_GT(view_->zoom(), expandedZoom);
  const QRectF visible = visibleScene(view_);
  EXPECT_TRUE(visible.contains(card->rect()));
  for (const ui::NodeItem* item : scene_->nodeItems())
    if (item->isVisible()) {
      EXPECT_TRUE(visible.contains(item->sceneBoundingRect())) << item->name().toStdString();
    }
  test::screenshot(window_.get(), "nested_collapsed");

  // Clicking the card selects nothing, and the properties panel shows nothing.
  scene_->selectLayers({QStringLiteral("dense_Dense1")});
  test::clickScene(view_, card->rect().center());
  EXPECT_TRUE(scene_->selectedLayers().isEmpty());
  EXPECT_TRUE(window_->properties()->layers().isEmpty());

  // A double click on the card shows the layers again, laid out as before.
  QTest::mouseDClick(view_->viewport(), Qt::LeftButton, Qt::NoModifier,
                     view_->mapFromScene(scene_->groupItem(kBase)->rect().center()));
  EXPECT_FALSE(scene_->isGroupCollapsed(kBase));
  expectAllShown(*scene_, graph());
  EXPECT_NEAR(scene_->layout().bounds.height(), expanded.height(), 1);
  EXPECT_NEAR(scene_->layout().bounds.width(), expanded.width(), 1);
}

TEST_F(TeachableTest, ACollapsedGroupStaysCollapsedThroughEditsUndoAndTraining) {
  scene_->setGroupCollapsed(kBase, true);
  expectCollapsed(*scene_, graph(), kBase);
  const int layouts = scene_->layoutCount();
  // A rename outside the group changes the wiring: the graph is laid out again, still collapsed.
  ASSERT_TRUE(
      window_->document()
          ->apply1(Json{{"op", "rename"}, {"layer", "dense_Dense1"}, {"to", "hidden"}}, "rename")
          .empty());
  EXPECT_GT(scene_->layoutCount(), layouts);
  ASSERT_NE(scene_->nodeItem("hidden"), nullptr);
  expectCollapsed(*scene_, graph(), kBase);
  // Freezing the whole base shows on the card.
  ASSERT_TRUE(
      window_->document()->apply1(Json{{"op", "freeze"}, {"upto", "out_relu"}}, "freeze").empty());
  EXPECT_TRUE(scene_->groupItem(kBase)->view().frozen);
  EXPECT_TRUE(scene_->groupItem(kBase)->lines()[2].contains(QStringLiteral("frozen")));
  window_->document()->undoStack()->undo();
  EXPECT_FALSE(scene_->groupItem(kBase)->view().frozen);
  window_->document()->undoStack()->undo();
  ASSERT_NE(scene_->nodeItem("dense_Dense1"), nullptr);
  expectCollapsed(*scene_, graph(), kBase);
  // A training run's result comes back as one undoable model.
  window_->document()->commitModel(window_->document()->model(), "train");
  expectCollapsed(*scene_, graph(), kBase);
  // Surgery across the border still works: a layer inserted between the base and the head.
  ASSERT_TRUE(
      window_->document()
          ->apply1(
              Json{
                  {"op", "insert"},
                  {"between", {"global_average_pooling2d_GlobalAveragePooling2D1", "dense_Dense1"}},
                  {"layer",
                   {{"class_name", "Dropout"}, {"config", {{"name", "drop"}, {"rate", 0.2}}}}}},
              "insert")
          .empty());
  expectCollapsed(*scene_, graph(), kBase);
  EXPECT_TRUE(scene_->nodeItem("drop")->isVisible());

  // Opening a model (even this one again) starts with every group expanded (saved first, so no
  // question about unsaved edits blocks the test).
  window_->document()->markSaved();
  ModelSpec spec;
  spec.source = path_;
  ASSERT_TRUE(window_->openModel(spec));
  EXPECT_FALSE(scene_->isGroupCollapsed(kBase));
  expectAllShown(*scene_, graph());
}

// A project keeps the nested models shown collapsed: reopened, the base is one card again (it
// came back expanded).
TEST_F(TeachableTest, AProjectReopensWithItsNestedModelsCollapsed) {
  scene_->setGroupCollapsed(kBase, true);
  test::TempDir dir;
  const QString project = QString::fromStdString(dir.file("tm.graft"));
  ASSERT_TRUE(window_->saveProjectAs(project, true));
  EXPECT_EQ(loadProject(project.toStdString()).collapsedGroups,
            std::vector<std::string>{kBase.toStdString()});
  ModelSpec spec;
  spec.source = project.toStdString();
  ASSERT_TRUE(window_->openModel(spec));
  expectCollapsed(*scene_, graph(), kBase);
}

// A collapsed nested model's card stands for its layers: a layer dropped on it goes after the
// nested model (it was added at the model's output, silently somewhere else), and the output
// marker dropped on it cuts there (it did nothing). Empty space still builds on the output.
TEST_F(TeachableTest, TheCollapsedCardTakesDropsForTheNestedModelsOutput) {
  scene_->setGroupCollapsed(kBase, true);
  const ui::GroupItem* card = scene_->groupItem(kBase);
  ASSERT_NE(card, nullptr);
  const QString baseOutput = scene_->layerAt(card->rect().center());
  EXPECT_EQ(baseOutput, QStringLiteral("out_relu"));
  const std::vector<std::string> outputs = graph().outputs();

  view_->centerOn(card->rect().center());
  ASSERT_TRUE(test::dropOnScene(view_, card->rect().center(), ui::kLayerMimeType, "Dropout"));
  const Node* dropout = graph().find("dropout");
  ASSERT_NE(dropout, nullptr);
  EXPECT_EQ(dropout->inputs, std::vector<std::string>{"out_relu"});
  EXPECT_EQ(graph().outputs(), outputs);  // the head still ends the model
  window_->document()->undoStack()->undo();
  ASSERT_EQ(graph().find("dropout"), nullptr);

  ui::OutputMarkerItem* marker = scene_->outputMarker(QString::fromStdString(outputs.front()));
  ASSERT_NE(marker, nullptr);
  Q_EMIT marker->dropped(QString::fromStdString(outputs.front()),
                         scene_->groupItem(kBase)->rect().center());
  EXPECT_EQ(graph().outputs(), std::vector<std::string>{"out_relu"});
}

// A nested model's own menu (its title or card): freeze all of it (Keras's
// `base.trainable = False`, the usual first step of transfer learning), cut after it, expand.
// From the keyboard: Edit › Selected Layer › Nested Model collapses the selected layer's
// nested model (it could only be done with the mouse).
TEST_F(TeachableTest, TheEditMenuCollapsesTheSelectedLayersNestedModel) {
  QString inside;
  for (const Node& node : graph().nodes())
    if (QString::fromStdString(node.group) == kBase) {
      inside = QString::fromStdString(node.name);
      break;
    }
  ASSERT_FALSE(inside.isEmpty());
  scene_->selectLayers({inside});
  auto* layerMenu = window_->findChild<QMenu*>(QStringLiteral("selected_layer_menu"));
  ASSERT_NE(layerMenu, nullptr);
  ASSERT_TRUE(layerMenu->menuAction()->isEnabled());
  Q_EMIT layerMenu->aboutToShow();
  QMenu* nested = nullptr;
  for (QAction* action : layerMenu->actions())
    if (action->menu() && test::shownText(action->text()).startsWith("Nested Model"))
      nested = action->menu();
  ASSERT_NE(nested, nullptr);
  QAction* collapse = nullptr;
  for (QAction* action : nested->actions())
    if (test::shownText(action->text()) == "Collapse") collapse = action;
  ASSERT_NE(collapse, nullptr);
  collapse->trigger();
  expectCollapsed(*scene_, graph(), kBase);
}

TEST_F(TeachableTest, TheNestedModelsMenuFreezesAllOfItAndCutsAfterIt) {
  scene_->setGroupCollapsed(kBase, true);
  const auto actionIn = [](QMenu& menu, const QString& start) -> QAction* {
    for (QAction* action : menu.actions())
      if (test::shownText(action->text()).startsWith(start)) return action;
    return nullptr;
  };
  {
    QMenu menu;
    window_->editor()->populateGroupMenu(&menu, kBase);
    QAction* freeze = actionIn(menu, QStringLiteral("Freeze all of model1"));
    ASSERT_NE(freeze, nullptr);
    freeze->trigger();
  }
  for (const Node& node : graph().nodes())
    if (groupWithin(node.group, kBase.toStdString())) {
      EXPECT_FALSE(node.trainable) << node.name;
    }
  EXPECT_TRUE(scene_->groupItem(kBase)->view().frozen);
  EXPECT_TRUE(graph().at("dense_Dense1").trainable);  // the head outside stays trainable
  {
    QMenu menu;
    window_->editor()->populateGroupMenu(&menu, kBase);
    ASSERT_NE(actionIn(menu, QStringLiteral("Unfreeze all of model1")), nullptr);
    QAction* cut = actionIn(menu, QStringLiteral("Cut after model1 (make out_relu the output)"));
    ASSERT_NE(cut, nullptr);
    cut->trigger();
  }
  EXPECT_EQ(graph().outputs(), std::vector<std::string>{"out_relu"});
  {
    QMenu menu;
    window_->editor()->populateGroupMenu(&menu, kBase);
    QAction* expand = actionIn(menu, QStringLiteral("Expand"));
    ASSERT_NE(expand, nullptr);
    expand->trigger();
    EXPECT_FALSE(scene_->isGroupCollapsed(kBase));
  }
}

// The summary beside the graph shows the nested models as Keras's model.summary(expand_nested=True)
// does: a row with each model's totals, its layers indented under it; the row selects them all.
TEST_F(TeachableTest, TheSummaryShowsEachNestedModelWithItsTotalsAndSelectsItsLayers) {
  QTableWidget* table = window_->summary()->table();
  const auto rowOf = [&](const QString& text) {
    for (int row = 0; row < table->rowCount(); ++row)
      if (table->item(row, 0)->text() == text) return row;
    return -1;
  };
  const int outer = rowOf(QStringLiteral("sequential_1"));
  const int base = rowOf(QStringLiteral("\u2502 model1"));
  const int conv = rowOf(QStringLiteral("\u2502 \u2502 Conv1"));
  ASSERT_GE(outer, 0);
  ASSERT_EQ(base, outer + 1);
  EXPECT_GT(conv, base);
  EXPECT_EQ(table->item(base, 1)->text(), QStringLiteral("Functional"));
  EXPECT_TRUE(table->item(base, 0)->font().bold());
  // Keras's model.summary() gives the MobileNetV2 α 0.35 without top 410,208 parameters.
  EXPECT_EQ(table->item(base, 3)->text(), QStringLiteral("410,208"));
  EXPECT_EQ(table->item(base, 2)->text(), QStringLiteral("(None, 7, 7, 1280)"));
  // Every layer trains (its BatchNormalizations' statistics never do; the flag is what counts).
  EXPECT_EQ(table->item(base, 4)->text(), QStringLiteral("yes"));
  EXPECT_EQ(table->rowCount(),
            static_cast<int>(graph().size() + graph().groups().size()));  // every layer, once

  table->selectRow(base);
  const QStringList selected = scene_->selectedLayers();
  EXPECT_EQ(selected.size(), layersIn(graph(), kBase));
  EXPECT_TRUE(selected.contains(QStringLiteral("Conv1")));
  EXPECT_FALSE(selected.contains(QStringLiteral("dense_Dense1")));
  EXPECT_EQ(window_->properties()->layers().size(), selected.size());
  // The graph's selection comes back to the table: the model's row stays selected.
  EXPECT_TRUE(table->item(base, 0)->isSelected());
  EXPECT_TRUE(table->item(conv, 0)->isSelected());
  EXPECT_FALSE(table->item(outer, 0)->isSelected());  // sequential_1 holds more than model1

  // One layer selected in the graph: its row alone.
  scene_->selectLayers({QStringLiteral("Conv1")});
  EXPECT_TRUE(table->item(conv, 0)->isSelected());
  EXPECT_FALSE(table->item(base, 0)->isSelected());

  // Frozen in part, then all of it: the model's row says so.
  window_->editor()->setTrainable({QStringLiteral("Conv1")}, false);
  EXPECT_EQ(table->item(rowOf(QStringLiteral("\u2502 model1")), 4)->text(),
            QStringLiteral("partly"));
  window_->editor()->setTrainable(
      [&] {
        QStringList names;
        for (const Node& node : graph().nodes())
          if (groupWithin(node.group, kBase.toStdString()))
            names << QString::fromStdString(node.name);
        return names;
      }(),
      false);
  EXPECT_EQ(table->item(rowOf(QStringLiteral("\u2502 model1")), 4)->text(),
            QStringLiteral("frozen"));
}

// Collapsing the base while the whole graph is in view fits the view again (154 layers became
// one card and the rest was a speck at the old zoom); expanding it fits again.
TEST_F(TeachableTest, CollapsingWhileAllOfTheGraphShowsFitsItAgain) {
  view_->fitAll();
  const double wholeZoom = view_->zoom();
  view_->setGroupCollapsed(kBase, true);
  EXPECT_TRUE(scene_->isGroupCollapsed(kBase));
  EXPECT_GT(view_->zoom(), wholeZoom);
  EXPECT_TRUE(visibleScene(view_).contains(scene_->layout().bounds));
  view_->setGroupCollapsed(kBase, false);
  EXPECT_FALSE(scene_->isGroupCollapsed(kBase));
  EXPECT_NEAR(view_->zoom(), wholeZoom, 1e-6);
}

TEST_F(TeachableTest, SelectingAHiddenLayerShowsIt) {
  scene_->setGroupCollapsed(kBase, true);
  // The summary table or the find bar asks for a layer inside: its group opens.
  EXPECT_TRUE(view_->revealLayer(QStringLiteral("Conv1")));
  EXPECT_FALSE(scene_->isGroupCollapsed(kBase));
  EXPECT_TRUE(scene_->nodeItem("Conv1")->isVisible());
  EXPECT_EQ(scene_->selectedLayers(), QStringList{QStringLiteral("Conv1")});
  EXPECT_EQ(window_->properties()->layers(), QStringList{QStringLiteral("Conv1")});
  // Collapsing it again drops the selection of its hidden layers.
  scene_->setGroupCollapsed(kBase, true);
  EXPECT_TRUE(scene_->selectedLayers().isEmpty());
  EXPECT_TRUE(window_->properties()->layers().isEmpty());
}

TEST_F(TeachableTest, ColumnsWrapTheCollapsedGraph) {
  scene_->setArrangement(Arrangement::WrappedColumns, true);
  view_->fitAll();
  const int columns = scene_->layout().columns;
  EXPECT_GT(columns, 1);
  scene_->setGroupCollapsed(kBase, true);
  view_->fitAll();
  expectCollapsed(*scene_, graph(), kBase);
  EXPECT_LT(scene_->layout().columns, columns);
  // Every visible card and the group's card lie apart, inside the laid-out bounds and the window.
  QList<QRectF> cards{scene_->groupItem(kBase)->rect()};
  const QSizeF size = ui::NodeItem::cardSize(true);
  for (const ui::NodeItem* item : scene_->nodeItems())
    if (item->isVisible())
      cards << QRectF(item->pos() - QPointF(size.width() / 2, size.height() / 2), size);
  const QRectF visible = visibleScene(view_);
  for (int i = 0; i < cards.size(); ++i) {
    EXPECT_TRUE(scene_->layout().bounds.adjusted(-1, -1, 1, 1).contains(cards[i]));
    EXPECT_TRUE(visible.contains(cards[i]));
    for (int j = i + 1; j < cards.size(); ++j) EXPECT_FALSE(cards[i].intersects(cards[j]));
  }
  test::screenshot(window_.get(), "nested_columns_collapsed");
}

TEST(NestedGroups, InnerAndOuterGroupsCollapseIndependently) {
  test::guiApp();
  ui::MainWindow window;
  window.resize(1440, 900);
  window.show();
  window.document()->open(nestedSmallModel(), "nested", {});
  ui::GraphScene* scene = window.workbench()->scene();
  const Graph& graph = window.document()->graph();
  ASSERT_EQ(scene->groupItems().size(), 2);
  expectAllShown(*scene, graph);

  scene->setGroupCollapsed("outer/inner", true);
  expectCollapsed(*scene, graph, "outer/inner");
  EXPECT_TRUE(scene->groupItem("outer")->isVisible());
  EXPECT_FALSE(scene->groupItem("outer")->isCollapsed());
  // The outer box still encloses its own layer and the inner card.
  EXPECT_TRUE(
      scene->groupItem("outer")->boundingRect().contains(scene->groupItem("outer/inner")->rect()));
  EXPECT_TRUE(scene->groupItem("outer")->boundingRect().contains(scene->nodeItem("conv1")->pos()));
  EXPECT_EQ(scene->groupItem("outer/inner")->title(),
            QStringLiteral("inner (Functional) \u00b7 32 params"));  // BatchNormalization of 8

  // Collapsing the outer group hides the inner card too.
  scene->setGroupCollapsed("outer", true);
  expectCollapsed(*scene, graph, "outer");
  EXPECT_FALSE(scene->groupItem("outer/inner")->isVisible());
  EXPECT_EQ(scene->groupItem("outer")->view().layers, 4);
  // 3x3x3x8 kernel without bias, and the BatchNormalization.
  EXPECT_EQ(scene->groupItem("outer")->view().params, 216 + 32);
  // Frozen shows on both cards once all their weights are.
  ASSERT_TRUE(
      window.document()->apply1(Json{{"op", "freeze"}, {"upto", "pool1"}}, "freeze").empty());
  EXPECT_TRUE(scene->groupItem("outer")->view().frozen);
  EXPECT_TRUE(scene->groupItem("outer/inner")->view().frozen);

  // Expanding the outer group shows the inner one as it was left: collapsed.
  scene->setGroupCollapsed("outer", false);
  expectCollapsed(*scene, graph, "outer/inner");
  EXPECT_TRUE(scene->nodeItem("conv1")->isVisible());
  EXPECT_TRUE(scene->nodeItem("pool1")->isVisible());
  scene->setGroupCollapsed("outer/inner", false);
  expectAllShown(*scene, graph);

  // Another model opened: nothing collapsed.
  scene->setGroupCollapsed("outer", true);
  window.document()->open(nestedSmallModel(), "nested again", {});
  EXPECT_FALSE(scene->isGroupCollapsed("outer"));
  expectAllShown(*scene, window.document()->graph());
}

}  // namespace
}  // namespace graft
