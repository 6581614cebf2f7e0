// Fusing two convolutions with a ReLU between them in the GUI: the exact fusion is impossible,
// so the editor asks for sample images, fits one convolution in the background and lands it as
// one undoable step with its error in the notes.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QUndoStack>

#include "runtime/data/sample_data.h"
#include "runtime/fuse_pair_model.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/doc/session_pipeline.h"
#include "ui/graph_editor.h"
#include "ui/main_window.h"
#include "ui/notes_banner.h"
#include "ui/sample_images_dialog.h"
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
    // Two convolutions with a ReLU between them fit with a large error: agreed to, unless a
    // test asks otherwise (the default would open a message box).
    editor()->setLargeErrorConfirmer([this](const QString& question) {
      questions_ << question;
      return true;
    });
  }
  ui::Document* document() const { return window_->document(); }
  ui::GraphEditor* editor() const { return window_->editor(); }

  test::TempDir dir_;
  std::unique_ptr<ui::MainWindow> window_;
  QStringList questions_;  // asked before applying a fit with a large error
};

TEST_F(FuseSamplesTest, AReluBetweenIsFittedOnTheChosenImagesAsOneUndoableStep) {
  open("relu");
  QString asked;
  editor()->setSampleImagesChooser([&](const QString& why) {
    asked = why;
    return ui::SampleImages{QString::fromStdString(dir_.file("images")), "cpu", 5};
  });
  QSignalSpy notes(document(), &ui::Document::editNotes);
  test::CapturedErrors errors;

  ASSERT_TRUE(editor()->fuse({"a", "b"}));
  EXPECT_NE(asked.indexOf("relu"), -1)
      << asked.toStdString() << ": the exact fusion's refusal is explained";
  EXPECT_EQ(asked.indexOf("graft-cli"), -1)
      << asked.toStdString() << ": the dialog is the way to give images here";
  ASSERT_TRUE(test::waitFor([&] { return document()->undoStack()->count() == 1; }));
  EXPECT_TRUE(errors.messages().isEmpty()) << errors.messages().join("\n").toStdString();
  EXPECT_EQ(questions_.size(), 1) << "a ReLU between two convolutions fits with a large error: "
                                  << document()->undoStack()->text(0).toStdString();
  EXPECT_FALSE(document()->graph().find("b"));
  EXPECT_EQ(document()->graph().at("a").config["kernel_size"], Json({5, 5}));
  EXPECT_EQ(document()->model().recipe.back()["method"], "least_squares");
  EXPECT_EQ(document()->model().recipe.back()["samples"], 5) << "five images, as asked";
  EXPECT_NE(document()->undoStack()->text(0).indexOf("least squares, relative error "), -1)
      << document()->undoStack()->text(0).toStdString() << ": the error stays in the History";
  ASSERT_EQ(notes.count(), 1);
  EXPECT_NE(notes.at(0).at(0).toStringList().join(" ").indexOf("relative RMS error"), -1);
  EXPECT_NE(window_->statusBar()->currentMessage().indexOf("relative RMS error"), -1)
      << "the error is on screen";
  EXPECT_FALSE(window_->workbench()->banner()->isVisible())
      << "nothing to say about weights built in memory";
  test::screenshot(window_.get(), "fuse_least_squares");

  // A session saved as a pipeline replays the fit on the same images and device.
  EXPECT_EQ(editor()->lastSamples().device, "cpu");
  ui::SessionPipelineInputs inputs;
  inputs.source = ModelSpec{};
  inputs.source->source = dir_.file("pair.json");
  inputs.operations = document()->operationsSinceOpen();
  inputs.sampleFolder = editor()->lastSamples().folder;
  inputs.sampleDevice = editor()->lastSamples().device;
  inputs.pipelinePath = QString::fromStdString(dir_.file("pair.pipeline.json"));
  const Pipeline pipeline = ui::sessionPipeline(inputs);
  ASSERT_TRUE(pipeline.samples);
  EXPECT_EQ(pipeline.samples->folder, dir_.file("images"));
  EXPECT_EQ(pipeline.samples->device, "cpu");

  document()->undoStack()->undo();
  EXPECT_TRUE(document()->graph().find("b"));
  EXPECT_EQ(document()->graph().at("a").config["kernel_size"], Json({3, 3}));
}

