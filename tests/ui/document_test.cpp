// The document layer: edits are recipe operations applied as one undoable step each, refused
// edits change nothing, undo/redo restore whole model values, views hear about every change.
#include <gtest/gtest.h>

#include <QSignalSpy>

#include "ui/doc/document.h"
#include "ui_test_support.h"

namespace graft {
namespace {

TEST(Document, FreezeIsOneUndoableStepRecordedInTheRecipe) {
  test::guiApp();
  ui::Document doc;
  QSignalSpy changed(&doc, &ui::Document::changed);
  doc.open(test::smallModel(), "small", {});
  EXPECT_EQ(changed.count(), 1);
  EXPECT_FALSE(doc.isModified());
  const int64_t trainableBefore = doc.analysis().trainableParams;

  const Diagnostics problems = doc.apply1(Json{{"op", "freeze"}, {"upto", "conv1_bn"}}, "freeze");
  ASSERT_TRUE(problems.empty()) << joinDiagnostics(problems);
  EXPECT_FALSE(doc.graph().at("conv1").trainable);
  EXPECT_FALSE(doc.graph().at("conv1_bn").trainable);
  EXPECT_TRUE(doc.graph().at("fc").trainable);
  EXPECT_LT(doc.analysis().trainableParams, trainableBefore);  // analysis follows the edit
  EXPECT_TRUE(doc.isModified());
  EXPECT_EQ(doc.undoStack()->count(), 1);
  ASSERT_EQ(doc.recipe()["operations"].size(), 1u);
  EXPECT_EQ(doc.recipe()["operations"][0]["op"], "freeze");
  EXPECT_EQ(changed.count(), 2);

  doc.undoStack()->undo();
  EXPECT_TRUE(doc.graph().at("conv1").trainable);
  EXPECT_EQ(doc.analysis().trainableParams, trainableBefore);
  EXPECT_TRUE(doc.recipe()["operations"].empty());
  EXPECT_FALSE(doc.isModified());
  doc.undoStack()->redo();
  EXPECT_FALSE(doc.graph().at("conv1").trainable);
  EXPECT_EQ(changed.count(), 4);
}

TEST(Document, LockedEditsAreRefusedWithTheReasonAndUndoWaits) {
  test::guiApp();
  ui::Document doc;
  doc.open(test::smallModel(), "small", {});
  ASSERT_TRUE(doc.apply1(Json{{"op", "freeze"}, {"upto", "conv1"}}, "freeze").empty());
  QSignalSpy lockChanged(&doc, &ui::Document::editLockChanged);
  const QString reason = QStringLiteral("Training is running: stop it to edit the model");
  doc.lockEdits(reason);
  EXPECT_FALSE(doc.canEdit());
  EXPECT_EQ(lockChanged.count(), 1);
  const Model before = doc.model();

  const Diagnostics refused =
      doc.apply1(Json{{"op", "rename"}, {"layer", "fc"}, {"to", "head"}}, "rename");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused.front().message, reason.toStdString());
  EXPECT_FALSE(doc.commitModel(test::smallModel(), "trained elsewhere"));
  doc.undo();
  EXPECT_EQ(doc.graph(), before.graph);
  EXPECT_EQ(doc.undoStack()->count(), 1);
  EXPECT_EQ(doc.undoStack()->index(), 1);

