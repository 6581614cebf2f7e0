// Fusing two convolutions with a ReLU between them in the GUI: the exact fusion is impossible,
// so the editor asks for sample images, fits one convolution in the background and lands it as
// one undoable step with its error in the notes.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QStatusBar>
#include <QUndoStack>

#include "runtime/data/sample_data.h"
#include "runtime/fuse_pair_model.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/graph_editor.h"
#include "ui/main_window.h"
#include "ui/notes_banner.h"
#include "ui/workbench.h"
#include "ui_test_support.h"

namespace graft {
namespace {

class FuseSamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::guiApp();
    SampleDataOptions options;
    options.imagesPerClass = 2;
    options.size = 20;
    writeSampleData(dir_.file("images"), options);
    window_ = std::make_unique<ui::MainWindow>();
    window_->resize(1200, 800);
    window_->show();
  }
  void open(const std::string& activation) {
    document()->open(test::pairModel(activation, "same"), "pair", {});
    window_->showWorkbench();
  }
  ui::Document* document() const { return window_->document(); }
  ui::GraphEditor* editor() const { return window_->editor(); }

  test::TempDir dir_;
  std::unique_ptr<ui::MainWindow> window_;
};

TEST_F(FuseSamplesTest, AReluBetweenIsFittedOnTheChosenImagesAsOneUndoableStep) {
  open("relu");
  QString asked;
  editor()->setSampleFolderChooser([&](const QString& why) {
    asked = why;
    return QString::fromStdString(dir_.file("images"));
  });
  QSignalSpy notes(document(), &ui::Document::editNotes);
  test::CapturedErrors errors;

  ASSERT_TRUE(editor()->fuse({"a", "b"}));
  EXPECT_NE(asked.indexOf("relu"), -1)
      << asked.toStdString() << ": the exact fusion's refusal is explained";
  ASSERT_TRUE(test::waitFor([&] { return document()->undoStack()->count() == 1; }));
  EXPECT_TRUE(errors.messages().isEmpty()) << errors.messages().join("\n").toStdString();
  EXPECT_FALSE(document()->graph().find("b"));
  EXPECT_EQ(document()->graph().at("a").config["kernel_size"], Json({5, 5}));
  EXPECT_EQ(document()->model().recipe.back()["method"], "least_squares");
  EXPECT_EQ(document()->model().recipe.back()["samples"], 6) << "all six images of the folder";
  EXPECT_NE(document()->undoStack()->text(0).indexOf("least squares"), -1);
  ASSERT_EQ(notes.count(), 1);
  EXPECT_NE(notes.at(0).at(0).toStringList().join(" ").indexOf("relative RMS error"), -1);
  EXPECT_NE(window_->statusBar()->currentMessage().indexOf("relative RMS error"), -1)
      << "the error is on screen";
  EXPECT_FALSE(window_->workbench()->banner()->isVisible())
      << "nothing to say about weights built in memory";
  test::screenshot(window_.get(), "fuse_least_squares");

  document()->undoStack()->undo();
  EXPECT_TRUE(document()->graph().find("b"));
  EXPECT_EQ(document()->graph().at("a").config["kernel_size"], Json({3, 3}));
}

TEST_F(FuseSamplesTest, CancellingTheFolderChangesNothing) {
  open("relu");
  editor()->setSampleFolderChooser([](const QString&) { return QString(); });
  test::CapturedErrors errors;
  EXPECT_FALSE(editor()->fuse({"a", "b"}));
  EXPECT_EQ(document()->undoStack()->count(), 0);
  EXPECT_TRUE(document()->graph().find("b"));
  EXPECT_TRUE(errors.messages().isEmpty()) << errors.messages().join("\n").toStdString();
}

TEST_F(FuseSamplesTest, AnEditDuringTheFitWinsAndTheFitIsDropped) {
  open("relu");
  editor()->setSampleFolderChooser(
      [&](const QString&) { return QString::fromStdString(dir_.file("images")); });
  test::CapturedErrors errors;
  ASSERT_TRUE(editor()->fuse({"a", "b"}));
  // The result comes back through the event loop, so this edit lands first.
  ASSERT_TRUE(editor()->setTrainable({"head"}, false));
  ASSERT_TRUE(test::waitFor([&] { return !errors.messages().isEmpty(); }));
  EXPECT_NE(errors.messages().front().indexOf("changed while"), -1)
      << errors.messages().join("\n").toStdString();
  EXPECT_EQ(document()->undoStack()->count(), 1);
  EXPECT_TRUE(document()->graph().find("b"));
}

TEST_F(FuseSamplesTest, ALinearPairFusesExactlyWithoutAskingForImages) {
  open("linear");
  bool asked = false;
  editor()->setSampleFolderChooser([&](const QString&) {
    asked = true;
    return QString();
  });
  ASSERT_TRUE(editor()->fuse({"a", "b"}));
  EXPECT_FALSE(asked);
  EXPECT_EQ(document()->undoStack()->count(), 1);
  EXPECT_FALSE(document()->model().recipe.back().contains("method"));
}

}  // namespace
}  // namespace graft
