// The main window opens models through the core loader (on a worker thread) and shows them in
// the graph view, the Keras summary and the properties panel, all following one document.
#include <gtest/gtest.h>

#include <QAction>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableWidget>
#include <QTest>
#include <QUndoStack>
#include <algorithm>
#include <filesystem>

#include "export/export.h"
#include "graph/surgery/ops.h"
#include "io/project_file.h"
#include "run/export_spec.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/eliding_status_bar.h"
#include "ui/export_dialog.h"
#include "ui/find_bar.h"
#include "ui/graph_editor.h"
#include "ui/graph_scene.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/node_item.h"
#include "ui/properties_panel.h"
#include "ui/summary_table.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

ModelSpec vgg16NoTop() {
  ModelSpec spec;
  spec.source = "vgg16";
  spec.includeTop = false;
  spec.inputSize = 160;
  return spec;
}

// A window size saved on a larger screen fits the screen it opens on (the status bar and the
// right-hand docks were off a smaller one).
TEST(MainWindow, ASizeSavedOnALargerScreenFitsThisOne) {
  test::guiApp();
  QSettings settings;
  const QVariant previous = settings.value("window/geometry");
  {
    ui::MainWindow large;
    large.resize(4000, 3000);
    settings.setValue("window/geometry", large.saveGeometry());
  }
  ui::MainWindow window;
  const QRect room = window.screen()->availableGeometry();
  EXPECT_LE(window.width(), room.width());
  EXPECT_LE(window.height(), room.height());
  settings.setValue("window/geometry", previous);
}

TEST(MainWindow, ShowsAZooModelInGraphAndSummary) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ASSERT_TRUE(window.openModel(vgg16NoTop()));
  EXPECT_EQ(window.layerTable()->rowCount(), 19);
  EXPECT_EQ(window.layerTable()->item(6, 0)->text(), "block2_pool");
  EXPECT_EQ(window.layerTable()->item(6, 2)->text(), "(None, 40, 40, 128)");
  EXPECT_NE(window.summary()->totalsText().indexOf("14,714,688"), -1);

  ui::GraphScene* scene = window.workbench()->scene();
  ASSERT_EQ(scene->nodeItems().size(), 19);
  EXPECT_EQ(scene->edgeItems().size(), 18);
  EXPECT_TRUE(scene->usedGraphviz());
  const ui::NodeItem* pool = scene->nodeItem("block2_pool");
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->view().shape, "(None, 40, 40, 128)");
  EXPECT_EQ(scene->nodeItem("block1_conv1")->view().params, 1792);
  // Top to bottom: every layer sits below its producer.
  EXPECT_LT(scene->nodeItem("block1_conv1")->pos().y(), scene->nodeItem("block1_conv2")->pos().y());
  EXPECT_FALSE(test::screenshot(&window, "vgg16_workbench").isNull());
}

TEST(MainWindow, ClickingALayerSelectsItEverywhere) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ASSERT_TRUE(window.openModel(vgg16NoTop()));
  ui::GraphView* view = window.workbench()->view();
  ASSERT_TRUE(view->revealLayer("block3_conv2"));
  view->graphScene()->clearSelection();
  test::clickScene(view, view->graphScene()->nodeItem("block3_conv2")->pos());
  EXPECT_EQ(view->graphScene()->selectedLayers(), QStringList{"block3_conv2"});
  EXPECT_EQ(window.properties()->layers(), QStringList{"block3_conv2"});
  EXPECT_NE(window.properties()->headline().indexOf("Conv2D"), -1);
  auto* filters = qobject_cast<QSpinBox*>(window.properties()->fieldEditor("filters"));
  ASSERT_NE(filters, nullptr);
  EXPECT_EQ(filters->value(), 256);
  // The summary row follows.
  const auto rows = window.layerTable()->selectionModel()->selectedRows();
  ASSERT_EQ(rows.size(), 1);
  EXPECT_EQ(window.layerTable()->item(rows.front().row(), 0)->text(), "block3_conv2");

  // Clicking empty space clears the selection, and the panel with it.
  test::clickScene(view, view->graphScene()->nodeItem("block3_conv2")->pos() + QPointF(400, 0));
  EXPECT_TRUE(view->graphScene()->selectedLayers().isEmpty());
  EXPECT_TRUE(window.properties()->layers().isEmpty());
}

