// Whether a file begins as an image, from its first bytes: every format Graft decodes passes
// (written here by OpenCV, GIF by hand), and what users' folders hold instead of images (git-lfs
// pointers, HTML error pages, empty files) does not, said as what it looks like.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <string>

#include "runtime/data/image_loader.h"
#include "runtime/data/image_signature.h"
#include "support/test_support.h"

namespace graft {
namespace {

TEST(ImageSignature, EveryFormatGraftDecodesBeginsAsAnImage) {
  test::TempDir dir;
  const cv::Mat image(8, 8, CV_8UC3, cv::Scalar(10, 200, 30));
  for (const char* name : {"a.jpg", "a.png", "a.bmp", "a.ppm", "a.pgm", "a.tif", "a.webp"}) {
    const std::string path = dir.file(name);
    cv::Mat written = image;
    if (std::string(name) == "a.pgm") cv::cvtColor(image, written, cv::COLOR_BGR2GRAY);
    ASSERT_TRUE(cv::imwrite(path, written)) << name;
    EXPECT_TRUE(beginsAsAnImage(path)) << name;
    EXPECT_NO_THROW(loadImageRgb(path)) << name << ": what passes here is decoded";
  }
  std::ofstream(dir.file("a.gif"), std::ios::binary) << "GIF89a\x01\x00\x01\x00";
  EXPECT_TRUE(beginsAsAnImage(dir.file("a.gif")));
  // A JPEG under a .png name is still an image (read by its content).
  ASSERT_TRUE(cv::imwrite(dir.file("j.jpg"), image));
  std::ifstream jpeg(dir.file("j.jpg"), std::ios::binary);
  std::ofstream(dir.file("j.png"), std::ios::binary) << jpeg.rdbuf();
  EXPECT_TRUE(beginsAsAnImage(dir.file("j.png")));
}

TEST(ImageSignature, WhatFoldersHoldInsteadOfImagesIsNamed) {
  test::TempDir dir;
  std::ofstream(dir.file("lfs.png")) << "version https://git-lfs.github.com/spec/v1\noid x\n";
  std::ofstream(dir.file("page.jpg")) << "<!DOCTYPE html><html><body>404</body></html>";
  std::ofstream(dir.file("empty.png"));
  std::ofstream(dir.file("notes.jpg")) << "a photo of a cat\n";
  std::ofstream(dir.file("bin.png"), std::ios::binary) << std::string("\x01\x02\x03\x00\xff", 5);
  for (const char* name : {"lfs.png", "page.jpg", "empty.png", "notes.jpg", "bin.png"})
    EXPECT_FALSE(beginsAsAnImage(dir.file(name))) << name;
  EXPECT_FALSE(beginsAsAnImage(dir.file("missing.png")));
  EXPECT_EQ(whatTheFileLooksLike(dir.file("lfs.png")),
            "a git-lfs pointer (git lfs pull fetches it)");
  EXPECT_EQ(whatTheFileLooksLike(dir.file("page.jpg")), "an HTML page");
  EXPECT_EQ(whatTheFileLooksLike(dir.file("empty.png")), "an empty file");
  EXPECT_EQ(whatTheFileLooksLike(dir.file("notes.jpg")), "text");
  EXPECT_EQ(whatTheFileLooksLike(dir.file("bin.png")), "");
}

}  // namespace
}  // namespace graft
