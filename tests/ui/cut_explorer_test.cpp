// The cut-point explorer panel on a small model and a generated image folder: the run happens
// on a worker thread while the window keeps turning, the table and chart show one entry per
// candidate, the graph's cards take the accuracy colour, a double-click cuts there with a new
// head for the folder's classes as one undoable step, undo restores the model, Cancel stops.
#include <gtest/gtest.h>

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>
#include <QTimer>
#include <QUndoStack>
#include <algorithm>

#include "runtime/data/sample_data.h"
#include "runtime/prediction/evaluate.h"
#include "support/test_support.h"
#include "ui/cut_accuracy_chart.h"
#include "ui/cut_explorer_panel.h"
#include "ui/doc/document.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/training_panel.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

using test::shapesFolder;

// Opens test::smallModel(5) (five outputs: a new head for the three-class folder differs) and
// runs the explorer on conv1_relu and pool1 to the end; the count of event-loop turns during
// the run comes back.
int exploreToTheEnd(ui::MainWindow& window, const std::string& data) {
  window.document()->open(test::smallModel(5), "small", {});
  window.showCutExplorer();
  ui::CutExplorerPanel* panel = window.cutExplorer();
  panel->setDataDir(QString::fromStdString(data));
  panel->setLayers(QStringLiteral("conv1_relu, pool1"));
  // The device choice reaches the run: the CPU, which the status line names at the end.
  auto* device = panel->findChild<QComboBox*>(QStringLiteral("explorer_device"));
  EXPECT_TRUE(device);
  if (device) device->setCurrentText(QStringLiteral("cpu"));
  int turns = 0;
  QTimer ticker;
  QObject::connect(&ticker, &QTimer::timeout, [&turns] { ++turns; });
  ticker.start(10);
  QTest::mouseClick(panel->exploreButton(), Qt::LeftButton);
  EXPECT_TRUE(panel->session()->isRunning());
  EXPECT_FALSE(panel->exploreButton()->isEnabled());
  EXPECT_TRUE(panel->cancelButton()->isEnabled());
  EXPECT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 120000));
  return turns;
}

QString tableLayer(QTableWidget* table, int row) {
  return table->item(row, 0)->data(Qt::UserRole).toString();
}