// A selection of many layers, in separate runs of rows, is the summary's selection, and stays it
// across an edit (the table is rebuilt; it used to re-select cell by cell, which froze the window
// for half a minute on NASNetLarge's 1041 layers).
TEST(MainWindow, TheSummaryKeepsAManyLayerSelectionAcrossAnEdit) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ASSERT_TRUE(window.openModel(vgg16NoTop()));
  const QStringList chosen = {"block1_conv1", "block1_conv2", "block3_conv1",
                              "block3_conv2", "block3_conv3", "block5_pool"};
  const auto selectedNames = [&] {
    QStringList names;
    for (const QModelIndex& row : window.layerTable()->selectionModel()->selectedRows())
      names << window.layerTable()->item(row.row(), 0)->text();
    names.sort();
    return names;
  };
  QStringList sorted = chosen;
  sorted.sort();
  ui::GraphScene* scene = window.workbench()->view()->graphScene();
  scene->selectLayers(chosen);  // as Ctrl+A or a rubber band does
  EXPECT_EQ(selectedNames(), sorted);
  EXPECT_TRUE(window.document()
                  ->apply1(ops::freeze(ops::layersNamed({"block1_conv1", "block1_conv2"})),
                           QStringLiteral("freeze"))
                  .empty());
  EXPECT_EQ(window.layerTable()->item(1, 4)->text(), "frozen");
  EXPECT_EQ(selectedNames(), sorted);
  scene->selectLayers({"block2_pool"});
  EXPECT_EQ(selectedNames(), QStringList{"block2_pool"});
  scene->selectLayers({});
  EXPECT_TRUE(selectedNames().isEmpty());
}

// A Keras file records no preprocessing: Model > Input Preprocessing says what the model was
// trained with, as an undoable, recorded step; without a model it (and Predict) is disabled.
TEST(MainWindow, TheInputPreprocessingIsChosenInTheModelMenu) {
  test::guiApp();
  ui::MainWindow window;
  auto* unit = window.findChild<QAction*>(QStringLiteral("preprocessing_unit"));
  auto* none = window.findChild<QAction*>(QStringLiteral("preprocessing_none"));
  auto* predict = window.findChild<QAction*>(QStringLiteral("predict_images"));
  ASSERT_NE(unit, nullptr);
  ASSERT_NE(none, nullptr);
  ASSERT_NE(predict, nullptr);
  EXPECT_FALSE(predict->isEnabled());
  EXPECT_FALSE(window.findChild<QMenu*>(QStringLiteral("preprocessing_menu"))->isEnabled());

  window.document()->open(test::smallModel(3), "small", {});  // preprocessing: none
  EXPECT_TRUE(predict->isEnabled());
  EXPECT_TRUE(none->isChecked());
  unit->trigger();
  EXPECT_EQ(window.document()->model().preprocessing, Preprocessing::Unit);
  EXPECT_TRUE(unit->isChecked());
  EXPECT_FALSE(none->isChecked());
  EXPECT_EQ(window.document()->recipe()["operations"].back(), ops::setPreprocessing("unit"));
  window.document()->undo();
  EXPECT_EQ(window.document()->model().preprocessing, Preprocessing::None);
  EXPECT_TRUE(none->isChecked());

  // Predict brings the Predictions dock to the front of its tabs, then asks for images.
  window.show();
  auto* dock = window.findChild<QDockWidget*>(QStringLiteral("dock_predictions"));
  auto* properties = window.findChild<QDockWidget*>(QStringLiteral("dock_properties"));
  properties->raise();
  QApplication::processEvents();
  ASSERT_FALSE(dock->isVisible());  // tabbed behind Properties
  const auto cancel = test::answerNextDialog<QFileDialog>([](QFileDialog* d) {
    return d->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel);
  });
  predict->trigger();
  EXPECT_TRUE(dock->isVisible());
}

