// `sample-data`: a complete, deterministic, learnable image folder, or nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "graph/diagnostic.h"
#include "runtime/dataset.h"
#include "runtime/sample_data.h"
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
  // An empty folder is fine.
  fs::create_directory(dir.path() / "empty");
  SampleDataOptions options;
  options.imagesPerClass = 1;
  EXPECT_EQ(writeSampleData((dir.path() / "empty").string(), options).images, 3);
  EXPECT_THROW(writeSampleData((dir.path() / "no" / "parent").string(), options), Error);
}

}  // namespace
}  // namespace graft
