// Every real Keras fixture opens in the window (on the loader thread), shows all its layers,
// and a saved project reopens with its edits; the start page tells where zoo weights come from.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTest>
#include <QUndoStack>
#include <fstream>

#include "graph/analysis.h"
#include "io/keras_h5_writer.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/doc/model_notes.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/group_item.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/notes_banner.h"
#include "ui/recent_files.h"
#include "ui/start_page.h"
#include "ui/workbench.h"
#include "ui/zoo_browser.h"
#include "ui_test_support.h"

namespace graft {
namespace {

class FixtureOpens : public ::testing::TestWithParam<const char*> {};

TEST_P(FixtureOpens, InTheGraphView) {
  GRAFT_REQUIRE_FIXTURE(path, GetParam());
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ModelSpec spec;
  spec.source = path;
  ASSERT_TRUE(window.openModel(spec));
  const Graph& graph = window.document()->graph();
  EXPECT_EQ(window.workbench()->scene()->nodeItems().size(), static_cast<int>(graph.size()));
  EXPECT_TRUE(window.workbench()->scene()->groupItems().isEmpty());  // no nested models here
  EXPECT_TRUE(window.document()->analysis().ok());
  EXPECT_NE(window.workbench()->banner()->text().indexOf("Weights"), -1);
  EXPECT_EQ(ui::recentFiles().value(0), QFileInfo(QString::fromStdString(path)).absoluteFilePath());
  test::screenshot(&window, "fixture_" + QFileInfo(QString::fromLatin1(GetParam())).baseName());
}

// Keras 2 files, and a Keras 3 .keras archive.
INSTANTIATE_TEST_SUITE_P(Keras, FixtureOpens,
                         ::testing::Values("keras/mobilenet_2_5_224_tf_no_top.h5",
                                           "keras/mobilenet025_catvsdog.h5", "keras/vww_96.h5",
                                           "keras/pretrainedResnet.h5",
                                           "keras3/k3_mnist_cnn_dropout__keras3.1.1.keras"));

// The banner above the graph keeps saying what holds for the model now: a cut of the classifier
// drops the class names the loader found beside the file, and the note about them goes with
// them (until an undo brings them back).
TEST(OpenFiles, TheNotesFollowTheClassNamesThroughACutAndItsUndo) {
  GRAFT_REQUIRE_FIXTURE(path, "keras/mobilenet025_catvsdog.h5");
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ModelSpec spec;
  spec.source = path;
  ASSERT_TRUE(window.openModel(spec));
  ASSERT_EQ(window.document()->model().labels.size(), 2u);  // cls_classes.txt beside it
  const ui::NotesBanner* banner = window.workbench()->banner();
  EXPECT_NE(banner->text().indexOf("class names from cls_classes.txt"), -1)
      << banner->text().toStdString();
  // The weights file by its name (the folder, on every note about it, took a small screen's
  // graph); the tooltip has it whole.
  const QString folder = QFileInfo(QString::fromStdString(path)).absolutePath();
  EXPECT_NE(banner->text().indexOf("<b>Weights:</b> mobilenet025_catvsdog.h5"), -1)
      << banner->text().toStdString();
  EXPECT_NE(banner->text().indexOf("mobilenet025_catvsdog.h5: recognised as mobilenet"), -1)
      << banner->text().toStdString();
  EXPECT_EQ(banner->text().indexOf(folder), -1) << banner->text().toStdString();
  EXPECT_NE(banner->findChild<QLabel*>()->toolTip().indexOf(QString::fromStdString(path)), -1);
  const std::string classifier = window.document()->graph().outputs().front();
  const QString beforeIt =
      QString::fromStdString(window.document()->graph().at(classifier).inputs.front());
  ASSERT_TRUE(window.editor()->cutAt(beforeIt));
  EXPECT_TRUE(window.document()->model().labels.empty());
  EXPECT_EQ(banner->text().indexOf("class names from"), -1) << banner->text().toStdString();
  EXPECT_NE(banner->text().indexOf("class names the model opened with no longer apply"), -1)
      << banner->text().toStdString();
  EXPECT_NE(banner->text().indexOf("Weights"), -1);  // the rest stays
  EXPECT_TRUE(banner->isVisible());

  window.document()->undoStack()->undo();
  EXPECT_EQ(window.document()->model().labels.size(), 2u);
  EXPECT_NE(banner->text().indexOf("class names from cls_classes.txt"), -1)
      << banner->text().toStdString();
  EXPECT_EQ(banner->text().indexOf("no longer apply"), -1);
}

// Files in the banner go by their names wherever they appear (after a run the weights are
// "trained by Graft from /long/path/model.h5"); a path that is no file stays as written.
TEST(OpenFiles, TheBannerNamesFilesByTheirNames) {
  test::TempDir dir;
  const std::string file = dir.file("model.h5");
  std::ofstream(file) << "x";
  const QString path = QString::fromStdString(file);
  EXPECT_EQ(ui::NotesBanner::withFileNames("trained by Graft from " + path),
            "trained by Graft from model.h5");
  EXPECT_EQ(ui::NotesBanner::withFileNames(path + ": weights matched, the other layers' from " +
                                           path + " (2 layers)"),
            "model.h5: weights matched, the other layers' from model.h5 (2 layers)");
  EXPECT_EQ(ui::NotesBanner::withFileNames("no file /no/such/file.h5 here"),
            "no file /no/such/file.h5 here");
}

TEST(OpenFiles, NotesNameTheClassNamesAModelHasNow) {
  const QStringList opened = {QStringLiteral("weights matched by layer name"),
                              QStringLiteral("class names from labels.txt beside the model")};
  EXPECT_EQ(ui::notesForModelNow(opened, {"cat", "dog"}, {"cat", "dog"}), opened);
  EXPECT_EQ(ui::notesForModelNow(opened, {"cat", "dog"}, {}),
            (QStringList{QStringLiteral("weights matched by layer name"),
                         QStringLiteral("the class names the model opened with no longer apply: "
                                        "an edit changed its output")}));
  EXPECT_EQ(ui::notesForModelNow(opened, {"cat", "dog"}, {"a", "b", "c", "d", "e", "f"}).last(),
            QStringLiteral("class names now: a, b, c, d, e, \u2026 (6 classes)"));
  EXPECT_EQ(ui::notesForModelNow({}, {}, {"only"}).last(),
            QStringLiteral("class names now: only (1 class)"));
  EXPECT_TRUE(ui::notesForModelNow({}, {}, {}).isEmpty());
}

// Nested models (Teachable Machine) are boxes around their layers, titled with their name, class
// and parameter count.
TEST(OpenFiles, NestedModelsAreBoxesAroundTheirLayers) {
  GRAFT_REQUIRE_FIXTURE(path, "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5");
  test::guiApp();
  ui::MainWindow window;
  window.resize(1440, 900);
  window.show();
  ModelSpec spec;
  spec.source = path;
  ASSERT_TRUE(window.openModel(spec));
  ui::GraphScene* scene = window.workbench()->scene();
  const auto& groups = scene->groupItems();
  ASSERT_EQ(groups.size(), 3);
  EXPECT_EQ(groups[0]->title(), QStringLiteral("sequential_1 (Sequential) \u00b7 410,208 params"));
  EXPECT_EQ(groups[1]->view().path, QStringLiteral("sequential_1/model1"));
  // Every inner layer is a card inside its group's box; layers outside are outside it.
  const QRectF model1 = groups[1]->boundingRect();
  EXPECT_TRUE(model1.contains(scene->nodeItem("Conv1")->pos()));
  EXPECT_TRUE(model1.contains(scene->nodeItem("out_relu")->pos()));
  EXPECT_FALSE(model1.contains(scene->nodeItem("dense_Dense2")->pos()));
  EXPECT_TRUE(groups[0]->boundingRect().contains(model1));
  // Inner layers are edited like any other: freezing the MobileNetV2 marks its cards.
  ASSERT_TRUE(window.document()
                  ->apply1(Json{{"op", "freeze"}, {"upto", "out_relu"}}, "freeze base")
                  .empty());
  EXPECT_FALSE(scene->nodeItem("Conv1")->view().trainable);
  EXPECT_TRUE(scene->nodeItem("dense_Dense1")->view().trainable);
  test::screenshot(&window, "nested_teachable_machine");
}

TEST(OpenFiles, ABrokenFileShowsTheLoadersMessage) {
  test::guiApp();
  test::TempDir dir;
  const QString path = QString::fromStdString(dir.file("broken.h5"));
  QFile file(path);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("not an HDF5 file");
  file.close();
  test::CapturedErrors errors;
  ui::MainWindow window;
  window.openPath(path);
  ASSERT_TRUE(test::waitFor([&] { return !window.isLoading(); }));
  test::waitFor([&] { return !errors.messages().isEmpty(); }, 2000);
  ASSERT_EQ(errors.messages().size(), 1);
  EXPECT_NE(errors.messages().front().indexOf("broken.h5"), -1)
      << errors.messages().front().toStdString();
  EXPECT_FALSE(window.document()->hasModel());
}

// File > Load Weights: a weights file (an export of this model, a checkpoint) goes onto the open
// model as one undoable step; a file that fits nothing is a dialog and changes nothing. A
// weights-only export could not be opened in the GUI at all.
TEST(OpenFiles, LoadWeightsPutsAFilesWeightsOnTheOpenModelAsOneStep) {
  test::guiApp();
  test::TempDir dir;
  test::CapturedErrors errors;
  ui::MainWindow window;
  const Model open = test::smallModel(3);
  window.document()->open(open, "small", {});
  Model other = open;
  initializeWeights(other.graph, analyzeOrThrow(other.graph), other.weights, 99);
  const std::string file = dir.file("other.h5");
  saveKerasWeights(other, file);
  const auto& kernel = [&] {
    return *window.document()->model().weights.find("conv1")->at(0).data;
  };
  ASSERT_NE(kernel(), *other.weights.find("conv1")->at(0).data);

  ASSERT_TRUE(window.loadWeightsFile(QString::fromStdString(file)));
  ASSERT_TRUE(test::waitFor([&] { return window.document()->undoStack()->count() == 1; }));
  EXPECT_TRUE(errors.messages().isEmpty()) << errors.messages().join("\n").toStdString();
  EXPECT_EQ(kernel(), *other.weights.find("conv1")->at(0).data);
  window.document()->undo();
  EXPECT_EQ(kernel(), *open.weights.find("conv1")->at(0).data);

  const std::string text = dir.file("not_weights.h5");
  std::ofstream(text) << "not HDF5";
  ASSERT_TRUE(window.loadWeightsFile(QString::fromStdString(text)));
  ASSERT_TRUE(test::waitFor([&] { return !errors.messages().isEmpty(); }));
  EXPECT_NE(errors.messages().front().indexOf("not_weights.h5"), -1)
      << errors.messages().front().toStdString();
  EXPECT_EQ(window.document()->undoStack()->index(), 0);
}

TEST(OpenFiles, ASavedProjectReopensWithItsEdits) {
  test::guiApp();
  test::TempDir dir;
  const QString path = QString::fromStdString(dir.file("edited.graft"));
  {
    ui::MainWindow window;
    window.document()->open(test::smallModel(), "small", {});
    ASSERT_TRUE(
        window.document()->apply1(Json{{"op", "freeze"}, {"upto", "conv1_bn"}}, "freeze").empty());
    EXPECT_TRUE(window.document()->isModified());
    ASSERT_TRUE(window.saveProjectAs(path, true));
    EXPECT_FALSE(window.document()->isModified());
    EXPECT_EQ(window.document()->projectPath(), path);
  }
  ui::MainWindow reopened;
  ModelSpec spec;
  spec.source = path.toStdString();
  ASSERT_TRUE(reopened.openModel(spec));
  EXPECT_FALSE(reopened.document()->graph().at("conv1").trainable);
  EXPECT_TRUE(reopened.document()->graph().at("fc").trainable);
  EXPECT_EQ(reopened.document()->recipe()["operations"].size(), 1u);
  // The banner says the project keeps the weights now (it named the file they first came from,
  // which the project no longer reads).
  const QString banner = reopened.workbench()->banner()->text();
  EXPECT_TRUE(banner.contains("now kept in edited.graft")) << banner.toStdString();
  EXPECT_FALSE(banner.contains("first from")) << banner.toStdString();
}

TEST(StartPage, SaysWhereZooWeightsComeFrom) {
  test::guiApp();
  test::TempDir cache;
  ui::StartPage page(QString::fromStdString(cache.path().string()));
  page.zooBrowser()->selectArchitecture("vgg16");
  EXPECT_NE(page.weightsLabel()->text().indexOf("not in the Keras cache"), -1);
  QFile weights(
      QString::fromStdString(cache.file("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")));
  ASSERT_TRUE(weights.open(QIODevice::WriteOnly));
  weights.close();
  page.zooBrowser()->selectArchitecture("vgg19");
  page.zooBrowser()->selectArchitecture("vgg16");  // refresh
  EXPECT_NE(
      page.weightsLabel()->text().indexOf("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"), -1);
  EXPECT_NE(page.weightsLabel()->text().indexOf("Keras cache"), -1);
  const ModelSpec spec = page.zooSpec();
  EXPECT_EQ(spec.source, "vgg16");
  page.resize(1100, 700);
  page.show();
  EXPECT_FALSE(test::screenshot(&page, "start_page").isNull());
}

TEST(StartPage, OpensTheChosenArchitecture) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ui::StartPage* page = window.startPage();
  page->zooBrowser()->selectArchitecture("mobilenet");
  QTest::mouseClick(page->openArchitectureButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return window.document()->hasModel(); }, 60000));
  EXPECT_GT(window.document()->graph().size(), 80u);
  EXPECT_EQ(window.document()->graph().nodes().back().name, "conv_pw_13_relu");
  EXPECT_NE(window.workbench()->banner()->text().indexOf("Weights"), -1);
}

// The Open button says what it opens, with the parameters of the chosen width (the list's
// column gives the published α 1.0's 4.3 M), and a 1366 x 768 laptop shows it without
// scrolling (it was below the options, off the screen).
TEST(StartPage, TheOpenButtonSaysWhatItOpensAndIsOnALaptopScreen) {
  test::guiApp();
  ui::MainWindow window;
  window.resize(1298, 730);
  window.show();
  QApplication::processEvents();
  ui::StartPage* page = window.startPage();
  QPushButton* open = page->openArchitectureButton();
  const std::string text = open->text().toStdString();
  EXPECT_NE(text.find("mobilenet α 0.25"), std::string::npos) << text;
  EXPECT_NE(text.find("219 K parameters"), std::string::npos) << text;
  ASSERT_TRUE(open->isVisible());
  const QRect inWindow(open->mapTo(&window, QPoint(0, 0)), open->size());
  EXPECT_TRUE(window.rect().contains(inWindow))
      << "at y " << inWindow.y() << " in a window " << window.height() << " px tall";
  EXPECT_EQ(open->visibleRegion().boundingRect().size(), open->size()) << "scrolled out of view";
}

}  // namespace
}  // namespace graft