// Quitting mid-export used to leave no file and a hidden temporary one: Graft asks, and waits.
TEST(MainWindow, QuittingDuringAnExportWaitsForItWhenTheUserAgrees) {
  test::guiApp();
  test::TempDir dir;
  ui::MainWindow window;
  window.show();
  window.document()->open(test::smallModel(3), "small", {});
  {
    ui::ExportDialog* dialog = window.openExportDialog();
    ASSERT_NE(dialog, nullptr);
    dialog->setPath(QString::fromStdString(dir.file("kept.pt")));
    dialog->startExport();
    const auto cancel = test::answerNextDialog<QMessageBox>(
        [](QMessageBox* box) { return box->button(QMessageBox::Cancel); });
    EXPECT_FALSE(window.close());
    EXPECT_TRUE(window.isVisible());
    ASSERT_TRUE(test::waitFor([&] { return !dialog->isRunning(); }));
    dialog->close();
  }
  ui::ExportDialog* dialog = window.openExportDialog();
  ASSERT_NE(dialog, nullptr);
  dialog->setPath(QString::fromStdString(dir.file("model.pt")));
  dialog->startExport();
  dialog->reject();  // closed first: the export goes on unseen
  const auto wait = test::answerNextDialog<QMessageBox>([](QMessageBox* box) {
    return box->findChild<QAbstractButton*>(QStringLiteral("quit_when_exported"));
  });
  EXPECT_TRUE(window.close());
  EXPECT_TRUE(std::filesystem::exists(dir.file("model.pt")));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_NE(entry.path().filename().string().front(), '.') << entry.path();  // no temp file
}

// New files are named after the project, else the opened model file (a model opened from
// digits.keras proposed mobilenet_0.25_224.pt), in the folder exports go to; an export never
// replaces a file without asking (the opened digits.keras itself, exported as a Keras 3 model).
TEST(MainWindow, ExportsAreNamedAfterTheOpenedFileAndAskBeforeReplacing) {
  test::guiApp();
  test::TempDir dir;
  QSettings().remove(QStringLiteral("export/lastFolder"));
  const std::string keras = dir.file("digits.keras");
  exportModel(test::smallModel(3), ExportFormat::Keras, keras);
  ui::MainWindow window;
  ModelSpec spec;
  spec.source = keras;
  ASSERT_TRUE(window.openModel(spec));
  ui::ExportDialog* dialog = window.openExportDialog();
  ASSERT_NE(dialog, nullptr);
  auto* path = dialog->findChild<QLineEdit*>();
  ASSERT_NE(path, nullptr);
  EXPECT_EQ(QFileInfo(path->text()).fileName(), QStringLiteral("digits.pt"));
  EXPECT_EQ(QFileInfo(path->text()).absolutePath(),
            QDir(ui::ExportDialog::defaultFolder()).absolutePath());

  const auto sizeBefore = std::filesystem::file_size(keras);
  const auto timeBefore = std::filesystem::last_write_time(keras);
  const auto& formats = exportSpecField("format").choices;
  dialog->setFormat(
      static_cast<int>(std::find(formats.begin(), formats.end(), "keras") - formats.begin()));
  dialog->setPath(QString::fromStdString(keras));
  {
    const auto cancel = test::answerNextDialog<QMessageBox>(
        [](QMessageBox* box) { return box->button(QMessageBox::Cancel); });
    dialog->startExport();
  }
  EXPECT_FALSE(dialog->isRunning());
  EXPECT_EQ(std::filesystem::file_size(keras), sizeBefore);
  EXPECT_EQ(std::filesystem::last_write_time(keras), timeBefore);
  dialog->close();

  const std::string project = dir.file("my_model.graft");
  saveProject(test::smallModel(3), project);
  spec.source = project;
  ASSERT_TRUE(window.openModel(spec));
  dialog = window.openExportDialog();
  ASSERT_NE(dialog, nullptr);
  EXPECT_EQ(QFileInfo(dialog->findChild<QLineEdit*>()->text()).fileName(),
            QStringLiteral("my_model.pt"));
  dialog->close();
}