// A fit that leaves a large error is applied only when the user agrees to it: declined,
// nothing changes and the status bar says so.
TEST_F(FuseSamplesTest, ALargeErrorIsAppliedOnlyWhenTheUserAgrees) {
  open("relu");
  editor()->setSampleImagesChooser([&](const QString&) {
    return ui::SampleImages{QString::fromStdString(dir_.file("images")), "cpu", 5};
  });
  bool answered = false;
  QString question;
  editor()->setLargeErrorConfirmer([&](const QString& asked) {
    question = asked;
    answered = true;
    return false;
  });
  ASSERT_TRUE(editor()->fuse({"a", "b"}));
  ASSERT_TRUE(test::waitFor([&] { return answered; }));
  EXPECT_NE(question.indexOf("relative error of"), -1) << question.toStdString();
  EXPECT_NE(question.indexOf("(fitted to 5 images)"), -1) << question.toStdString();
  EXPECT_EQ(document()->undoStack()->count(), 0);
  EXPECT_TRUE(document()->graph().find("b"));
  EXPECT_NE(window_->statusBar()->currentMessage().indexOf("Fusion not applied"), -1)
      << window_->statusBar()->currentMessage().toStdString();

  editor()->setLargeErrorConfirmer([](const QString&) { return true; });
  ASSERT_TRUE(editor()->fuse({"a", "b"}));
  ASSERT_TRUE(test::waitFor([&] { return document()->undoStack()->count() == 1; }));
  EXPECT_FALSE(document()->graph().find("b"));
}

// The question asked before an approximate fusion: the refusal, the folder (OK only for a
// folder that exists) and the device, among this machine's choices.
TEST_F(FuseSamplesTest, TheDialogTakesAnExistingFolderAndADeviceFoundHere) {
  ui::SampleImagesDialog dialog("a and b: relu between them", ui::GraphEditor::kFusionSamples,
                                window_.get());
  dialog.show();
  QPushButton* fit = nullptr;
  for (QPushButton* button : dialog.findChildren<QPushButton*>())
    if (button->text() == "Fit") fit = button;
  ASSERT_NE(fit, nullptr);
  EXPECT_FALSE(fit->isEnabled()) << "no folder yet";
  dialog.folderEdit()->setText(QString::fromStdString(dir_.file("no-such-folder")));
  EXPECT_FALSE(fit->isEnabled());
  auto* problem = dialog.findChild<QLabel*>("sample_problem");
  ASSERT_NE(problem, nullptr);
  EXPECT_NE(problem->text().indexOf("not a folder"), -1) << problem->text().toStdString();
  dialog.folderEdit()->setText(QString::fromStdString(dir_.file("images")));
  EXPECT_TRUE(fit->isEnabled());
  EXPECT_FALSE(problem->isVisible());

  QComboBox* device = dialog.deviceCombo();
  EXPECT_EQ(device->itemText(0), "auto");
  ASSERT_NE(device->findText("cpu"), -1);
  device->setCurrentIndex(device->findText("cpu"));
  test::screenshot(&dialog, "fuse_sample_images_dialog");
  EXPECT_EQ(dialog.countBox()->value(), ui::GraphEditor::kFusionSamples);
  dialog.countBox()->setValue(64);  // a large pair: more positions per unknown
  const ui::SampleImages chosen = dialog.choice();
  EXPECT_EQ(chosen.folder.toStdString(), dir_.file("images"));
  EXPECT_EQ(chosen.device, "cpu");
  EXPECT_EQ(chosen.count, 64);
}

TEST_F(FuseSamplesTest, CancellingTheFolderChangesNothing) {
  open("relu");
  editor()->setSampleImagesChooser([](const QString&) { return ui::SampleImages{}; });
  test::CapturedErrors errors;
  EXPECT_FALSE(editor()->fuse({"a", "b"}));
  EXPECT_EQ(document()->undoStack()->count(), 0);
  EXPECT_TRUE(document()->graph().find("b"));
  EXPECT_TRUE(errors.messages().isEmpty()) << errors.messages().join("\n").toStdString();
}

TEST_F(FuseSamplesTest, AnEditDuringTheFitWinsAndTheFitIsDropped) {
  open("relu");
  editor()->setSampleImagesChooser([&](const QString&) {
    return ui::SampleImages{QString::fromStdString(dir_.file("images")), "auto"};
  });
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
  editor()->setSampleImagesChooser([&](const QString&) {
    asked = true;
    return ui::SampleImages{};
  });
  ASSERT_TRUE(editor()->fuse({"a", "b"}));
  EXPECT_FALSE(asked);
  EXPECT_EQ(document()->undoStack()->count(), 1);
  EXPECT_FALSE(document()->model().recipe.back().contains("method"));
}

}  // namespace
}  // namespace graft
