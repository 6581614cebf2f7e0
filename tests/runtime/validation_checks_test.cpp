// The validation images' guard rails: said before a run whose validation figures would mislead.
#include <gtest/gtest.h>

#include "runtime/training/validation_checks.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

const PlanWarning* findKind(const std::vector<PlanWarning>& warnings, const std::string& kind) {
  for (const auto& w : warnings)
    if (w.kind == kind) return &w;
  return nullptr;
}

TEST(ValidationChecks, AValidationFolderWithoutAClassSaysWhichIsLeftOut) {
  test::TempDir dir;
  test::drawColourFolder(dir.path() / "train", {"cat", "dog"}, {6, 6}, 8);
  test::drawColourFolder(dir.path() / "val", {"cat"}, {3}, 8);
  const std::string train = (dir.path() / "train").string();
  const std::string val = (dir.path() / "val").string();
  const TrainingSet data = prepareTrainingSet(train, val, 0.2, 1);
  const auto warnings = checkValidation(data, train, val, 0.2);
  const PlanWarning* missing = findKind(warnings, "validation_missing_classes");
  ASSERT_NE(missing, nullptr);
  EXPECT_NE(missing->message.find("none of 1 of the 2 classes ('dog')"), std::string::npos)
      << missing->message;
  EXPECT_EQ(findKind(warnings, "validation_is_training"), nullptr);
  EXPECT_EQ(findKind(warnings, "validation_share"), nullptr);  // a folder: no share asked
}

TEST(ValidationChecks, TheTrainingFolderAsValidationFolderIsSaid) {
  test::TempDir dir;
  test::drawColourFolder(dir.path() / "train", {"cat", "dog"}, {4, 4}, 8);
  const std::string train = (dir.path() / "train").string();
  const std::string again = (dir.path() / "train" / ".." / "train").string();
  const TrainingSet data = prepareTrainingSet(train, again, 0.2, 1);
  const auto warnings = checkValidation(data, train, again, 0.2);
  EXPECT_NE(findKind(warnings, "validation_is_training"), nullptr);
  EXPECT_EQ(findKind(warnings, "validation_missing_classes"), nullptr);
}

TEST(ValidationChecks, ASplitOfSmallClassesThatHoldsOutFarMoreIsSaid) {
  test::TempDir dir;
  // Two images a class: one of each goes to validation, half the folder where 20 % was asked.
  test::drawColourFolder(dir.path() / "small", {"a", "b", "c", "d"}, {2, 2, 2, 2}, 8);
  const std::string small = (dir.path() / "small").string();
  const auto halved = checkValidation(prepareTrainingSet(small, "", 0.2, 1), small, "", 0.2);
  const PlanWarning* share = findKind(halved, "validation_share");
  ASSERT_NE(share, nullptr);
  EXPECT_NE(share->message.find("holding out 4 of 8 images for validation (50 %, where 20 %"),
            std::string::npos)
      << share->message;
  // Ten a class: the share asked for, nothing to say.
  test::drawColourFolder(dir.path() / "big", {"a", "b"}, {10, 10}, 8);
  const std::string big = (dir.path() / "big").string();
  EXPECT_TRUE(checkValidation(prepareTrainingSet(big, "", 0.2, 1), big, "", 0.2).empty());
}

}  // namespace
}  // namespace graft
