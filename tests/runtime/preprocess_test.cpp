// Keras imagenet_utils.preprocess_input on a hand-made image; expected values worked out from
// the formulas (caffe, tf, torch) outside this code.
#include <gtest/gtest.h>

#include "graph/diagnostic.h"
#include "runtime/data/preprocess.h"

namespace graft {
namespace {

// One row, two pixels, RGB: (10, 20, 30) and (255, 0, 128).
cv::Mat twoPixels() {
  cv::Mat m(1, 2, CV_32FC3);
  m.at<cv::Vec3f>(0, 0) = {10, 20, 30};
  m.at<cv::Vec3f>(0, 1) = {255, 0, 128};
  return m;
}

// Planar (C, H, W) values for twoPixels(): [c0 p0, c0 p1, c1 p0, c1 p1, c2 p0, c2 p1].
std::vector<float> planar(Preprocessing mode) {
  std::vector<float> out(6);
  preprocessPlanar(twoPixels(), mode, out.data());
  return out;
}

void expectValues(const std::vector<float>& actual, const std::vector<float>& expected,
                  float tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], tolerance) << "value " << i;
}

TEST(Preprocess, CaffeIsBgrMinusMeanUnscaled) {
  // B - 103.939, G - 116.779, R - 123.68
  expectValues(
      planar(Preprocessing::Caffe),
      {30 - 103.939f, 128 - 103.939f, 20 - 116.779f, 0 - 116.779f, 10 - 123.68f, 255 - 123.68f},
      1e-4f);
  expectValues(planar(Preprocessing::Caffe),
               {-73.939f, 24.061f, -96.779f, -116.779f, -113.68f, 131.32f}, 1e-3f);
}

TEST(Preprocess, TfScalesToMinusOneOne) {
  expectValues(planar(Preprocessing::Tf),
               {-0.92156863f, 1.f, -0.84313726f, -1.f, -0.7647059f, 0.00392163f}, 1e-6f);
}

TEST(Preprocess, TorchUsesImagenetMeanAndStd) {
  // (10/255 - 0.485) / 0.229 = -1.9466565, (255/255 - 0.485) / 0.229 = 2.2489083, ...
  expectValues(planar(Preprocessing::Torch),
               {-1.9466565f, 2.2489083f, -1.6855742f, -2.0357141f, -1.2815686f, 0.42649257f},
               1e-5f);
}

TEST(Preprocess, UnitAndNone) {
  expectValues(planar(Preprocessing::Unit),
               {0.03921569f, 1.f, 0.07843138f, 0.f, 0.11764706f, 0.5019608f}, 1e-7f);
  expectValues(planar(Preprocessing::None), {10, 255, 20, 0, 30, 128}, 0);
}

TEST(Preprocess, BatchIsNchwInImageOrder) {
  cv::Mat second(1, 2, CV_32FC3, cv::Scalar(1, 2, 3));
  const torch::Tensor batch = preprocessBatch({twoPixels(), second}, Preprocessing::None);
  ASSERT_EQ(batch.sizes(), (std::vector<int64_t>{2, 3, 1, 2}));
  EXPECT_EQ(batch.scalar_type(), torch::kFloat32);
  EXPECT_EQ(batch[0][0][0][1].item<float>(), 255.f);  // image 0, R, pixel 1
  EXPECT_EQ(batch[0][2][0][1].item<float>(), 128.f);  // image 0, B, pixel 1
  EXPECT_EQ(batch[1][1][0][0].item<float>(), 2.f);    // image 1, G
  const torch::Tensor caffe = preprocessBatch({twoPixels()}, Preprocessing::Caffe);
  EXPECT_NEAR(caffe[0][0][0][0].item<float>(), 30 - 103.939f, 1e-4f);  // B first
}

TEST(Preprocess, GrayInputAndMismatches) {
  cv::Mat gray(1, 1, CV_32FC1, cv::Scalar(51));
  const torch::Tensor t = preprocessBatch({gray}, Preprocessing::Unit);
  ASSERT_EQ(t.sizes(), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_NEAR(t.item<float>(), 0.2f, 1e-7f);
  EXPECT_THROW(preprocessBatch({gray}, Preprocessing::Caffe), Error);
  EXPECT_THROW(preprocessBatch({gray}, Preprocessing::Torch), Error);
  EXPECT_THROW(preprocessBatch({twoPixels(), gray}, Preprocessing::None), Error);
  EXPECT_THROW(preprocessBatch({}, Preprocessing::None), Error);
}

}  // namespace
}  // namespace graft
