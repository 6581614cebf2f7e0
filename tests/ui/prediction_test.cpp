// Prediction preview: images dropped on the window run through the current model (the core
// Predictor, off the GUI thread) and show their top classes; a changed model is run again on the
// same images; unreadable files are shown as such and the rest still run.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <QApplication>
#include <QDropEvent>
#include <QMimeData>
#include <QPushButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QUrl>
#include <fstream>

#include "graph/graph_builder.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/main_window.h"
#include "ui/prediction_panel.h"
#include "ui_test_support.h"

namespace graft {
namespace {

using test::TempDir;

// input (None, 4, 4, 3) /255 -> GlobalAveragePooling2D -> Dense(2, softmax), kernel rows
// R: [a, -a], G: [0, 0], B: [-a, a]: red is "warm", blue is "cool", with p = sigmoid(2a).
Model colourClassifier(float a) {
  GraphBuilder b("colours");
  auto x = b.input("input_1", {kUnknown, 4, 4, 3});
  x = b.add("GlobalAveragePooling2D", "gap", Json::object(), x);
  b.add("Dense", "fc", {{"units", 2}, {"activation", "softmax"}}, x);
  Model m;
  m.graph = b.build();
  m.weights.set("fc", {WeightTensor::fromValues({3, 2}, {a, -a, 0, 0, -a, a}),
                       WeightTensor::fromValues({2}, {0, 0})});
  m.preprocessing = Preprocessing::Unit;
  m.labels = {"warm", "cool"};
  return m;
}

std::string solidPng(const TempDir& dir, const std::string& name, cv::Vec3b rgb) {
  const cv::Mat bgr(12, 9, CV_8UC3, cv::Scalar(rgb[2], rgb[1], rgb[0]));
  EXPECT_TRUE(cv::imwrite(dir.file(name), bgr));
  return dir.file(name);
}

void dropFiles(QWidget* target, const std::vector<std::string>& files) {
  QMimeData mime;
  QList<QUrl> urls;
  for (const std::string& f : files) urls << QUrl::fromLocalFile(QString::fromStdString(f));
  mime.setUrls(urls);
  QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &enter);
  ASSERT_TRUE(enter.isAccepted());
  QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &drop);
}

QString rowText(const QTreeWidget* list, int row, int column) {
  return list->topLevelItem(row)->text(column);
}

TEST(PredictionPreview, DroppedImagesShowTheModelsTopClasses) {
  test::guiApp();
  test::CapturedErrors errors;
  TempDir dir;
  ui::MainWindow window;
  window.resize(1400, 900);
  window.show();
  window.document()->open(colourClassifier(2.0f), "colours", {});
  const std::string red = solidPng(dir, "red.png", {255, 0, 0});
  const std::string blue = solidPng(dir, "blue.png", {0, 0, 255});
  const std::string broken = dir.file("broken.jpg");
  std::ofstream(broken) << "not a jpeg";

  ui::PredictionPanel* panel = window.predictionPanel();
  dropFiles(&window, {red, broken, blue});
  ASSERT_TRUE(test::waitFor(
      [&] { return !panel->isRunning() && panel->results()->topLevelItemCount() == 3; }));
  EXPECT_TRUE(panel->isVisible());
  const QTreeWidget* list = panel->results();
  // red: mean (1, 0, 0) -> logits (2, -2) -> p(warm) = sigmoid(4) = 98.2 %.
  EXPECT_EQ(rowText(list, 0, 0), "red.png");
  EXPECT_EQ(rowText(list, 0, 1), "warm   98.2 %");
  ASSERT_EQ(list->topLevelItem(0)->childCount(), 1);  // two classes: the runner-up below
  EXPECT_EQ(list->topLevelItem(0)->child(0)->text(1), "cool   1.8 %");
  EXPECT_FALSE(list->topLevelItem(0)->icon(0).isNull());  // a thumbnail
  // The unreadable file is named in its row and the cell gives the loader's reason (the path
  // first left only "/tmp/…" visible); the others still ran.
  EXPECT_EQ(rowText(list, 1, 0), "broken.jpg");
  EXPECT_TRUE(rowText(list, 1, 1).startsWith("not an image or corrupt"))
      << rowText(list, 1, 1).toStdString();
  EXPECT_NE(list->topLevelItem(1)->toolTip(1).indexOf("broken.jpg"), -1);  // the whole message
  EXPECT_EQ(rowText(list, 2, 1), "cool   98.2 %");
  EXPECT_NE(panel->status().indexOf("1 could not be read"), -1) << panel->status().toStdString();
  EXPECT_TRUE(errors.messages().isEmpty());
  EXPECT_FALSE(test::screenshot(&window, "prediction_preview").isNull());

  // A changed model (weaker weights, as after training): a few images run again by themselves,
  // as the maps below them follow the model: sigmoid(2 * 0.5) = 73.1 %.
  window.document()->commitModel(colourClassifier(0.5f), "retrained");
  EXPECT_NE(panel->status().indexOf("The model changed: predicting again"), -1)
      << panel->status().toStdString();
  ASSERT_TRUE(test::waitFor([&] {
    return !panel->isRunning() && panel->results()->topLevelItemCount() == 3 &&
           rowText(panel->results(), 0, 1) != "warm   98.2 %";
  }));
  EXPECT_EQ(rowText(panel->results(), 0, 1), "warm   73.1 %");
  // Undo: the numbers of the model as it was.
  window.document()->undoStack()->undo();
  ASSERT_TRUE(test::waitFor(
      [&] { return !panel->isRunning() && rowText(panel->results(), 0, 1) == "warm   98.2 %"; }));
  auto* again = panel->findChild<QPushButton*>("prediction_rerun");
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->isEnabled());
}

