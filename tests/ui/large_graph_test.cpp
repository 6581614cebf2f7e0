// Big real topologies stay readable and quick: InceptionV3 (Keras's own model JSON, ~300
// layers with four-way branches) and ResNet50 (skip connections) are laid out by dot without
// overlapping cards, and the overview shows the whole graph.
#include <gtest/gtest.h>

#include <QElapsedTimer>

#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/overview_widget.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

void expectReadableLayout(const ui::GraphScene& scene, const Graph& graph) {
  ASSERT_EQ(scene.nodeItems().size(), static_cast<int>(graph.size()));
  size_t edges = 0;
  for (const Node& node : graph.nodes()) edges += node.inputs.size();
  EXPECT_EQ(static_cast<size_t>(scene.edgeItems().size()), edges);
  // No two cards overlap, and every consumer is drawn below its producers.
  QList<QRectF> cards;
  for (const ui::NodeItem* item : scene.nodeItems())
    cards << QRectF(item->pos() - QPointF(ui::NodeItem::cardSize().width() / 2,
                                          ui::NodeItem::cardSize().height() / 2),
                    ui::NodeItem::cardSize());
  int overlaps = 0;
  for (int i = 0; i < cards.size(); ++i)
    for (int j = i + 1; j < cards.size(); ++j) overlaps += cards[i].intersects(cards[j]) ? 1 : 0;
  EXPECT_EQ(overlaps, 0);
  for (const Node& node : graph.nodes())
    for (const std::string& input : node.inputs)
      EXPECT_LT(scene.nodeItem(QString::fromStdString(input))->pos().y(),
                scene.nodeItem(QString::fromStdString(node.name))->pos().y())
          << input << " -> " << node.name;
}

TEST(LargeGraph, InceptionV3IsLaidOutQuicklyWithoutOverlaps) {
  GRAFT_REQUIRE_FIXTURE(path, "keras-configs/inception_v3.json");
  test::guiApp();
  ui::MainWindow window;
  window.resize(1400, 900);
  window.show();
  ModelSpec spec;
  spec.source = path;
  QElapsedTimer timer;
  timer.start();
  ASSERT_TRUE(window.openModel(spec));
  const qint64 ms = timer.elapsed();
  const Graph& graph = window.document()->graph();
  EXPECT_GT(graph.size(), 300u);
  ui::GraphScene* scene = window.workbench()->scene();
  EXPECT_TRUE(scene->usedGraphviz());
  expectReadableLayout(*scene, graph);
  std::cout << "InceptionV3: " << graph.size() << " layers opened and laid out in " << ms
            << " ms\n";
  EXPECT_LT(ms, 15000);

  test::waitFor([] { return false; }, 100);  // let the fit-to-window run
  window.workbench()->view()->fitAll();
  EXPECT_FALSE(test::screenshot(&window, "inception_v3_fit").isNull());
  window.workbench()->view()->revealLayer("mixed5");
  EXPECT_FALSE(test::screenshot(window.workbench()->view(), "inception_v3_mixed5").isNull());
  EXPECT_FALSE(test::screenshot(window.overview(), "inception_v3_overview").isNull());
}

TEST(LargeGraph, ResNet50SkipConnectionsAreRouted) {
  GRAFT_REQUIRE_FIXTURE(path, "keras-configs/resnet50_keras_applications.json");
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ModelSpec spec;
  spec.source = path;
  ASSERT_TRUE(window.openModel(spec));
  expectReadableLayout(*window.workbench()->scene(), window.document()->graph());
  window.workbench()->view()->revealLayer("res2a_branch1");
  EXPECT_FALSE(test::screenshot(window.workbench()->view(), "resnet50_block2a").isNull());
}

}  // namespace
}  // namespace graft