TEST(MainWindow, FreezingInThePropertiesPanelIsUndoneWithCtrlZ) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ASSERT_TRUE(window.openModel(vgg16NoTop()));
  ui::GraphView* view = window.workbench()->view();
  ASSERT_TRUE(view->revealLayer("block1_conv2"));
  QCheckBox* trainable = window.properties()->trainableBox();
  ASSERT_NE(trainable, nullptr);
  EXPECT_TRUE(trainable->isChecked());
  // On the box itself: the check box is stretched across the form and only its indicator and
  // label take clicks.
  QTest::mouseClick(trainable, Qt::LeftButton, Qt::NoModifier, QPoint(8, trainable->height() / 2));

  EXPECT_FALSE(window.document()->graph().at("block1_conv2").trainable);
  EXPECT_FALSE(view->graphScene()->nodeItem("block1_conv2")->view().trainable);  // scene follows
  EXPECT_TRUE(window.isWindowModified());
  const int row = 2;
  EXPECT_EQ(window.layerTable()->item(row, 0)->text(), "block1_conv2");
  EXPECT_EQ(window.layerTable()->item(row, 4)->text(), "frozen");
  EXPECT_NE(window.summary()->totalsText().indexOf("36,928"), -1);  // non-trainable params

  view->setFocus();
  QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_TRUE(window.document()->graph().at("block1_conv2").trainable);
  EXPECT_TRUE(view->graphScene()->nodeItem("block1_conv2")->view().trainable);
  EXPECT_TRUE(trainable->isChecked());
  EXPECT_FALSE(window.isWindowModified());
  QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_FALSE(window.document()->graph().at("block1_conv2").trainable);
}

// The status bar says what each edit did, and what undo and redo did: adding a layer after a cut
// left the cut's sentence there, and undo left it blank.
TEST(MainWindow, TheStatusBarSaysWhatEachEditUndoAndRedoDid) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  window.document()->open(test::smallModel(3), "small", {});
  ASSERT_TRUE(window.editor()->cutAt(QStringLiteral("flatten")));
  EXPECT_TRUE(window.statusBar()->currentMessage().startsWith("Cut at flatten"))
      << window.statusBar()->currentMessage().toStdString();
  ASSERT_TRUE(window.editor()->addAtOutput(QStringLiteral("Dense")));
  EXPECT_TRUE(window.statusBar()->currentMessage().startsWith("Add dense"))
      << window.statusBar()->currentMessage().toStdString();
  window.document()->undoStack()->undo();
  EXPECT_TRUE(window.statusBar()->currentMessage().startsWith("Undone: add dense"))
      << window.statusBar()->currentMessage().toStdString();
  window.document()->undoStack()->undo();
  EXPECT_TRUE(window.statusBar()->currentMessage().startsWith("Undone: cut"))
      << window.statusBar()->currentMessage().toStdString();
  window.document()->undoStack()->redo();
  EXPECT_TRUE(window.statusBar()->currentMessage().startsWith("Redone: cut"))
      << window.statusBar()->currentMessage().toStdString();
  // The History keeps the core's notes with the step; the status bar says the step alone.
  EXPECT_NE(window.document()->undoStack()->text(0).indexOf(" — "), -1)
      << window.document()->undoStack()->text(0).toStdString();
  EXPECT_EQ(window.statusBar()->currentMessage().indexOf(" — "), -1)
      << window.statusBar()->currentMessage().toStdString();
  // A model committed whole (a training run's result) is said as done, not as redone.
  ASSERT_TRUE(window.document()->commitModel(test::smallModel(3), "fine-tune 3 epochs on data"));
  EXPECT_TRUE(window.statusBar()->currentMessage().startsWith("Fine-tune 3 epochs on data."))
      << window.statusBar()->currentMessage().toStdString();
  window.document()->open(test::smallModel(3), "another", {});
  EXPECT_FALSE(window.statusBar()->currentMessage().startsWith("Undone"));
}

// Where the first label the status bar shows begins (its width when none shows).
int leftmostShownLabel(const QStatusBar* status) {
  int right = status->width();
  for (const QLabel* label : status->findChildren<QLabel*>())
    if (label->isVisible() && label->parentWidget() == status)
      right = std::min(right, label->mapTo(status, QPoint(0, 0)).x());
  return right;
}

