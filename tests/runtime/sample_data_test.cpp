// `sample-data`: a complete, deterministic, learnable image folder, or nothing.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <sstream>

#include "graph/diagnostic.h"
#include "runtime/data/dataset.h"
#include "runtime/data/sample_data.h"
#include "support/test_support.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

std::string bytes(const fs::path& p) {
  std::stringstream s;
  s << std::ifstream(p, std::ios::binary).rdbuf();
  return s.str();
}

TEST(SampleData, WritesAnImageFolderTheTrainerReadsTheSameEveryTime) {
  test::TempDir dir;
  SampleDataOptions options;
  options.imagesPerClass = 5;
  options.size = 32;
  const SampleDataResult result = writeSampleData((dir.path() / "shapes").string(), options);
  EXPECT_EQ(result.images, 15);
  const ImageFolder folder = scanImageFolder((dir.path() / "shapes").string());
  EXPECT_EQ(folder.classes, (std::vector<std::string>{"circle", "square", "triangle"}));
  EXPECT_EQ(folder.classCounts(), (std::vector<int64_t>{5, 5, 5}));
  EXPECT_TRUE(folder.ignored.empty());

  writeSampleData((dir.path() / "again").string(), options);
  for (const auto& s : folder.samples) {
    const fs::path twin = dir.path() / "again" / fs::relative(s.path, dir.path() / "shapes");
    EXPECT_EQ(bytes(s.path), bytes(twin)) << twin;
  }
  EXPECT_NE(bytes(folder.samples[0].path), bytes(folder.samples[1].path));
  // Nothing but the two folders: no temporary folder left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2);
}

// The fashion kind: five classes of grey 28-pixel silhouettes that differ by outline, so a
// nearest-mean classifier on pixels already tells most apart (the set is learnable by shape) and
// no colour gives the class away.
TEST(SampleData, FashionKindIsGreySilhouettesToldApartByOutline) {
  test::TempDir dir;
  SampleDataOptions options;
  options.kind = SampleKind::Fashion;
  options.imagesPerClass = 24;
  const SampleDataResult result = writeSampleData((dir.path() / "fashion").string(), options);
  EXPECT_EQ(result.classes,
            (std::vector<std::string>{"tshirt", "trouser", "dress", "sneaker", "bag"}));
  const ImageFolder folder = scanImageFolder((dir.path() / "fashion").string());
  ASSERT_EQ(folder.samples.size(), 120u);
  std::vector<cv::Mat> means;  // one buffer each (a Mat copy would share one)
  for (int c = 0; c < 5; ++c) means.push_back(cv::Mat::zeros(28, 28, CV_64FC1));
  std::vector<std::pair<cv::Mat, int>> held;
  std::vector<int> seen(5, 0);
  for (const auto& s : folder.samples) {
    const cv::Mat bgr = cv::imread(s.path, cv::IMREAD_COLOR);
    ASSERT_EQ(bgr.size(), cv::Size(28, 28)) << s.path;
    std::vector<cv::Mat> planes;
    cv::split(bgr, planes);
    EXPECT_EQ(cv::norm(planes[0], planes[1], cv::NORM_INF), 0) << "not grey: " << s.path;
    EXPECT_EQ(cv::norm(planes[1], planes[2], cv::NORM_INF), 0) << "not grey: " << s.path;
    cv::Mat pixels;
    planes[0].convertTo(pixels, CV_64FC1);
    if (seen[static_cast<size_t>(s.label)]++ < 12)
      means[static_cast<size_t>(s.label)] += pixels / 12.0;
    else
      held.emplace_back(pixels, s.label);
  }
  int right = 0;
  for (const auto& [pixels, label] : held) {
    int best = 0;
    for (int c = 1; c < 5; ++c)
      if (cv::norm(pixels, means[static_cast<size_t>(c)]) <
          cv::norm(pixels, means[static_cast<size_t>(best)]))
        best = c;
    right += best == label;
  }
  EXPECT_GE(right, static_cast<int>(held.size() * 0.6)) << right << " of " << held.size();
  EXPECT_EQ(sampleKindFromName("fashion"), SampleKind::Fashion);
  EXPECT_THROW(sampleKindFromName("faces"), Error);
}

TEST(SampleData, RefusesAFolderThatHoldsSomething) {
  test::TempDir dir;
  std::ofstream(dir.file("keep.txt")) << "mine";
  try {
    writeSampleData(dir.path().string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not an empty folder"), std::string::npos);
  }
  EXPECT_EQ(bytes(dir.file("keep.txt")), "mine");
  // A file is no folder ("not an empty folder" made it look like one).
  try {
    writeSampleData(dir.file("keep.txt"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("keep.txt: is a file, not a folder"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(bytes(dir.file("keep.txt")), "mine");
  // An empty folder is fine.
  fs::create_directory(dir.path() / "empty");
  SampleDataOptions options;
  options.imagesPerClass = 1;
  EXPECT_EQ(writeSampleData((dir.path() / "empty").string(), options).images, 3);
  EXPECT_THROW(writeSampleData((dir.path() / "no" / "parent").string(), options), Error);
}

}  // namespace
}  // namespace graft