TEST(CutExplorer, MeasuresMarksTheGraphCutsWithANewHeadAndUndoRestores) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 16);
  ui::MainWindow window;
  window.resize(1440, 900);
  window.show();
  const int turns = exploreToTheEnd(window, data);
  ui::CutExplorerPanel* panel = window.cutExplorer();
  ASSERT_TRUE(panel->session()->result()) << panel->statusLabel()->text().toStdString();
  EXPECT_GT(turns, 3) << "the event loop stood still during the run";
  EXPECT_TRUE(panel->statusLabel()->text().contains(QStringLiteral("on CPU (")))
      << panel->statusLabel()->text().toStdString();

  // One row and one chart point per candidate, in order of depth.
  QTableWidget* table = panel->table();
  ASSERT_EQ(table->rowCount(), 2);
  EXPECT_EQ(tableLayer(table, 0), "conv1_relu");
  EXPECT_EQ(tableLayer(table, 1), "pool1");
  EXPECT_EQ(panel->chart()->pointCount(), 2);
  const auto& measured = panel->session()->result()->report.candidates;
  ASSERT_EQ(measured.size(), 2u);
  EXPECT_EQ(table->item(1, 1)->text(), QString::number(measured[1].valAccuracy, 'f', 3));
  EXPECT_EQ(table->item(1, 2)->text().toLongLong(), measured[1].featureSize);

  // The cards of the candidates carry their accuracy (and its colour); the others none.
  ui::GraphScene* scene = window.workbench()->scene();
  ui::NodeItem* pool = scene->nodeItem("pool1");
  ASSERT_TRUE(pool);
  EXPECT_TRUE(pool->isMarkedCandidate());
  EXPECT_DOUBLE_EQ(pool->candidateAccuracy(), measured[1].valAccuracy);
  EXPECT_DOUBLE_EQ(scene->nodeItem("conv1_relu")->candidateAccuracy(), measured[0].valAccuracy);
  EXPECT_FALSE(scene->nodeItem("conv1")->isMarkedCandidate());
  EXPECT_NE(ui::NodeItem::accuracyColor(0.0), ui::NodeItem::accuracyColor(1.0));
  window.workbench()->scene()->selectLayers({QStringLiteral("pool1")});
  window.workbench()->view()->centerOn(scene->nodeItem("conv1_relu"));
  test::screenshot(&window, "cut_explorer_window");
  test::screenshot(panel, "cut_explorer_panel");

  // The training panel's advisor reads the report while it is about the current model.
  window.showTraining();
  window.trainingPanel()->setDataDir(QString::fromStdString(data));
  ASSERT_TRUE(window.trainingPanel()->advise());
  EXPECT_TRUE(window.trainingPanel()->adviceText()->text().contains("The explorer measured"))
      << window.trainingPanel()->adviceText()->text().toStdString();
  window.showCutExplorer();

  // Double-clicking pool1's row cuts there with a new head for the folder's three classes.
  const Model before = window.document()->model();
  QUndoStack* undo = window.document()->undoStack();
  const int steps = undo->count();
  const QRect cell = table->visualItemRect(table->item(1, 0));
  // An item view acts on a double-click only on the index the press before it hit, as a
  // user's first click does.
  QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
  EXPECT_TRUE(panel->cutButton()->isEnabled());
  QTest::mouseDClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
  EXPECT_EQ(undo->count(), steps + 1);
  const Graph& cut = window.document()->graph();
  ASSERT_EQ(cut.outputs().size(), 1u);
  const Node* head = cut.find(cut.outputs().front());
  ASSERT_TRUE(head);
  EXPECT_EQ(head->className, "Dense");
  EXPECT_EQ(head->config.value("units", 0), 3);
  ASSERT_EQ(head->inputs.size(), 1u);
  const Node* pooling = cut.find(head->inputs.front());
  ASSERT_TRUE(pooling);
  // pool1's 15 x 15 x 8 map was small enough for the explorer to measure whole (besides its
  // average): the head sees the same, a Flatten, not a pooling that would see only 8 numbers.
  ASSERT_TRUE(measured[1].keepsMap);
  EXPECT_EQ(pooling->className, "Flatten");
  EXPECT_EQ(pooling->inputs, std::vector<std::string>{"pool1"});
  EXPECT_FALSE(cut.find("fc"));
  // The head starts as the classifier the explorer fitted (no longer untrained): the cut model
  // predicts the folder about as well as measured, where a random head is at chance.
  const Model& cutModel = window.document()->model();
  ASSERT_FALSE(measured[1].headKernel.empty());
  const auto& headWeights = *cutModel.weights.find(head->name);
  ASSERT_EQ(headWeights[0].numel(), static_cast<int64_t>(measured[1].headKernel.size()));
  EXPECT_EQ(headWeights[0].values()[7], measured[1].headKernel[7]);
  EXPECT_TRUE(std::find(cutModel.untrainedLayers.begin(), cutModel.untrainedLayers.end(),
                        head->name) == cutModel.untrainedLayers.end());
  // Its outputs are the folder's classes, named (they were "class 0", "class 1" ...).
  EXPECT_EQ(cutModel.labels, (std::vector<std::string>{"circle", "square", "triangle"}));
  EvalSpec everyImage;
  everyImage.data = data;
  everyImage.device = "cpu";
  const EvalReport predicted = evaluateSpec(cutModel, everyImage);
  EXPECT_GE(predicted.accuracy, std::min(0.9, measured[1].valAccuracy - 0.1))
      << "measured " << measured[1].valAccuracy;
  // The model changed: the marks are gone, and the old numbers no longer cut.
  EXPECT_TRUE(scene->cutCandidates().isEmpty());
  EXPECT_FALSE(scene->nodeItem("pool1")->isMarkedCandidate());
  EXPECT_FALSE(panel->resultIsCurrent());
  EXPECT_FALSE(panel->cutAt(0));
  EXPECT_EQ(undo->count(), steps + 1);

  // While the cut model is current the advisor does not quote numbers about another model.
  ASSERT_TRUE(window.trainingPanel()->advise());
  EXPECT_FALSE(window.trainingPanel()->adviceText()->text().contains("The explorer measured"));

  // Undo returns to the measured model: its marks come back (once the graph has rebuilt), the
  // numbers cut again and the advisor quotes them.
  window.document()->undo();
  EXPECT_TRUE(window.document()->graph() == before.graph);
  EXPECT_EQ(window.document()->graph().outputs(), std::vector<std::string>{"fc"});
  EXPECT_TRUE(panel->resultIsCurrent());
  QCoreApplication::processEvents();
  EXPECT_TRUE(scene->nodeItem("pool1")->isMarkedCandidate());
  EXPECT_DOUBLE_EQ(scene->nodeItem("pool1")->candidateAccuracy(), measured[1].valAccuracy);
  // The row cut at is still selected and cuts again (the button stayed off until it was
  // clicked anew).
  ASSERT_FALSE(panel->table()->selectionModel()->selectedRows().isEmpty());
  EXPECT_TRUE(panel->cutButton()->isEnabled());
  ASSERT_TRUE(window.trainingPanel()->advise());
  EXPECT_TRUE(window.trainingPanel()->adviceText()->text().contains("The explorer measured"));
  // Redo brings back the cut model: marks gone again.
  window.document()->redo();
  EXPECT_FALSE(panel->resultIsCurrent());
  QCoreApplication::processEvents();
  EXPECT_FALSE(scene->nodeItem("pool1")->isMarkedCandidate());

  // Another model: the rows of this one's layers go (they read as the new model's numbers).
  panel->setLayers(QStringLiteral("conv1_relu"));
  window.document()->open(test::smallModel(3), "another", {});
  EXPECT_EQ(panel->table()->rowCount(), 0);
  EXPECT_EQ(panel->layers(), QString()) << "named the model before's layers";
  EXPECT_EQ(panel->session()->result(), nullptr);
  EXPECT_FALSE(panel->cutButton()->isEnabled());
}