// A long message (a run's outcome, a refusal) is read whole: the layer counts give it their room
// while it shows (Qt cut it off at their edge), and come back when it goes. One too long even
// without them is elided with "…" where the labels begin, not cut off mid-word, at every width
// the window is given; the whole message stays the tooltip and currentMessage().
TEST(MainWindow, ALongStatusMessageIsNotCutByTheCounts) {
  test::guiApp();
  ui::MainWindow window;
  window.resize(1024, 700);
  window.show();
  window.document()->open(test::smallModel(3), "small", {});
  QApplication::processEvents();
  auto* status = dynamic_cast<ui::ElidingStatusBar*>(window.statusBar());
  ASSERT_NE(status, nullptr);
  auto* counts = status->findChild<QLabel*>(QStringLiteral("params_label"));
  ASSERT_NE(counts, nullptr);
  ASSERT_TRUE(counts->isVisible());
  const QString shortMessage = QStringLiteral("Saved small.graft");
  status->showMessage(shortMessage, 20000);
  QApplication::processEvents();
  EXPECT_TRUE(counts->isVisible()) << "a short message leaves the counts";
  EXPECT_EQ(status->shownMessage(), shortMessage);
  QString longMessage = QStringLiteral(
      "Trained 3 epochs: validation accuracy 0.91 (best at epoch 2"
      ", kept); the model holds epoch 2's weights. ");
  while (status->fontMetrics().horizontalAdvance(longMessage) < status->width() * 3 / 5)
    longMessage += QStringLiteral("More of what the run found. ");
  status->showMessage(longMessage, 20000);
  QApplication::processEvents();
  EXPECT_FALSE(counts->isVisible());
  EXPECT_LT(status->fontMetrics().horizontalAdvance(longMessage), leftmostShownLabel(status))
      << "the message runs under the labels from x " << leftmostShownLabel(status);
  EXPECT_EQ(status->shownMessage(), longMessage);
  EXPECT_EQ(status->toolTip(), longMessage);
  status->clearMessage();
  QApplication::processEvents();
  EXPECT_TRUE(counts->isVisible());

  QString tooLong = QStringLiteral("Refused: ");
  while (status->fontMetrics().horizontalAdvance(tooLong) < status->width() * 2)
    tooLong += QStringLiteral("the layer conv_pw_13 needs a wider input. ");
  tooLong += QStringLiteral("The end.");
  status->showMessage(tooLong, 20000);
  for (const int width : {1024, 700, 1400}) {
    SCOPED_TRACE(width);
    window.resize(width, 700);
    QApplication::processEvents();
    const QString shown = status->shownMessage();
    EXPECT_TRUE(shown.contains(QChar(0x2026))) << shown.toStdString();
    EXPECT_TRUE(shown.startsWith(QStringLiteral("Refused: "))) << shown.toStdString();
    EXPECT_TRUE(shown.endsWith(QStringLiteral("The end."))) << shown.toStdString();
    EXPECT_LE(status->messageRect().right(), leftmostShownLabel(status));
    EXPECT_LE(status->fontMetrics().horizontalAdvance(shown), status->messageRect().width());
    EXPECT_EQ(status->currentMessage(), tooLong);
    EXPECT_EQ(status->toolTip(), tooLong);
  }
}

// The start page over an open model: Start Page again goes back to the model, and an Undo from
// the toolbar shows what it undid (it changed the model the page hid).
TEST(MainWindow, TheStartPageGivesWayBackToTheModel) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  window.document()->open(test::smallModel(3), "small", {});
  window.showWorkbench();
  ASSERT_TRUE(window.editor()->cutAt(QStringLiteral("flatten")));
  ASSERT_TRUE(window.workbench()->isVisible());
  window.showStartPage();
  EXPECT_FALSE(window.workbench()->isVisible());
  window.showStartPage();  // the toolbar's Start Page again
  EXPECT_TRUE(window.workbench()->isVisible());
  window.showStartPage();
  window.document()->undoStack()->undo();
  EXPECT_TRUE(window.workbench()->isVisible());
}