  doc.lockEdits({});
  EXPECT_TRUE(doc.canEdit());
  EXPECT_EQ(lockChanged.count(), 2);
  doc.undo();
  EXPECT_TRUE(doc.graph().at("conv1").trainable);
}

TEST(Document, AResultCommitsOnlyOntoTheRevisionItStartedFrom) {
  test::guiApp();
  ui::Document doc;
  doc.open(test::smallModel(), "small", {});
  const uint64_t started = doc.revision();
  Model trained = doc.model();
  trained.labels = {"cat", "dog"};  // stands for what training changed

  // An edit made while the run trained: the result must not overwrite it.
  ASSERT_TRUE(
      doc.apply1(Json{{"op", "rename"}, {"layer", "conv1"}, {"to", "stem"}}, "rename").empty());
  EXPECT_FALSE(doc.commitResultOf(started, trained, "fine-tune"));
  EXPECT_TRUE(doc.graph().find("stem"));
  EXPECT_TRUE(doc.model().labels.empty());
  EXPECT_EQ(doc.undoStack()->count(), 1);

  // Onto the revision it started from, it is one undoable step.
  const uint64_t now = doc.revision();
  Model retrained = doc.model();
  retrained.labels = {"cat", "dog"};
  EXPECT_TRUE(doc.commitResultOf(now, retrained, "fine-tune"));
  EXPECT_EQ(doc.model().labels, retrained.labels);
  EXPECT_EQ(doc.undoStack()->count(), 2);
}

TEST(Document, ARevisionNamesAModelStateUndoAndRedoBringItBack) {
  test::guiApp();
  ui::Document doc;
  doc.open(test::smallModel(), "small", {});
  const uint64_t opened = doc.revision();
  ASSERT_TRUE(
      doc.apply1(Json{{"op", "rename"}, {"layer", "conv1"}, {"to", "stem"}}, "rename").empty());
  const uint64_t renamed = doc.revision();
  EXPECT_NE(renamed, opened);
  doc.undo();
  EXPECT_EQ(doc.revision(), opened);  // the measured model is back: results about it apply
  doc.redo();
  EXPECT_EQ(doc.revision(), renamed);
  // A result measured on the opened model commits again once undo returns to it.
  doc.undo();
  Model trained = doc.model();
  trained.labels = {"cat", "dog"};
  EXPECT_TRUE(doc.commitResultOf(opened, trained, "fine-tune"));
  // A new edit after undo is a state never seen before, and so is opening the same model again.
  EXPECT_NE(doc.revision(), renamed);
  EXPECT_NE(doc.revision(), opened);
  const uint64_t committed = doc.revision();
  doc.open(test::smallModel(), "small", {});
  EXPECT_NE(doc.revision(), opened);
  EXPECT_NE(doc.revision(), committed);
  EXPECT_FALSE(doc.commitResultOf(opened, trained, "fine-tune"));
}

TEST(Document, RefusedEditChangesNothingAndNamesTheLayer) {
  test::guiApp();
  ui::Document doc;
  doc.open(test::smallModel(), "small", {});
  const Model before = doc.model();
  const Diagnostics problems =
      doc.apply1(Json{{"op", "rename"}, {"layer", "conv1"}, {"to", "fc"}}, "rename");
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(joinDiagnostics(problems).find("fc"), std::string::npos);
  EXPECT_EQ(doc.graph(), before.graph);
  EXPECT_EQ(doc.undoStack()->count(), 0);
  EXPECT_FALSE(doc.isModified());
}

TEST(Document, GroupedOperationsAreAllOrNothing) {
  test::guiApp();
  ui::Document doc;
  doc.open(test::smallModel(), "small", {});
  const Json ops = Json::array({Json{{"op", "freeze"}, {"layers", {"conv1"}}},
                                Json{{"op", "rename"}, {"layer", "no_such_layer"}, {"to", "x"}}});
  EXPECT_FALSE(doc.apply(ops, "two steps").empty());
  EXPECT_TRUE(doc.graph().at("conv1").trainable);  // the first one did not stick either
  EXPECT_EQ(doc.undoStack()->count(), 0);
}

TEST(Document, RenameMovesTheWeightsWithTheLayer) {
  test::guiApp();
  ui::Document doc;
  doc.open(test::smallModel(), "small", {});
  const auto* kernel = doc.model().weights.find("conv1");
  ASSERT_NE(kernel, nullptr);
  const float* buffer = kernel->front().values();
  ASSERT_TRUE(
      doc.apply1(Json{{"op", "rename"}, {"layer", "conv1"}, {"to", "stem"}}, "rename").empty());
  EXPECT_EQ(doc.graph().find("conv1"), nullptr);
  EXPECT_EQ(doc.graph().at("conv1_bn").inputs.front(), "stem");
  ASSERT_NE(doc.model().weights.find("stem"), nullptr);
  // Shared, not copied: an undo snapshot costs pointers.
  EXPECT_EQ(doc.model().weights.find("stem")->front().values(), buffer);
  EXPECT_TRUE(doc.analysis().ok());
}

}  // namespace
}  // namespace graft
