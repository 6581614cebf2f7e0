// The prediction preview's layer view: choosing a layer shows its strongest feature maps (bars
// for a flat output) and a Grad-CAM overlay at the image's size, computed off the GUI thread;
// the opacity slider and the class chooser redraw it.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QSlider>
#include <cmath>

#include "graph/graph_builder.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/feature_map_grid.h"
#include "ui/layer_insight_view.h"
#include "ui/main_window.h"
#include "ui/prediction_panel.h"
#include "ui_test_support.h"

namespace graft {
namespace {

std::vector<float> wave(size_t n, float phase) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 0.5f * std::sin(1.7f * static_cast<float>(i) + phase);
  return v;
}

// input (None, 24, 24, 3) -> conv1 (6 maps, relu) -> gap -> fc (3 classes, softmax).
Model smallConvNet() {
  GraphBuilder b("small_conv");
  auto x = b.input("input_1", {kUnknown, 24, 24, 3});
  x = b.add("Conv2D", "conv1", {{"filters", 6}, {"kernel_size", {3, 3}}, {"activation", "relu"}},
            x);
  x = b.add("GlobalAveragePooling2D", "gap", Json::object(), x);
  b.add("Dense", "fc", {{"units", 3}, {"activation", "softmax"}}, x);
  Model m;
  m.graph = b.build();
  m.weights.set("conv1", {WeightTensor::fromValues({3, 3, 3, 6}, wave(162, 0.f)),
                          WeightTensor::fromValues({6}, wave(6, 1.f))});
  m.weights.set("fc", {WeightTensor::fromValues({6, 3}, wave(18, 2.f)),
                       WeightTensor::fromValues({3}, {0, 0, 0})});
  m.preprocessing = Preprocessing::Unit;
  m.labels = {"sky", "sea", "sand"};
  return m;
}

void choose(QComboBox* combo, const QString& text) {
  const int i = combo->findText(text);
  ASSERT_GE(i, 0) << text.toStdString();
  combo->setCurrentIndex(i);
  Q_EMIT combo->activated(i);
}

TEST(LayerInsight, FeatureMapsAndGradCamOfTheSelectedImage) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  ui::MainWindow window;
  window.resize(1400, 1000);
  window.show();
  window.document()->open(smallConvNet(), "small_conv", {});
  // 60 x 40, a bright square in a dark field: a picture Grad-CAM's colours visibly change.
  cv::Mat bgr(40, 60, CV_8UC3, cv::Scalar(30, 40, 50));
  bgr(cv::Rect(10, 8, 20, 20)).setTo(cv::Scalar(220, 200, 90));
  const std::string file = dir.file("square.png");
  ASSERT_TRUE(cv::imwrite(file, bgr));

  window.predictImages({QString::fromStdString(file)});
  ui::PredictionPanel* panel = window.predictionPanel();
  ui::LayerInsightView* view = panel->insight();
  // The panel gets room for the list and the maps below it (they were hidden under the
  // controls in the default layout).
  QApplication::processEvents();
  EXPECT_GE(window.findChild<QDockWidget*>(QStringLiteral("dock_predictions"))->height(),
            window.height() / 2);
  // The first row is selected when the predictions arrive; its maps follow.
  ASSERT_TRUE(test::waitFor(
      [&] { return !panel->isRunning() && !view->isComputing() && !view->overlay().isNull(); }));
  EXPECT_EQ(view->layerChooser()->currentText(), "conv1");  // the last spatial map
  EXPECT_EQ(view->grid()->mapCount(), 6);                   // fewer channels than the grid holds
  EXPECT_EQ(view->overlay().size(), QSize(60, 40));
  EXPECT_NE(view->note().indexOf("Grad-CAM at conv1"), -1) << view->note().toStdString();
  EXPECT_NE(view->note().indexOf("predicted"), -1) << view->note().toStdString();

  // Opacity 0: the image itself; 100: the colour map alone, everywhere different.
  view->opacitySlider()->setValue(0);
  const QImage plain = view->overlay().convertToFormat(QImage::Format_RGB888);
  EXPECT_EQ(plain.pixelColor(2, 2), QColor(50, 40, 30));
  EXPECT_EQ(plain.pixelColor(15, 15), QColor(90, 200, 220));
  view->opacitySlider()->setValue(100);
  EXPECT_NE(view->overlay().pixelColor(2, 2), QColor(50, 40, 30));
  view->opacitySlider()->setValue(60);

  // Another class by the chooser.
  choose(view->classChooser(), "2: sand");
  ASSERT_TRUE(test::waitFor([&] { return !view->isComputing(); }));
  EXPECT_NE(view->note().indexOf("class 2 (sand)"), -1) << view->note().toStdString();
  EXPECT_FALSE(view->overlay().isNull());
  test::screenshot(&window, "layer_insight_maps");

  // A Dense layer: its values as bars; Grad-CAM stays at the last spatial map, saying why.
  choose(view->layerChooser(), "fc");
  ASSERT_TRUE(test::waitFor([&] { return !view->isComputing() && view->grid()->barCount() > 0; }));
  EXPECT_EQ(view->grid()->barCount(), 3);
  EXPECT_EQ(view->grid()->mapCount(), 0);
  EXPECT_NE(view->note().indexOf("fc has no spatial map"), -1) << view->note().toStdString();
  EXPECT_EQ(view->overlay().size(), QSize(60, 40));
  test::screenshot(&window, "layer_insight_bars");
  EXPECT_TRUE(errors.messages().isEmpty());
}

}  // namespace
}  // namespace graft
