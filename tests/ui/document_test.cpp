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
