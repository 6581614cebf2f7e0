// GIF images read as Keras's image_dataset_from_directory reads them (TensorFlow's decode_image
// with expand_animations=False): the first frame on a canvas as large as the largest frame,
// black where it is transparent or does not reach. The files are written with giflib's encoder.
#include <gif_lib.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "graph/diagnostic.h"
#include "runtime/data/dataset.h"
#include "runtime/data/image_loader.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

using test::errorOf;

struct Frame {
  int left = 0, top = 0, width = 0, height = 0;
  std::vector<GifByteType> indices;  // row by row
  int transparent = NO_TRANSPARENT_COLOR;
};

// Four colours: red, green, blue, white.
void writeGif(const std::string& path, int screenWidth, int screenHeight,
              const std::vector<Frame>& frames) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  int error = 0;
  GifFileType* gif = EGifOpenFileName(path.c_str(), false, &error);
  ASSERT_NE(gif, nullptr) << GifErrorString(error);
  const GifColorType colours[4] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
  ColorMapObject* map = GifMakeMapObject(4, colours);
  EGifSetGifVersion(gif, true);
  ASSERT_EQ(EGifPutScreenDesc(gif, screenWidth, screenHeight, 2, 0, map), GIF_OK);
  for (const Frame& f : frames) {
    GraphicsControlBlock control{};
    control.TransparentColor = f.transparent;
    GifByteType extension[4];
    const size_t length = EGifGCBToExtension(&control, extension);
    ASSERT_EQ(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(length), extension),
              GIF_OK);
    ASSERT_EQ(EGifPutImageDesc(gif, f.left, f.top, f.width, f.height, false, nullptr), GIF_OK);
    for (int y = 0; y < f.height; ++y)
      ASSERT_EQ(
          EGifPutLine(gif, const_cast<GifByteType*>(&f.indices[size_t(y * f.width)]), f.width),
          GIF_OK);
  }
  ASSERT_EQ(EGifCloseFile(gif, &error), GIF_OK);
  GifFreeMapObject(map);
}

cv::Vec3f pixel(const cv::Mat& image, int x, int y) {
  return image.at<cv::Vec3f>(y, x);
}

TEST(GifImage, TheFirstFrameInRgbWithItsTransparentColourBlack) {
  test::TempDir dir;
  const std::string path = dir.file("a.gif");
  writeGif(path, 3, 2, {{0, 0, 3, 2, {0, 1, 2, 3, 1, 0}, /*transparent=*/3}});
  const cv::Mat image = loadImageRgb(path);
  ASSERT_EQ(image.type(), CV_32FC3);
  ASSERT_EQ(image.cols, 3);
  ASSERT_EQ(image.rows, 2);
  EXPECT_EQ(pixel(image, 0, 0), cv::Vec3f(255, 0, 0));
  EXPECT_EQ(pixel(image, 1, 0), cv::Vec3f(0, 255, 0));
  EXPECT_EQ(pixel(image, 2, 0), cv::Vec3f(0, 0, 255));
  EXPECT_EQ(pixel(image, 0, 1), cv::Vec3f(0, 0, 0));  // white, but the transparent colour
  EXPECT_EQ(pixel(image, 1, 1), cv::Vec3f(0, 255, 0));
}

TEST(GifImage, AnAnimationGivesItsFirstFrameOnTheLargestFramesCanvas) {
  test::TempDir dir;
  const std::string path = dir.file("anim.gif");
  // Screen 5x5; frame 1: 2x2 at (1, 1); frame 2: 4x3 at (0, 0). TensorFlow's canvas is 4x3, the
  // largest frame's size, and frame 1 covers (1..2, 1..2) of it.
  writeGif(path, 5, 5, {{1, 1, 2, 2, {2, 2, 2, 2}}, {0, 0, 4, 3, std::vector<GifByteType>(12, 1)}});
  const cv::Mat image = loadImageRgb(path);
  ASSERT_EQ(image.cols, 4);
  ASSERT_EQ(image.rows, 3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) {
      const bool covered = x >= 1 && x <= 2 && y >= 1 && y <= 2;
      EXPECT_EQ(pixel(image, x, y), covered ? cv::Vec3f(0, 0, 255) : cv::Vec3f(0, 0, 0))
          << x << ", " << y;
    }
}

TEST(GifImage, AGifInAClassFolderIsAnImageAndABrokenOneIsNamed) {
  test::TempDir dir;
  writeGif(dir.file("data/cats/a.gif"), 2, 1, {{0, 0, 2, 1, {0, 1}}});
  test::writeSolidPng(dir.path() / "data" / "dogs" / "b.png", 4, 1, 2, 3);
  const ImageFolder folder = scanImageFolder(dir.file("data"));
  ASSERT_EQ(folder.samples.size(), 2u);
  EXPECT_EQ(folder.samples[0].path, dir.file("data/cats/a.gif"));

  std::ofstream(dir.file("cut.gif"), std::ios::binary) << "GIF89a\x02";
  const std::string e = errorOf([&] { loadImageRgb(dir.file("cut.gif")); });
  EXPECT_NE(e.find(dir.file("cut.gif") + ": cannot read the GIF image ("), std::string::npos) << e;
}

// Cut short inside its first frame (a download that stopped): refused, where giflib left the
// rest of the frame as the heap had it. Cut inside a later frame: the whole first frame, on the
// canvas of the whole frames (the cut frame's declared size made gigabytes of canvas).
TEST(GifImage, AFileCutShortGivesOnlyWholeFrames) {
  test::TempDir dir;
  const std::string whole = dir.file("whole.gif");
  writeGif(whole, 40, 40, {{0, 0, 40, 40, std::vector<GifByteType>(1600, 1)}});
  std::ifstream in(whole, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir.file("half.gif"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const std::string e = errorOf([&] { loadImageRgb(dir.file("half.gif")); });
  EXPECT_NE(e.find(dir.file("half.gif") + ": the GIF image is cut short or damaged"),
            std::string::npos)
      << e;

  const std::string two = dir.file("two.gif");
  writeGif(two, 600, 600,
           {{0, 0, 2, 1, {0, 2}}, {0, 0, 600, 600, std::vector<GifByteType>(360000, 3)}});
  std::ifstream twoIn(two, std::ios::binary);
  const std::string twoBytes((std::istreambuf_iterator<char>(twoIn)),
                             std::istreambuf_iterator<char>());
  std::ofstream(dir.file("two_cut.gif"), std::ios::binary)
      << twoBytes.substr(0, twoBytes.size() - 200);
  const cv::Mat first = loadImageRgb(dir.file("two_cut.gif"));
  EXPECT_EQ(first.cols, 2);
  EXPECT_EQ(first.rows, 1);
  EXPECT_EQ(pixel(first, 1, 0), cv::Vec3f(0, 0, 255));
}

}  // namespace
}  // namespace graft
