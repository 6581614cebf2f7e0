// Images that become unreadable while a run goes on (deleted, truncated, locked after the
// folder was scanned): a few are skipped and reported, too many stop the run with a message
// naming files and the last good checkpoint kept.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "io/project_file.h"
#include "runtime/training/trainer.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

// Runs `damage` once, when the first epoch ends (after its checkpoint, before epoch 2 reads
// anything), and records the skipped files.
class DamageAfterEpochOne : public TrainObserver {
 public:
  explicit DamageAfterEpochOne(std::function<void()> damage) : damage_(std::move(damage)) {}
  void onEpoch(const EpochEvent& e) override {
    epochs.push_back(e.epoch);
    if (e.epoch == 1) damage_();
  }
  void onSkippedFile(const std::string& path, const std::string& reason) override {
    skipped.emplace_back(path, reason);
  }
  std::vector<int> epochs;
  std::vector<std::pair<std::string, std::string>> skipped;

 private:
  std::function<void()> damage_;
};

TrainOptions options(int epochs) {
  TrainOptions o;
  o.epochs = epochs;
  o.batchSize = 8;
  o.optimizer.kind = OptimizerKind::Adam;
  o.optimizer.learningRate = 0.01;
  o.seed = 2;
  o.workers = 2;
  return o;
}

class TrainerUnreadable : public ::testing::Test {
 protected:
  void SetUp() override {
    test::drawColourFolder(dir.path() / "data", {"blue_ish", "green_ish", "red_ish"}, {20, 20, 20},
                           16);
    data = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  }
  std::string trainFile(size_t i) const { return data.train.at(i).path; }

  test::TempDir dir;
  TrainingSet data;  // 45 training and 15 validation images
};

TEST_F(TrainerUnreadable, AFewFilesBrokenMidRunAreSkippedAndReportedAndTheRunCompletes) {
  const std::string deleted = trainFile(0), truncated = trainFile(1),
                    validation = data.validation.at(0).path;
  DamageAfterEpochOne observer([&] {
    fs::remove(deleted);
    fs::resize_file(truncated, 20);  // a PNG header and nothing after it
    std::ofstream(validation, std::ios::trunc) << "overwritten with text";
  });
  const TrainResult result = trainModel(test::tinyModel(3), data, options(3), &observer);

  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  EXPECT_EQ(observer.epochs, (std::vector<int>{1, 2, 3}));
  ASSERT_EQ(observer.skipped.size(), 3u);  // each reported once, not once per epoch
  std::map<std::string, std::string> reasons(observer.skipped.begin(), observer.skipped.end());
  EXPECT_NE(reasons.at(deleted).find("No such file or directory"), std::string::npos)
      << reasons.at(deleted);
  EXPECT_NE(reasons.at(truncated).find(truncated), std::string::npos);
  EXPECT_NE(reasons.at(validation).find(validation), std::string::npos);
  EXPECT_EQ(result.skippedFiles.size(), 3u);
  // Epoch 1 saw every training image; later epochs train on the ones left.
  EXPECT_EQ(result.history.at(0).images, 45);
  EXPECT_EQ(result.history.at(1).images, 43);
  EXPECT_EQ(result.history.at(2).images, 43);
}

TEST_F(TrainerUnreadable, ALockedFileIsSkipped) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their permissions";
  const std::string locked = trainFile(3);
  DamageAfterEpochOne observer([&] { fs::permissions(locked, fs::perms::none); });
  const TrainResult result = trainModel(test::tinyModel(3), data, options(2), &observer);
  fs::permissions(locked, fs::perms::owner_all);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  ASSERT_EQ(observer.skipped.size(), 1u);
  EXPECT_EQ(observer.skipped[0].first, locked);
  EXPECT_NE(observer.skipped[0].second.find("Permission denied"), std::string::npos);
}

TEST_F(TrainerUnreadable, AFolderDeletedMidRunStopsTheRunNamingFilesAndKeepsTheCheckpoint) {
  TrainOptions o = options(4);
  o.checkpointPath = dir.file("model.graft");
  DamageAfterEpochOne observer([&] { fs::remove_all(dir.path() / "data" / "green_ish"); });
  const TrainResult result = trainModel(test::tinyModel(3), data, o, &observer);

  ASSERT_EQ(result.status, TrainStatus::Failed);
  EXPECT_EQ(result.epochsCompleted, 1);
  // 20 of 60 is past the default 10 %; the run stops as soon as it is: within epoch 2.
  EXPECT_NE(result.message.find(" of 60 images could not be read, more than 10 %"),
            std::string::npos)
      << result.message;
  EXPECT_NE(result.message.find("green_ish"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("No such file or directory"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("holds epoch 1"), std::string::npos) << result.message;
  ASSERT_EQ(result.checkpointEpoch, 1);
  const Model saved = loadProject(o.checkpointPath);
  EXPECT_EQ(saved.labels, data.classes);
}

TEST_F(TrainerUnreadable, TheThresholdIsTheCallersChoice) {
  TrainOptions o = options(2);
  o.maxUnreadableFraction = 0.5;  // a third of the images gone is tolerated then
  DamageAfterEpochOne observer([&] { fs::remove_all(dir.path() / "data" / "green_ish"); });
  const TrainResult result = trainModel(test::tinyModel(3), data, o, &observer);
  ASSERT_EQ(result.status, TrainStatus::Completed) << result.message;
  EXPECT_EQ(result.skippedFiles.size(), 20u);
}

TEST_F(TrainerUnreadable, AClassWhoseImagesAllFailToReadStopsTheRunNamingIt) {
  // 4 broken files among 64 is under the 10 % threshold, but they are a whole class: the model
  // would be trained for a class it never sees.
  const fs::path broken = dir.path() / "data" / "zz_broken";
  fs::create_directories(broken);
  for (int i = 0; i < 4; ++i) std::ofstream(broken / ("empty_" + std::to_string(i) + ".png"));
  const TrainingSet four = prepareTrainingSet((dir.path() / "data").string(), "", 0.25, 3);
  ASSERT_EQ(four.classes.size(), 4u);
  const TrainResult result = trainModel(test::tinyModel(4), four, options(3));
  EXPECT_EQ(result.status, TrainStatus::Failed);
  EXPECT_EQ(result.epochsCompleted, 0);
  EXPECT_NE(result.message.find("class 'zz_broken' has no image that could be read (4 files"),
            std::string::npos)
      << result.message;
}

// A class whose readable images all went to validation: nothing to learn it from (the run
// trained on the others and validated on it), said after the first epoch as for a class with
// no readable image at all.
TEST_F(TrainerUnreadable, AClassWithoutReadableTrainingImagesStopsTheRunNamingIt) {
  TrainingSet split = data;
  std::string validationOnly;
  for (const ImageSample& sample : split.validation)
    if (sample.label == 1) validationOnly = sample.path;  // green_ish keeps validation images
  ASSERT_FALSE(validationOnly.empty());
  for (const ImageSample& sample : split.train)
    if (sample.label == 1) std::ofstream(sample.path, std::ios::trunc).close();
  // 15 broken among 60: past the default 10 %; a quarter is allowed here.
  TrainOptions o = options(2);
  o.maxUnreadableFraction = 0.3;
  const TrainResult result = trainModel(test::tinyModel(3), split, o);
  EXPECT_EQ(result.status, TrainStatus::Failed);
  EXPECT_NE(result.message.find("class 'green_ish' has no training image that could be read (its "
                                "15 training files"),
            std::string::npos)
      << result.message;
}

}  // namespace
}  // namespace graft
