// Image folders as Keras's flow_from_directory reads them, splits and class weights.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <set>

#include "graph/diagnostic.h"
#include "runtime/data/dataset.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

using test::errorOf;

namespace fs = std::filesystem;

void touch(const fs::path& p, const std::string& text = "not an image") {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(ImageFolder, ClassIndexIsTheSortedFolderNameAndImagesAreFoundRecursively) {
  test::TempDir dir;
  const fs::path root = dir.path() / "data";
  test::writeSolidPng(root / "zebra" / "a.png", 4, 1, 2, 3);
  test::writeSolidPng(root / "apple" / "nested" / "deeper" / "b.PNG", 4, 1, 2, 3);
  test::writeSolidPng(root / "apple" / "c.png", 4, 1, 2, 3);
  test::writeSolidPng(root / "Mango" / "d.png", 4, 1, 2, 3);
  touch(root / "apple" / "notes.txt");
  touch(root / "README.md");
  test::writeSolidPng(root / ".ipynb_checkpoints" / "x.png", 4, 1, 2, 3);

  const ImageFolder folder = scanImageFolder(root.string());
  // Byte order, as Python's sorted(): upper case before lower case.
  EXPECT_EQ(folder.classes, (std::vector<std::string>{"Mango", "apple", "zebra"}));
  ASSERT_EQ(folder.samples.size(), 4u);
  EXPECT_EQ(folder.samples[0].label, 0);
  EXPECT_EQ(folder.samples[1].path, (root / "apple" / "c.png").string());
  EXPECT_EQ(folder.samples[2].path, (root / "apple" / "nested" / "deeper" / "b.PNG").string());
  EXPECT_EQ(folder.samples[1].label, 1);
  EXPECT_EQ(folder.samples[2].label, 1);
  EXPECT_EQ(folder.samples[3].label, 2);
  EXPECT_EQ(folder.classCounts(), (std::vector<int64_t>{1, 2, 1}));
  // The text files and the hidden folder are left out and listed.
  const std::set<std::string> ignored(folder.ignored.begin(), folder.ignored.end());
  EXPECT_TRUE(ignored.count((root / "apple" / "notes.txt").string()));
  EXPECT_TRUE(ignored.count((root / "README.md").string()));
  EXPECT_TRUE(ignored.count((root / ".ipynb_checkpoints").string()));
}

TEST(ImageFolder, BadFoldersAreErrorsNamingThem) {
  test::TempDir dir;
  const fs::path root = dir.path() / "data";
  EXPECT_NE(errorOf([&] { scanImageFolder(root.string()); }).find("data: no such folder"),
            std::string::npos);

  fs::create_directories(root);
  EXPECT_NE(errorOf([&] { scanImageFolder(root.string()); }).find("no class subfolders"),
            std::string::npos);

  test::writeSolidPng(root / "cats" / "a.png", 4, 1, 2, 3);
  touch(root / "dogs" / "readme.txt");
  const std::string empty = errorOf([&] { scanImageFolder(root.string()); });
  EXPECT_NE(empty.find((root / "dogs").string()), std::string::npos) << empty;
  EXPECT_NE(empty.find("has no images"), std::string::npos) << empty;

  touch(root / "dogs" / "broken.jpg", "");  // an image by name: found, read (and skipped) later
  EXPECT_EQ(scanImageFolder(root.string()).samples.size(), 2u);

  touch(dir.path() / "file.png");
  EXPECT_NE(
      errorOf([&] { scanImageFolder((dir.path() / "file.png").string()); }).find("not a folder"),
      std::string::npos);
}

TEST(ImageFolder, FolderWithOnlyEmptyClassesIsAnError) {
  test::TempDir dir;
  const fs::path root = dir.path() / "val";
  fs::create_directories(root / "cats");
  ImageFolderOptions options;
  options.classes = {"cats", "dogs"};
  const std::string e = errorOf([&] { scanImageFolder(root.string(), options); });
  EXPECT_NE(e.find("no images found"), std::string::npos) << e;
}

TEST(ImageFolder, ValidationFolderIsReadAgainstTheTrainingClasses) {
  test::TempDir dir;
  const fs::path root = dir.path() / "val";
  test::writeSolidPng(root / "dogs" / "a.png", 4, 1, 2, 3);
  ImageFolderOptions options;
  options.classes = {"cats", "dogs"};
  const ImageFolder folder = scanImageFolder(root.string(), options);
  EXPECT_EQ(folder.classes, options.classes);
  ASSERT_EQ(folder.samples.size(), 1u);
  EXPECT_EQ(folder.samples[0].label, 1);  // "dogs" is class 1 of the model, not 0 of the folder

  test::writeSolidPng(root / "birds" / "b.png", 4, 1, 2, 3);
  const std::string e = errorOf([&] { scanImageFolder(root.string(), options); });
  EXPECT_NE(e.find("class 'birds' is not one of the 2 classes expected here (cats, dogs)"),
            std::string::npos)
      << e;
}

TEST(ImageFolder, AClassFolderNameThatIsNotUtf8IsRefusedBeforeAnythingTrains) {
  // Its name would be saved as a class name: the first checkpoint failed, after an epoch.
  test::TempDir dir;
  const fs::path root = dir.path() / "data";
  test::writeSolidPng(root / "caf\xe9" / "a.png", 4, 1, 2, 3);
  test::writeSolidPng(root / "tea" / "b.png", 4, 1, 2, 3);
  const std::string e = errorOf([&] { scanImageFolder(root.string()); });
  EXPECT_NE(e.find((root / "caf\xe9").string()), std::string::npos) << e;
  EXPECT_NE(e.find("not UTF-8"), std::string::npos) << e;
  fs::rename(root / "caf\xe9", root / "caf\xc3\xa9");  // the same name in UTF-8 is a class
  EXPECT_EQ(scanImageFolder(root.string()).classes,
            (std::vector<std::string>{"caf\xc3\xa9", "tea"}));
}

TEST(ImageFolder, AClassFolderNameWithALineBreakIsRefused) {
  // Class names are saved one per line (labels files) and shown one per row.
  test::TempDir dir;
  const fs::path root = dir.path() / "data";
  test::writeSolidPng(root / "line1\nline2" / "a.png", 4, 1, 2, 3);
  test::writeSolidPng(root / "tea" / "b.png", 4, 1, 2, 3);
  const std::string e = errorOf([&] { scanImageFolder(root.string()); });
  EXPECT_NE(e.find("holds a control character"), std::string::npos) << e;
}

// A link to nothing is listed as Keras lists it (and then named as unreadable when read); a
// pipe is not read (it would wait for a writer) and is named with the ignored files.
TEST(ImageFolder, ADanglingLinkIsAnImageToReadAndAPipeIsIgnored) {
  test::TempDir dir;
  const fs::path root = dir.path() / "data";
  test::writeSolidPng(root / "cats" / "a.png", 4, 1, 2, 3);
  test::writeSolidPng(root / "dogs" / "b.png", 4, 1, 2, 3);
  fs::create_symlink(dir.path() / "nowhere.png", root / "cats" / "gone.png");
  ASSERT_EQ(mkfifo((root / "dogs" / "pipe.png").c_str(), 0600), 0);
  const ImageFolder folder = scanImageFolder(root.string());
  ASSERT_EQ(folder.samples.size(), 3u);
  EXPECT_EQ(folder.samples[1].path, (root / "cats" / "gone.png").string());
  EXPECT_EQ(folder.ignored, std::vector<std::string>{(root / "dogs" / "pipe.png").string()});
}

TEST(ImageFolder, StratifiedSplitKeepsClassProportionsAndFollowsTheSeed) {
  test::TempDir dir;
  test::drawColourFolder(dir.path(), {"a", "b", "c"}, {10, 20, 5}, 4);
  const ImageFolder folder = scanImageFolder(dir.path().string());
  const DataSplit split = stratifiedSplit(folder, 0.2, 42);
  std::vector<int> valPerClass(3, 0), trainPerClass(3, 0);
  for (size_t i : split.validation) ++valPerClass[static_cast<size_t>(folder.samples[i].label)];
  for (size_t i : split.train) ++trainPerClass[static_cast<size_t>(folder.samples[i].label)];
  EXPECT_EQ(valPerClass, (std::vector<int>{2, 4, 1}));
  EXPECT_EQ(trainPerClass, (std::vector<int>{8, 16, 4}));
  std::set<size_t> all(split.train.begin(), split.train.end());
  all.insert(split.validation.begin(), split.validation.end());
  EXPECT_EQ(all.size(), folder.samples.size());  // disjoint and complete

  EXPECT_EQ(stratifiedSplit(folder, 0.2, 42).validation, split.validation);
  EXPECT_NE(stratifiedSplit(folder, 0.2, 43).validation, split.validation);
  EXPECT_TRUE(stratifiedSplit(folder, 0.0, 42).validation.empty());
  EXPECT_THROW(stratifiedSplit(folder, 1.0, 42), Error);
  EXPECT_THROW(stratifiedSplit(folder, -0.1, 42), Error);
}

TEST(ImageFolder, SmallClassesKeepATrainingImageAndGiveOneToValidation) {
  test::TempDir dir;
  test::drawColourFolder(dir.path(), {"a", "b"}, {1, 2}, 4);
  const ImageFolder folder = scanImageFolder(dir.path().string());
  const DataSplit split = stratifiedSplit(folder, 0.1, 0);
  EXPECT_EQ(split.train.size(), 2u);       // a's only image, one of b's
  EXPECT_EQ(split.validation.size(), 1u);  // one of b's
}

TEST(ImageFolder, BalancedClassWeightsEqualiseTheClasses) {
  const auto w = balancedClassWeights({0, 0, 0, 1, 2, 2}, 4);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_DOUBLE_EQ(w[0], 6.0 / (4 * 3));
  EXPECT_DOUBLE_EQ(w[1], 6.0 / (4 * 1));
  EXPECT_DOUBLE_EQ(w[2], 6.0 / (4 * 2));
  EXPECT_DOUBLE_EQ(w[3], 0.0);
  // Each class's total weight is the same.
  EXPECT_DOUBLE_EQ(3 * w[0], 1 * w[1]);
  EXPECT_DOUBLE_EQ(2 * w[2], 1 * w[1]);
}

}  // namespace
}  // namespace graft