TEST(MainWindow, RenameThroughThePropertiesPanelKeepsTheSelection) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ASSERT_TRUE(window.openModel(vgg16NoTop()));
  ui::GraphView* view = window.workbench()->view();
  ASSERT_TRUE(view->revealLayer("block5_pool"));
  QLineEdit* name = window.properties()->nameEdit();
  name->setFocus();
  name->selectAll();
  QTest::keyClicks(name, "features");
  QTest::keyClick(name, Qt::Key_Return);
  EXPECT_NE(window.document()->graph().find("features"), nullptr);
  EXPECT_EQ(window.document()->graph().find("block5_pool"), nullptr);
  EXPECT_NE(view->graphScene()->nodeItem("features"), nullptr);  // relaid out under the new name
  EXPECT_EQ(view->graphScene()->selectedLayers(), QStringList{"features"});
  EXPECT_EQ(window.document()->recipe()["operations"][0]["op"], "rename");

  // A refused name (another layer's) is not left in the field as if it were this layer's.
  test::CapturedErrors errors;
  name = window.properties()->nameEdit();  // the panel was rebuilt for the renamed layer
  name->setFocus();
  name->selectAll();
  QTest::keyClicks(name, "block5_conv1");
  QTest::keyClick(name, Qt::Key_Return);
  ASSERT_EQ(errors.messages().size(), 1);
  EXPECT_NE(window.document()->graph().find("features"), nullptr);
  EXPECT_EQ(name->text(), QStringLiteral("features"));
}

TEST(MainWindow, FindLayerByNameWithCtrlF) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ASSERT_TRUE(window.openModel(vgg16NoTop()));
  QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
  ui::FindBar* find = window.workbench()->findBar();
  ASSERT_TRUE(find->isVisible());
  QTest::keyClicks(find->lineEdit(), "block4_conv3");
  QTest::keyClick(find->lineEdit(), Qt::Key_Return);
  ui::GraphView* view = window.workbench()->view();
  EXPECT_EQ(view->graphScene()->selectedLayers(), QStringList{"block4_conv3"});
  // The found layer is in view.
  const QRectF visible = view->mapToScene(view->viewport()->rect()).boundingRect();
  EXPECT_TRUE(visible.contains(view->graphScene()->nodeItem("block4_conv3")->pos()));

  // The count follows edits: "1 of 3" stayed after matches were removed.
  find->lineEdit()->setText(QStringLiteral("block4_conv"));
  QTest::keyClick(find->lineEdit(), Qt::Key_Return);
  EXPECT_EQ(find->statusText(), QStringLiteral("1 of 3"));
  ASSERT_TRUE(window.document()->apply1(ops::remove({"block4_conv3"}), "remove").empty());
  EXPECT_EQ(find->statusText(), QStringLiteral("2 matches"));
}

TEST(MainWindow, ShapeProblemsAreMarkedOnTheOffendingLayer) {
  test::guiApp();
  ui::MainWindow window;
  window.show();
  ASSERT_TRUE(window.openModel(vgg16NoTop()));
  // A 5x5 kernel on block5_pool's 5x5 output is fine; 9x9 is not: the conv after it fails.
  ASSERT_TRUE(window.document()
                  ->apply1(Json{{"op", "rename"}, {"layer", "block5_pool"}, {"to", "p5"}}, "x")
                  .empty());
  Model broken = window.document()->model();
  std::vector<Node> nodes = broken.graph.nodes();
  Node conv;
  conv.name = "too_big";
  conv.className = "Conv2D";
  conv.config = LayerRegistry::standard().normalizeConfig(
      "Conv2D", {{"filters", 4}, {"kernel_size", {9, 9}}});
  conv.inputs = {"p5"};
  nodes.push_back(conv);
  broken.graph = Graph(broken.graph.name(), nodes);
  window.document()->open(broken, "broken", {});
  const ui::NodeItem* item = window.workbench()->scene()->nodeItem("too_big");
  ASSERT_NE(item, nullptr);
  EXPECT_FALSE(item->view().problem.isEmpty());
  EXPECT_NE(item->toolTip().indexOf(item->view().problem.toHtmlEscaped()), -1);
  EXPECT_TRUE(window.workbench()->scene()->nodeItem("p5")->view().problem.isEmpty());
  window.workbench()->view()->revealLayer("too_big");
  EXPECT_FALSE(test::screenshot(window.workbench(), "shape_problem").isNull());
}

}  // namespace
}  // namespace graft
