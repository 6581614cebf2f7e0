// Feature maps and Grad-CAM as the CLI and the GUI get them (runtime/prediction/layer_maps.h,
// runtime/data/rgb_image.h): the strongest channels and their normalisation, the overlay's colours,
// and a whole run from an image file.
#include "runtime/prediction/layer_maps.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "graph/graph_builder.h"
#include "runtime/prediction/predict.h"
#include "runtime_test_util.h"
#include "support/test_support.h"

namespace graft {
namespace {

TEST(FeatureMaps, StrongestChannelsComeFirstEachScaledToItsOwnRange) {
  // (H, W, C) = (2, 2, 4), Keras order: channel means 1, 5, 3, 2 (channel 3 constant).
  const std::vector<float> ch0{0, 1, 2, 1}, ch1{4, 6, 5, 5}, ch2{-1, 7, 3, 3}, ch3{2, 2, 2, 2};
  std::vector<float> values;
  for (int p = 0; p < 4; ++p)
    for (const auto* ch : {&ch0, &ch1, &ch2, &ch3}) values.push_back((*ch)[p]);
  const FeatureMaps maps = strongestChannels("conv", {2, 2, 4}, values, 3);
  ASSERT_TRUE(maps.spatial());
  EXPECT_EQ(maps.height, 2);
  EXPECT_EQ(maps.width, 2);
  ASSERT_EQ(maps.channels.size(), 3u);
  EXPECT_EQ(maps.channels[0].channel, 1);
  EXPECT_EQ(maps.channels[1].channel, 2);
  EXPECT_EQ(maps.channels[2].channel, 3);
  EXPECT_DOUBLE_EQ(maps.channels[0].mean, 5.0);
  EXPECT_EQ(maps.channels[0].values, (std::vector<float>{0, 1, 0.5f, 0.5f}));
  EXPECT_EQ(maps.channels[1].values, (std::vector<float>{0, 1, 0.5f, 0.5f}));
  EXPECT_EQ(maps.channels[2].values, (std::vector<float>{0, 0, 0, 0}));  // constant
  EXPECT_TRUE(maps.values.empty());

  EXPECT_EQ(strongestChannels("conv", {2, 2, 4}, values, 10).channels.size(), 4u);
}

TEST(FeatureMaps, FlatOutputsKeepTheirValues) {
  const std::vector<float> dense{0.5f, -2.f, 3.f};
  const FeatureMaps flat = strongestChannels("fc", {3}, dense, 8);
  EXPECT_FALSE(flat.spatial());
  EXPECT_TRUE(flat.channels.empty());
  EXPECT_EQ(flat.values, dense);
  // A 1 x 1 map is a vector of channels too.
  EXPECT_EQ(strongestChannels("gap", {1, 1, 3}, dense, 8).values, dense);
}

TEST(HeatmapOverlay, BlendsTheJetColoursAtTheImageSize) {
  RgbImage grey{6, 4, std::vector<uint8_t>(6 * 4 * 3, 128)};
  const std::vector<float> map{0.f, 1.f};  // 2 x 1: cold left, hot right
  const RgbImage none = overlayHeatmap(grey, map, 2, 1, 0.0);
  EXPECT_EQ(none.pixels, grey.pixels);
  const RgbImage full = overlayHeatmap(grey, map, 2, 1, 1.0);
  ASSERT_EQ(full.width, 6);
  ASSERT_EQ(full.height, 4);
  const auto px = [&](int x, int c) { return full.pixels[(x + 6 * 2) * 3 + c]; };
  EXPECT_GT(px(0, 2), px(0, 0) + 100);  // left: blue
  EXPECT_GT(px(5, 0), px(5, 2) + 100);  // right: red
  const RgbImage half = overlayHeatmap(grey, map, 2, 1, 0.5);
  EXPECT_NEAR(half.pixels[2], (128 + px(0, 2)) / 2.0, 1.0);
  EXPECT_THROW(overlayHeatmap(grey, map, 3, 1, 0.5), Error);
}

Model tinyClassifier() {
  GraphBuilder b("tiny");
  auto x = b.input("input_1", {kUnknown, 16, 16, 3});
  x = b.add("Conv2D", "conv1",
            {{"filters", 5}, {"kernel_size", {3, 3}}, {"strides", {2, 2}}, {"activation", "relu"}},
            x);
  x = b.add("GlobalAveragePooling2D", "pool", Json::object(), x);
  Model m;
  m.graph = b.build({b.add("Dense", "predictions", {{"units", 3}, {"activation", "softmax"}}, x)});
  m.weights = test::randomWeights(m.graph, 4);
  m.preprocessing = Preprocessing::Unit;
  m.labels = {"cat", "dog", "owl"};
  return m;
}

TEST(LayerMaps, GradCamAndFeatureMapsOfAnImageFile) {
  const test::TempDir dir;
  RgbImage image{20, 10, {}};
  for (int i = 0; i < 20 * 10 * 3; ++i) image.pixels.push_back(static_cast<uint8_t>(i * 7));
  const std::string file = dir.file("stripes.png");
  writePng(image, file);
  EXPECT_EQ(loadRgbImage(file).pixels, image.pixels);

  LayerMaps maps(tinyClassifier());
  EXPECT_EQ(maps.layers(), (std::vector<std::string>{"conv1", "pool", "predictions"}));
  EXPECT_EQ(maps.defaultGradCamLayer(), "conv1");
  const GradCamMap cam = maps.gradCam(file, "auto");
  EXPECT_EQ(cam.layer, "conv1");
  EXPECT_TRUE(cam.predicted);
  EXPECT_EQ(cam.label, maps.labels()[cam.classIndex]);
  EXPECT_EQ(cam.height, 7);
  EXPECT_EQ(cam.width, 7);
  EXPECT_EQ(cam.map.size(), 49u);
  const GradCamMap other = maps.gradCam(file, "conv1", (cam.classIndex + 1) % 3);
  EXPECT_FALSE(other.predicted);
  EXPECT_EQ(maps.classes(), 3);
  EXPECT_EQ(maps.classIndexOf("owl"), 2);
  EXPECT_EQ(maps.classIndexOf("1"), 1);
  EXPECT_THROW(maps.classIndexOf("zebra"), Error);
  EXPECT_THROW(maps.classIndexOf("3"), Error);

  const FeatureMaps conv = maps.featureMaps(file, "conv1", 3);
  EXPECT_EQ(conv.shape, (Shape{7, 7, 5}));
  EXPECT_EQ(conv.channels.size(), 3u);
  const FeatureMaps probabilities = maps.featureMaps(file, "predictions", 3);
  ASSERT_EQ(probabilities.values.size(), 3u);
  EXPECT_NEAR(probabilities.values[0] + probabilities.values[1] + probabilities.values[2], 1.0,
              1e-5);
  try {
    maps.featureMaps(file, "nowhere", 3);
    ADD_FAILURE() << "no error for an unknown layer";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nowhere"), std::string::npos);
  }
}

// A class whose Dense weights are all negative on ReLU features: no position raises its score,
// the map is 0 everywhere, and that is said (a head fitted by the cut explorer left the overlay
// blank without a word).
TEST(LayerMaps, AMapWithNoEvidenceSaysSo) {
  const test::TempDir dir;
  RgbImage image{16, 16, {}};
  for (int i = 0; i < 16 * 16 * 3; ++i) image.pixels.push_back(static_cast<uint8_t>(i * 5));
  const std::string file = dir.file("image.png");
  writePng(image, file);
  Model model = tinyClassifier();
  std::vector<float> kernel(5 * 3, 0.5f);
  for (int c = 0; c < 5; ++c) kernel[c * 3 + 0] = -0.5f;  // class 0: every channel lowers it
  model.weights.set("predictions", {WeightTensor::fromValues({5, 3}, kernel),
                                    WeightTensor::fromValues({3}, {0.0f, 0.0f, 0.0f})});
  LayerMaps maps(model);
  const GradCamMap against = maps.gradCam(file, "conv1", 0);
  EXPECT_TRUE(against.noEvidence);
  EXPECT_TRUE(std::all_of(against.map.begin(), against.map.end(), [](float v) { return v == 0; }));
  EXPECT_FALSE(maps.gradCam(file, "conv1", 1).noEvidence);
}

// Logits 0, 1e-8, 0 (a zero kernel): softmax's probabilities tie in float, exactly 1/3 each.
// predict lists the lower index first; Grad-CAM's "predicted" class is that one (the logits'
// argmax, class 1, made the two disagree).
TEST(LayerMaps, GradCamPredictsTheClassPredictListsFirstOnATie) {
  const test::TempDir dir;
  RgbImage image{16, 16, std::vector<uint8_t>(16 * 16 * 3, 90)};
  const std::string file = dir.file("image.png");
  writePng(image, file);
  Model model = tinyClassifier();
  model.weights.set("predictions", {WeightTensor::fromValues({5, 3}, std::vector<float>(15, 0.f)),
                                    WeightTensor::fromValues({3}, {0.0f, 1e-8f, 0.0f})});
  const std::vector<ImagePrediction> predicted = Predictor(model).run({file});
  ASSERT_EQ(predicted.size(), 1u);
  ASSERT_TRUE(predicted[0].ok()) << predicted[0].error;
  ASSERT_EQ(predicted[0].output[0], predicted[0].output[1]);  // the tie this test is about
  const int64_t top = predicted[0].top.front().index;
  EXPECT_EQ(top, 0);

  LayerMaps maps(model);
  const GradCamMap cam = maps.gradCam(file, "auto");
  EXPECT_EQ(cam.classIndex, top);
  EXPECT_EQ(cam.label, "cat");
  EXPECT_TRUE(cam.predicted);
  EXPECT_FALSE(maps.gradCam(file, "conv1", 1).predicted);
  EXPECT_EQ(predictedClass(predicted[0].output), top);
}

}  // namespace
}  // namespace graft
