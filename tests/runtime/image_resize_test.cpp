// Resizing as Keras's load_img(target_size=...) does (PIL NEAREST), and choosing the size.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "graph/diagnostic.h"
#include "runtime/data/image_resize.h"

namespace graft {
namespace {

// A one-row image whose value is its column index (and 100 * row index in a second channel).
cv::Mat indexImage(int width, int height) {
  cv::Mat m(height, width, CV_32FC2);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) m.at<cv::Vec2f>(y, x) = {float(x), float(100 * y)};
  return m;
}

std::vector<int> columnsOf(const cv::Mat& m) {
  std::vector<int> v;
  for (int x = 0; x < m.cols; ++x) v.push_back(static_cast<int>(m.at<cv::Vec2f>(0, x)[0]));
  return v;
}

std::vector<int> rowsOf(const cv::Mat& m) {
  std::vector<int> v;
  for (int y = 0; y < m.rows; ++y) v.push_back(static_cast<int>(m.at<cv::Vec2f>(y, 0)[1]) / 100);
  return v;
}

// Source index floor((x + 0.5) * in / out) where no centre lands on a pixel edge, by hand:
//   5 -> 3: 0.83, 2.5, 4.17          -> 0, 2, 4   (OpenCV INTER_NEAREST would give 0, 1, 3)
//   3 -> 5: 0.3, 0.9, 1.5, 2.1, 2.7  -> 0, 0, 1, 2, 2
//   7 -> 2: 1.75, 5.25               -> 1, 5
TEST(ImageResize, NearestMatchesPil) {
  EXPECT_EQ(columnsOf(resizeNearest(indexImage(5, 1), 3, 1)), (std::vector<int>{0, 2, 4}));
  EXPECT_EQ(columnsOf(resizeNearest(indexImage(3, 1), 5, 1)), (std::vector<int>{0, 0, 1, 2, 2}));
  const cv::Mat m = resizeNearest(indexImage(5, 7), 3, 2);
  EXPECT_EQ(m.size(), cv::Size(3, 2));
  EXPECT_EQ(rowsOf(m), (std::vector<int>{1, 5}));
  EXPECT_EQ(columnsOf(m), (std::vector<int>{0, 2, 4}));
  // Where a centre falls exactly on a pixel's edge, Pillow's summed centres fall short of it.
  // Pillow 9.4: Image.fromarray(np.arange(64, dtype=np.int32)[None], "I")
  //   .resize((28, 1), Image.NEAREST) (the exact rule reads 8 for column 3, 48 for 21).
  EXPECT_EQ(columnsOf(resizeNearest(indexImage(64, 1), 28, 1)),
            (std::vector<int>{1,  3,  5,  7,  10, 12, 14, 17, 19, 21, 23, 26, 28, 30,
                              33, 35, 37, 39, 42, 44, 46, 49, 51, 53, 55, 58, 60, 62}));
  EXPECT_EQ(rowsOf(resizeNearest(indexImage(1, 12), 1, 9)),
            (std::vector<int>{0, 2, 3, 4, 5, 7, 8, 10, 11}));
}

TEST(ImageResize, WholeImageIsScaledNeverCropped) {
  const cv::Mat m = resizeNearest(indexImage(400, 100), 4, 4);
  EXPECT_EQ(columnsOf(m), (std::vector<int>{50, 150, 250, 350}));
  EXPECT_EQ(rowsOf(m), (std::vector<int>{12, 37, 62, 87}));
}

TEST(ImageResize, SameSizeIsACopy) {
  const cv::Mat in = indexImage(4, 3);
  const cv::Mat out = resizeNearest(in, 4, 3);
  EXPECT_EQ(cv::norm(in, out, cv::NORM_INF), 0.0);
  EXPECT_NE(in.data, out.data);
  EXPECT_THROW(resizeNearest(in, 0, 3), Error);
}

TEST(ImageResize, TargetSizeFollowsTheModelInput) {
  const cv::Size photo(640, 480);
  EXPECT_EQ(targetSize({kUnknown, 96, 128, 3}, photo, {}), cv::Size(128, 96));
  EXPECT_EQ(targetSize({kUnknown, kUnknown, kUnknown, 3}, photo, {224}), cv::Size(224, 224));
  EXPECT_EQ(targetSize({kUnknown, kUnknown, kUnknown, 3}, photo, {0}), photo);
  EXPECT_EQ(targetSize({kUnknown, 50, kUnknown, 3}, photo, {0}), cv::Size(640, 50));
  EXPECT_THROW(targetSize({kUnknown, 10}, photo, {}), Error);
}

}  // namespace
}  // namespace graft