// Many images on screen are not run again on every edit: they say they are stale, and Run Again
// updates them.
TEST(PredictionPreview, ManyImagesSayTheyAreStaleAndRunAgainUpdatesThem) {
  test::guiApp();
  test::CapturedErrors errors;
  TempDir dir;
  ui::MainWindow window;
  window.show();
  window.document()->open(colourClassifier(2.0f), "colours", {});
  const std::string red = solidPng(dir, "red.png", {255, 0, 0});
  QStringList files;
  for (int i = 0; i <= ui::PredictionPanel::kLiveImages; ++i) files << QString::fromStdString(red);
  ui::PredictionPanel* panel = window.predictionPanel();
  window.predictImages(files);
  ASSERT_TRUE(test::waitFor([&] {
    return !panel->isRunning() && panel->results()->topLevelItemCount() == files.size();
  }));
  window.document()->commitModel(colourClassifier(0.5f), "retrained");
  EXPECT_NE(panel->status().indexOf("changed since these predictions"), -1)
      << panel->status().toStdString();
  EXPECT_FALSE(panel->isRunning());
  auto* again = panel->findChild<QPushButton*>("prediction_rerun");
  ASSERT_NE(again, nullptr);
  again->click();
  ASSERT_TRUE(test::waitFor(
      [&] { return !panel->isRunning() && rowText(panel->results(), 0, 1) == "warm   73.1 %"; }));
}

TEST(PredictionPreview, AModelWithoutAClassVectorShowsItsOutputAndAWrongModelAnError) {
  test::guiApp();
  test::CapturedErrors errors;
  TempDir dir;
  ui::MainWindow window;
  window.show();
  // Stop at the pooling: a 3-value feature vector that is not a classifier's.
  GraphBuilder b("features");
  auto x = b.input("input_1", {kUnknown, 4, 4, 3});
  b.add("GlobalAveragePooling2D", "gap", Json::object(), x);
  Model features;
  features.graph = b.build();
  features.preprocessing = Preprocessing::Unit;
  window.document()->open(features, "features", {});
  const std::string red = solidPng(dir, "red.png", {255, 0, 0});
  window.predictImages({QString::fromStdString(red)});
  ui::PredictionPanel* panel = window.predictionPanel();
  ASSERT_TRUE(test::waitFor([&] { return !panel->isRunning(); }));
  ASSERT_EQ(panel->results()->topLevelItemCount(), 1);
  EXPECT_EQ(rowText(panel->results(), 0, 1), "output (3,): min 0, mean 0.3333, max 1");

  // Two inputs: the Predictor refuses the model as a whole, in a dialog naming why.
  GraphBuilder two("two_inputs");
  auto a = two.input("left", {kUnknown, 4, 4, 3});
  auto c = two.input("right", {kUnknown, 4, 4, 3});
  two.add("Add", "sum", Json::object(), {a, c});
  Model twoInputs;
  twoInputs.graph = two.build();
  window.document()->open(twoInputs, "two inputs", {});
  window.predictImages({QString::fromStdString(red)});
  ASSERT_TRUE(test::waitFor([&] { return !panel->isRunning() && !errors.messages().isEmpty(); }));
  EXPECT_NE(errors.messages().front().indexOf("input"), -1)
      << errors.messages().front().toStdString();
  EXPECT_EQ(panel->results()->topLevelItemCount(), 0);
}

}  // namespace
}  // namespace graft