// Opening another model stops a run still measuring the model before, and the status says so
// (it read "Cancelled", which the user had not done).
TEST(CutExplorer, OpeningAnotherModelStopsTheRunAndSaysWhy) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 60);
  ui::MainWindow window;
  window.show();
  window.document()->open(test::smallModel(3), "small", {});
  window.showCutExplorer();
  ui::CutExplorerPanel* panel = window.cutExplorer();
  panel->setDataDir(QString::fromStdString(data));
  ASSERT_TRUE(panel->explore()) << panel->statusLabel()->text().toStdString();
  window.document()->open(test::smallModel(4), "another", {});
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 60000));
  EXPECT_EQ(panel->statusLabel()->text(),
            "Stopped: another model was opened; explore again to measure it.");
  EXPECT_EQ(panel->table()->rowCount(), 0);
}

TEST(CutExplorer, TheMarkedCardsContextMenuCutsThere) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  window.show();
  exploreToTheEnd(window, data);
  ASSERT_TRUE(window.cutExplorer()->session()->result());
  // The marks go with the panel: closed, the graph has none (they stayed until an edit);
  // opened again, they are back.
  auto* dock = qobject_cast<QDockWidget*>(window.cutExplorer()->parentWidget());
  const ui::GraphScene* scene = window.workbench()->scene();
  ASSERT_FALSE(scene->cutCandidates().isEmpty());
  dock->toggleViewAction()->trigger();
  ASSERT_TRUE(dock->isHidden());
  EXPECT_TRUE(scene->cutCandidates().isEmpty());
  // An undo back to the measured model behind the closed panel does not bring them back.
  ASSERT_TRUE(window.editor()->cutAt(QStringLiteral("conv1_relu")));
  window.document()->undo();
  QCoreApplication::processEvents();
  EXPECT_TRUE(scene->cutCandidates().isEmpty());
  window.showCutExplorer();
  EXPECT_FALSE(scene->cutCandidates().isEmpty());
  // The training panel points at another folder (of five classes): after the cut it trains on
  // the folder the head's three classes came from.
  const std::string other = dir.file("other");
  SampleDataOptions fashion;
  fashion.kind = SampleKind::Fashion;
  fashion.imagesPerClass = 2;
  writeSampleData(other, fashion);
  window.trainingPanel()->setDataDir(QString::fromStdString(other));

  QMenu unmarked;
  window.editor()->populateContextMenu(&unmarked, QStringLiteral("conv1"));
  for (QAction* a : unmarked.actions())
    EXPECT_FALSE(test::shownText(a->text()).contains("new head"));

  QMenu menu;
  window.editor()->populateContextMenu(&menu, QStringLiteral("conv1_relu"));
  QAction* cutHere = nullptr;
  for (QAction* a : menu.actions())
    if (test::shownText(a->text()).contains("new head")) cutHere = a;
  ASSERT_TRUE(cutHere);
  EXPECT_TRUE(cutHere->text().contains("3 classes")) << cutHere->text().toStdString();
  cutHere->trigger();
  const Graph& cut = window.document()->graph();
  const Node* head = cut.find(cut.outputs().front());
  ASSERT_TRUE(head);
  EXPECT_EQ(head->config.value("units", 0), 3);
  EXPECT_EQ(cut.find(head->inputs.front())->inputs, std::vector<std::string>{"conv1_relu"});
  EXPECT_FALSE(cut.find("pool1"));
  EXPECT_EQ(window.trainingPanel()->dataDir().toStdString(), data);
}

