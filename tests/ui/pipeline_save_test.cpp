// File → Save Session as Pipeline: the session (model as opened, an edit, a training run) is
// written as a pipeline that graft-cli run replays, checks included.
#include <gtest/gtest.h>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QSpinBox>
#include <QTest>
#include <filesystem>
#include <fstream>

#include "cli/tiny_model.h"
#include "io/json_file.h"
#include "run/export_spec.h"
#include "runtime/data/sample_data.h"
#include "support/test_support.h"
#include "ui/doc/document.h"
#include "ui/graph_editor.h"
#include "ui/main_window.h"
#include "ui/pipeline_dialog.h"
#include "ui/training_panel.h"
#include "ui_test_support.h"

namespace graft {
namespace {

class PipelineSaveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::guiApp();
    std::ofstream(dir_.file("tiny.json")) << test::kTinyModel;
    SampleDataOptions sample;
    sample.imagesPerClass = 12;
    sample.size = 32;
    writeSampleData(dir_.file("shapes"), sample);
    window_ = std::make_unique<ui::MainWindow>();
    window_->show();
  }

  test::TempDir dir_;
  std::unique_ptr<ui::MainWindow> window_;
};

TEST_F(PipelineSaveTest, ATrainedSessionBecomesAPipelineThatGraftCliRunPasses) {
  ModelSpec spec;
  spec.source = dir_.file("tiny.json");
  ASSERT_TRUE(window_->openModel(spec));
  ASSERT_TRUE(window_->editor()->setTrainable({"conv1"}, false));

  ui::TrainingPanel* panel = window_->trainingPanel();
  panel->setDataDir(QString::fromStdString(dir_.file("shapes")));
  panel->epochsBox()->setValue(2);
  panel->batchSizeBox()->setValue(8);
  QTest::mouseClick(panel->startButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 300000));
  ASSERT_TRUE(panel->lastValidationAccuracy());
  const double reached = *panel->lastValidationAccuracy();

  ui::PipelineDialog* dialog = window_->savePipeline();
  ASSERT_NE(dialog, nullptr);
  const QString path = QString::fromStdString(dir_.file("ci.pipeline.json"));
  dialog->pathEdit()->setText(path);
  EXPECT_TRUE(dialog->trainBox()->isChecked());
  EXPECT_TRUE(dialog->accuracyCheckBox()->isChecked()) << "a run with validation proposes it";
  EXPECT_LE(dialog->accuracySpin()->value(), reached);
  dialog->exportBox("onnx")->setChecked(true);
  EXPECT_NE(dialog->preview()->toPlainText().indexOf("\"onnx\""), -1)
      << dialog->preview()->toPlainText().toStdString();
  test::screenshot(dialog, "pipeline_dialog");
  QTest::mouseClick(dialog->saveButton(), Qt::LeftButton);

  const Json saved = readJsonFile(path.toStdString(), "pipeline");
  EXPECT_EQ(saved["model"]["source"], "tiny.json") << saved.dump(2);
  ASSERT_EQ(saved["recipe"]["operations"].size(), 1u) << "the edit, not the training";
  EXPECT_EQ(saved["recipe"]["operations"][0]["op"], "freeze");
  EXPECT_EQ(saved["train"]["data"], "shapes");
  EXPECT_EQ(saved["train"]["epochs"], 2);
  EXPECT_EQ(saved["train"]["batch_size"], 8);
  EXPECT_EQ(saved["output"], "ci.pipeline.graft");
  EXPECT_EQ(saved["exports"][0]["output"], "ci.pipeline.onnx");

  const test::CommandResult run = test::runCli({"run", path.toStdString(), "--json"});
  EXPECT_EQ(run.exitCode, 0) << run.out << run.err;
  const Json result = Json::parse(run.out);
  size_t checks = 0;
  for (const auto& step : result["steps"])
    if (step["check"] == true) ++checks;
  EXPECT_EQ(checks, 2u) << run.out << ": parameters and validation accuracy";
  EXPECT_TRUE(std::filesystem::exists(dir_.file("ci.pipeline.onnx")));
}

// A project opened from disk is the pipeline's model: only the edits made since go in its
// recipe (the project's own recipe already produced it).
TEST_F(PipelineSaveTest, AReopenedProjectCarriesOnlyTheNewEdits) {
  ModelSpec spec;
  spec.source = dir_.file("tiny.json");
  ASSERT_TRUE(window_->openModel(spec));
  ASSERT_TRUE(window_->editor()->setTrainable({"conv1"}, false));
  ASSERT_TRUE(window_->saveProjectAs(QString::fromStdString(dir_.file("tiny.graft")), true));
  spec.source = dir_.file("tiny.graft");
  ASSERT_TRUE(window_->openModel(spec));
  ASSERT_TRUE(window_->editor()->rename("pool", "gap"));
  ASSERT_EQ(window_->document()->recipe()["operations"].size(), 2u);

  ui::PipelineDialog* dialog = window_->savePipeline();
  ASSERT_NE(dialog, nullptr);
  // Suggested beside the project, named after it (not in the folder of the last file opened).
  EXPECT_EQ(dialog->pathEdit()->text(), QString::fromStdString(dir_.file("tiny.pipeline.json")));
  // Every export format of graft-cli export is offered, Keras 3's too.
  for (const std::string& format : exportSpecField("format").choices)
    EXPECT_NE(dialog->exportBox(QString::fromStdString(format)), nullptr) << format;
  // Without an image folder nothing trains: the dialog says the model is saved as edited.
  bool saysEdited = false;
  for (const QCheckBox* box : dialog->findChildren<QCheckBox*>())
    saysEdited = saysEdited || box->text().contains(QStringLiteral("edited model"));
  EXPECT_TRUE(saysEdited);
  // It fits a 1080p screen at 200 % (960 x 540 logical pixels) with its buttons on it: its
  // preview had a fixed 260 px and the dialog needed 564.
  EXPECT_LE(dialog->minimumSizeHint().height(), 540);
  EXPECT_LE(dialog->minimumSizeHint().width(), 960);
  EXPECT_LE(dialog->height(), dialog->screen()->availableGeometry().height());
  const std::string path = dir_.file("again.json");
  dialog->pathEdit()->setText(QString::fromStdString(path));
  ASSERT_TRUE(dialog->save());
  const Json saved = readJsonFile(path, "pipeline");
  EXPECT_EQ(saved["model"]["source"], "tiny.graft");
  ASSERT_EQ(saved["recipe"]["operations"].size(), 1u) << saved.dump(2);
  EXPECT_EQ(saved["recipe"]["operations"][0]["op"], "rename");
  EXPECT_FALSE(saved.contains("train")) << "no image folder chosen: nothing to train on";
  EXPECT_EQ(saved.value("output", ""), "again.graft") << "the edited model is saved";
  const test::CommandResult run = test::runCli({"run", path});
  EXPECT_EQ(run.exitCode, 0) << run.out << run.err;
}

TEST_F(PipelineSaveTest, AModelWithoutASourceCannotBeSavedAndSaysWhy) {
  window_->document()->open(test::smallModel(3), "small", {});
  ui::PipelineDialog* dialog = window_->savePipeline();
  ASSERT_NE(dialog, nullptr);
  dialog->pathEdit()->setText(QString::fromStdString(dir_.file("p.json")));
  EXPECT_FALSE(dialog->saveButton()->isEnabled());
  EXPECT_NE(dialog->preview()->toPlainText().indexOf("save it as a project first"), -1)
      << dialog->preview()->toPlainText().toStdString();
}

}  // namespace
}  // namespace graft