TEST(CutExplorer, CancelStopsTheRunAndNothingIsMarked) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 40);
  ui::MainWindow window;
  window.show();
  window.document()->open(test::smallModel(5), "small", {});
  window.showCutExplorer();
  ui::CutExplorerPanel* panel = window.cutExplorer();
  panel->setDataDir(QString::fromStdString(data));
  ASSERT_TRUE(panel->explore());
  QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 120000));
  EXPECT_FALSE(panel->session()->result());
  EXPECT_EQ(panel->table()->rowCount(), 0);
  EXPECT_TRUE(panel->statusLabel()->text().contains("Cancelled"))
      << panel->statusLabel()->text().toStdString();
  EXPECT_TRUE(window.workbench()->scene()->cutCandidates().isEmpty());
  EXPECT_TRUE(panel->exploreButton()->isEnabled());
}

// MobileNet's candidates all start "conv_pw_" and end "_relu": at the chart's axis every one
// read "co…". The axis shows what differs, and says the shared part in its title.
TEST(CutExplorer, ChartLabelsAreWhatTheLayerNamesDoNotShare) {
  const ui::ShortLayerNames mobileNet =
      ui::shortLayerNames({"conv_pw_1_relu", "conv_pw_5_relu", "conv_pw_13_relu"});
  EXPECT_EQ(mobileNet.labels, (QStringList{"1", "5", "13"}));
  EXPECT_EQ(mobileNet.prefix, "conv_pw_");
  EXPECT_EQ(mobileNet.suffix, "_relu");
  // Shared letters inside a word are not cut: "block3_pool" / "block4_pool" share "block".
  const ui::ShortLayerNames vgg = ui::shortLayerNames({"block3_pool", "block4_pool"});
  EXPECT_EQ(vgg.labels, (QStringList{"block3", "block4"}));
  EXPECT_EQ(vgg.suffix, "_pool");
  const QStringList mixed{"conv1_relu", "pool1", "fc"};
  EXPECT_EQ(ui::shortLayerNames(mixed).labels, mixed);
  EXPECT_EQ(ui::shortLayerNames({"only"}).labels, QStringList{"only"});
}

// MobileNetV2's candidates (block_N_add, block_N_expand_relu, out_relu) share nothing: at a slant
// every label read "bloc…". Names stand upright; short labels lie across; a point's tooltip
// names its layer in full.
TEST(CutExplorer, ChartLabelsThatAreNamesStandUpright) {
  test::guiApp();
  ui::CutAccuracyChart chart;
  chart.resize(500, 400);
  chart.show();
  chart.setCandidates({"block_2_add", "block_13_expand_relu", "out_relu", "block_5_add",
                       "block_6_expand_relu", "block_9_add", "block_12_add", "block_15_add"},
                      {0.5, 0.75, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5});
  EXPECT_EQ(chart.labelsAngle(), -90);
  EXPECT_EQ(chart.pointToolTip(1), "block_13_expand_relu: validation accuracy 0.750");
  EXPECT_EQ(chart.pointToolTip(8), "");
  chart.setCandidates({"conv_pw_1_relu", "conv_pw_13_relu"}, {0.5, 0.75});
  EXPECT_EQ(chart.labelsAngle(), 0);
  EXPECT_EQ(chart.pointToolTip(0), "conv_pw_1_relu: validation accuracy 0.500");
}

TEST(CutExplorer, RefusesToStartWithoutAFolder) {
  test::guiApp();
  ui::MainWindow window;
  window.document()->open(test::smallModel(3), "small", {});
  ui::CutExplorerPanel* panel = window.cutExplorer();
  panel->setDataDir(QString());
  EXPECT_FALSE(panel->explore());
  EXPECT_FALSE(panel->session()->isRunning());
  EXPECT_TRUE(panel->statusLabel()->text().contains("folder"));
}

}  // namespace
}  // namespace graft
