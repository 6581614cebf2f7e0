// The training doctor's one-click fixes on the training panel (issue #21 part 2): each code the
// panel can fix gets a button; pressing it stops the run, changes the form or the plan and
// starts again from the last good state; codes without a fix keep their text only; and a run's
// result never replaces a model edited while it ran.
#include <gtest/gtest.h>

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTest>
#include <QUndoStack>
#include <filesystem>

#include "graph/surgery/surgery.h"
#include "io/project_file.h"
#include "runtime/data/sample_data.h"
#include "runtime/training/training_doctor.h"
#include "support/test_support.h"
#include "ui/doc/doctor_fixes.h"
#include "ui/doc/document.h"
#include "ui/doctor_banner.h"
#include "ui/main_window.h"
#include "ui/training_chart.h"
#include "ui/training_panel.h"
#include "ui_test_support.h"

namespace graft {
namespace {

using test::shapesFolder;

constexpr int kRunTimeoutMs = 180000;

// Findings as the doctor's own rules word them, from the numbers that provoke them.
Diagnosis batchNormFinding() {
  EpochCheckup checkup;
  checkup.epoch = 2;
  checkup.batchNormDistance = 0.5;
  checkup.batchNormChanged = 0.6;
  return checkBatchNormStatistics({checkup}).value();
}

// Every validation image predicted as the first class while training accuracy climbs.
std::vector<EpochCheckup> chanceLevelHistory() {
  std::vector<EpochCheckup> history(2);
  for (int i = 0; i < 2; ++i) {
    history[i].epoch = i + 1;
    history[i].accuracy = 0.9;
    history[i].valAccuracy = 1.0 / 3.0;
    history[i].valConfusion = {{10, 0, 0}, {10, 0, 0}, {10, 0, 0}};
  }
  return history;
}

Diagnosis chanceLevelFinding() {
  return checkChanceLevel(chanceLevelHistory(), {"circle", "square", "triangle"}).value();
}

Diagnosis overfittingFinding() {
  std::vector<EpochCheckup> history(3);
  for (int i = 0; i < 3; ++i) {
    history[i].epoch = i + 1;
    history[i].loss = 1.0 - 0.2 * i;
    history[i].valLoss = 1.0 + 0.2 * i;
  }
  return checkOverfitting(history).value();
}

void emitFinding(ui::TrainingPanel* panel, const Diagnosis& d) {
  Q_EMIT panel->session()->diagnosis(QString::fromStdString(d.code),
                                     QString::fromStdString(d.message),
                                     QString::fromStdString(d.fix));
}

// Same weights, value for value, in every layer of `expected`.
void expectSameWeights(const Model& actual, const Model& expected) {
  for (const std::string& layer : expected.weights.layers()) {
    const auto* want = expected.weights.find(layer);
    const auto* got = actual.weights.find(layer);
    ASSERT_NE(got, nullptr) << layer;
    ASSERT_EQ(got->size(), want->size()) << layer;
    for (size_t i = 0; i < want->size(); ++i)
      EXPECT_EQ(*got->at(i).data, *want->at(i).data) << layer << " weight " << i;
  }
}

bool sameWeights(const Model& a, const Model& b, const std::string& layer) {
  return *a.weights.find(layer)->at(0).data == *b.weights.find(layer)->at(0).data;
}

QString lastStatus(const QSignalSpy& spy) {
  return spy.isEmpty() ? QString() : spy.back().at(0).toString();
}

void stopAndWait(ui::TrainingPanel* panel) {
  panel->session()->stop();
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, kRunTimeoutMs));
}

TEST(DoctorFixes, EachFixableCodeHasItsFixAndTheOthersKeepTheirText) {
  EXPECT_EQ(ui::doctorFixFor("batch_norm_statistics")->fix, ui::DoctorFix::FreezeBatchNorm);
  EXPECT_STREQ(ui::doctorFixFor("batch_norm_statistics")->label,
               "Freeze BatchNormalization and restart");
  EXPECT_EQ(ui::doctorFixFor("pretrained_rate_too_high")->fix, ui::DoctorFix::LowerRate);
  EXPECT_EQ(ui::doctorFixFor("loss_not_finite")->fix, ui::DoctorFix::LowerRate);
  EXPECT_EQ(ui::doctorFixFor("chance_level")->fix, ui::DoctorFix::TrainHeadFirst);
  EXPECT_FALSE(ui::doctorFixFor("chance_level")->fromLastGood);
  for (const char* textOnly : {"collapsed_predictions", "overfitting", "flat_loss",
                               "batch_norm_not_settled", "a_new_check"})
    EXPECT_FALSE(ui::doctorFixFor(textOnly).has_value()) << textOnly;
  // Every entry names a code the doctor has: a provoked finding of each kind finds its entry.
  for (const Diagnosis& d :
       {batchNormFinding(), chanceLevelFinding(), nonFiniteLoss(1, 3, true, 0.5)})
    EXPECT_TRUE(ui::doctorFixFor(QString::fromStdString(d.code)).has_value()) << d.code;

  // Lowering the rate: the doctor's suggestion for pretrained layers (the top of the usual
  // fine-tuning range, 1e-4 for adam, 1e-3 for sgd), a tenth otherwise.
  EXPECT_DOUBLE_EQ(ui::loweredLearningRate("pretrained_rate_too_high", "adam", 0.01), 1e-4);
  EXPECT_DOUBLE_EQ(ui::loweredLearningRate("pretrained_rate_too_high", "sgd", 0.01), 1e-3);
  EXPECT_DOUBLE_EQ(ui::loweredLearningRate("pretrained_rate_too_high", "adam", 5e-5), 5e-6);
  EXPECT_DOUBLE_EQ(ui::loweredLearningRate("loss_not_finite", "adam", 0.5), 0.05);
  EXPECT_DOUBLE_EQ(ui::defaultLearningRate("sgd"), 0.01);
  EXPECT_DOUBLE_EQ(ui::defaultLearningRate("adam"), 0.001);
  EXPECT_THROW(ui::defaultLearningRate("adagrad"), Error);

  // Plans: the stages change, what the user wrote besides stays.
  const QString plan = R"({"graft_plan": 1, "stages": [
      {"name": "head", "train": "new", "learning_rate": 0.001, "epochs": 2, "why": ["new top"]},
      {"name": "all", "train": "all", "optimizer": "sgd", "batch_norm": "train", "epochs": 3}]})";
  const Json frozen = Json::parse(ui::planWithBatchNormFrozen(plan).toStdString());
  EXPECT_EQ(frozen["stages"][0]["batch_norm"], "frozen");
  EXPECT_EQ(frozen["stages"][1]["batch_norm"], "frozen");
  EXPECT_EQ(frozen["stages"][0]["why"][0], "new top");
  const Json pretrained =
      Json::parse(ui::planWithLowerRates(plan, "pretrained_rate_too_high").toStdString());
  EXPECT_DOUBLE_EQ(pretrained["stages"][0]["learning_rate"].get<double>(), 0.001);  // new only
  EXPECT_DOUBLE_EQ(pretrained["stages"][1]["learning_rate"].get<double>(), 1e-3);   // sgd 0.01
  const Json nan = Json::parse(ui::planWithLowerRates(plan, "loss_not_finite").toStdString());
  EXPECT_DOUBLE_EQ(nan["stages"][0]["learning_rate"].get<double>(), 1e-4);
  EXPECT_DOUBLE_EQ(nan["stages"][1]["learning_rate"].get<double>(), 1e-3);
  try {
    ui::planWithBatchNormFrozen(R"({"graft_plan": 1, "stages": [{"train": "some"}]})");
    ADD_FAILURE() << "a bad plan must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the plan: $.stages[0].train"), std::string::npos)
        << e.what();
  }
}

// Fresh top over "pretrained" layers, no validation images (so the doctor's own checks stay
// quiet and every epoch is a good checkpoint), BatchNormalization training: a BatchNormalization
// finding mid-run, one click, and the run starts again from the last good checkpoint with
// BatchNormalization frozen.
TEST(DoctorFix, FreezeBatchNormRestartsFromTheLastGoodCheckpoint) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  window.document()->open(test::smallModel(3), "small", {}, {"fc"});
  ui::TrainingPanel* panel = window.trainingPanel();
  panel->setDataDir(QString::fromStdString(data));
  panel->validationSplitBox()->setValue(0.0);
  panel->epochsBox()->setValue(500);
  panel->batchSizeBox()->setValue(4);
  panel->learningRateEdit()->setText(QStringLiteral("0.0002"));  // below the pretrained limit
  panel->trainBatchNormBox()->setChecked(true);
  QSignalSpy status(panel, &ui::TrainingPanel::statusMessage);
  int epochs = 0;
  QObject::connect(panel->session(), &ui::TrainingSession::epochDone, [&] { ++epochs; });
  ASSERT_TRUE(panel->startTraining());
  EXPECT_TRUE(panel->session()->runSettings().trainBatchNorm);
  const std::shared_ptr<const Model> before = panel->session()->runModel();
  // After two epochs the first one's findings are in: a good checkpoint exists.
  ASSERT_TRUE(test::waitFor([&] { return epochs >= 2; }, kRunTimeoutMs));

  emitFinding(panel, batchNormFinding());
  ui::DoctorBanner* banner = panel->doctorBanner();
  EXPECT_TRUE(banner->isVisibleTo(panel));
  QPushButton* fix = banner->fixButton("batch_norm_statistics");
  ASSERT_NE(fix, nullptr);
  EXPECT_EQ(fix->text(), QStringLiteral("Freeze BatchNormalization and restart"));

  std::shared_ptr<const Model> checkpoint;
  int checkpointEpoch = 0;
  int finished = 0;
  QObject::connect(panel, &ui::TrainingPanel::trainingFinished, [&] {
    if (finished++ > 0) return;
    checkpoint = panel->session()->lastGoodCheckpoint();
    checkpointEpoch = panel->session()->lastGoodEpoch();
  });
  QTest::mouseClick(fix, Qt::LeftButton);
  EXPECT_FALSE(fix->isEnabled());  // stopping: one fix at a time
  EXPECT_NE(banner->text().indexOf("Stopping the run"), -1) << banner->text().toStdString();
  ASSERT_TRUE(
      test::waitFor([&] { return finished == 1 && panel->session()->isRunning(); }, kRunTimeoutMs));

  // The form changed and the new run carries it.
  EXPECT_FALSE(panel->trainBatchNormBox()->isChecked());
  EXPECT_FALSE(panel->session()->runSettings().trainBatchNorm);
  EXPECT_FALSE(banner->hasFinding("batch_norm_statistics"));
  // From the last good checkpoint: trained weights, not the ones before the run.
  ASSERT_NE(checkpoint, nullptr);
  EXPECT_GE(checkpointEpoch, 1);
  expectSameWeights(*panel->session()->runModel(), *checkpoint);
  EXPECT_FALSE(sameWeights(*checkpoint, *before, "fc"));
  EXPECT_NE(lastStatus(status).indexOf(QStringLiteral("BatchNormalization frozen")), -1)
      << lastStatus(status).toStdString();
  EXPECT_NE(
      lastStatus(status).indexOf(QStringLiteral("checkpoint of epoch %1").arg(checkpointEpoch)), -1)
      << lastStatus(status).toStdString();
  // The stopped run's weights did not become the document's model.
  EXPECT_EQ(window.document()->undoStack()->count(), 0);
  const int epochsBeforeRestart = epochs;
  ASSERT_TRUE(test::waitFor([&] { return epochs > epochsBeforeRestart; }, kRunTimeoutMs));
  stopAndWait(panel);
  EXPECT_EQ(window.document()->undoStack()->count(), 1);  // the restarted run's result
}

// conv1_bn's moving mean far from anything conv1 produces (statistics of some other data set):
// with BatchNormalization training, the doctor finds it for real in the first epoch.
TEST(DoctorFix, FreezeBatchNormAfterTheDoctorFoundStaleStatistics) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  Model stale = test::smallModel(3);
  auto bn = *stale.weights.find("conv1_bn");  // gamma, beta, moving_mean, moving_variance
  bn[2] = WeightTensor::filled(bn[2].shape, 50.0F);
  stale.weights.set("conv1_bn", bn);
  ui::MainWindow window;
  window.document()->open(stale, "stale", {});
  ui::TrainingPanel* panel = window.trainingPanel();
  panel->setDataDir(QString::fromStdString(data));
  panel->validationSplitBox()->setValue(0.25);
  panel->epochsBox()->setValue(3);
  panel->batchSizeBox()->setValue(8);
  panel->learningRateEdit()->setText(QStringLiteral("1e-06"));
  panel->trainBatchNormBox()->setChecked(true);
  QSignalSpy status(panel, &ui::TrainingPanel::statusMessage);
  ASSERT_TRUE(panel->startTraining());
  const std::shared_ptr<const Model> before = panel->session()->runModel();
  ASSERT_TRUE(test::waitFor(
      [&] { return panel->doctorBanner()->hasFinding("batch_norm_statistics"); }, kRunTimeoutMs))
      << panel->log().toStdString();
  QPushButton* fix = panel->doctorBanner()->fixButton("batch_norm_statistics");
  ASSERT_NE(fix, nullptr);
  int checkpointEpoch = -1;
  QObject::connect(panel, &ui::TrainingPanel::trainingFinished, [&] {
    if (checkpointEpoch < 0) checkpointEpoch = panel->session()->lastGoodEpoch();
  });
  // Pressed while the run goes on, or after it ended: either way it starts again.
  if (!panel->session()->isRunning()) checkpointEpoch = panel->session()->lastGoodEpoch();
  QTest::mouseClick(fix, Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return !status.isEmpty() && panel->session()->isRunning(); },
                            kRunTimeoutMs));
  EXPECT_FALSE(panel->trainBatchNormBox()->isChecked());
  EXPECT_FALSE(panel->session()->runSettings().trainBatchNorm);
  EXPECT_NE(lastStatus(status).indexOf("BatchNormalization frozen"), -1)
      << lastStatus(status).toStdString();
  // Every epoch so far had the finding: none is a good checkpoint.
  EXPECT_EQ(checkpointEpoch, 0);
  expectSameWeights(*panel->session()->runModel(), *before);
  EXPECT_NE(lastStatus(status).indexOf("the model as it was before the run"), -1)
      << lastStatus(status).toStdString();
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, kRunTimeoutMs));
  EXPECT_FALSE(panel->doctorBanner()->hasFinding("batch_norm_statistics"))
      << panel->doctorBanner()->text().toStdString();
}

TEST(DoctorBanner, ARemovedFindingLeavesTheOthersAndAnEmptyBannerHides) {
  test::guiApp();
  ui::DoctorBanner banner;
  banner.addFinding("high_learning_rate", "A high rate.", QString(), "Lower the rate");
  banner.addFinding("overfitting", "Overfitting.", "Stop earlier.", QString());
  EXPECT_FALSE(banner.isHidden());
  EXPECT_TRUE(banner.removeFinding("high_learning_rate"));
  EXPECT_FALSE(banner.removeFinding("high_learning_rate"));  // gone already
  EXPECT_EQ(banner.codes(), QStringList{"overfitting"});
  EXPECT_EQ(banner.fixButton("high_learning_rate"), nullptr);
  EXPECT_EQ(banner.text().indexOf("A high rate."), -1) << banner.text().toStdString();
  EXPECT_FALSE(banner.isHidden());
  EXPECT_TRUE(banner.removeFinding("overfitting"));
  EXPECT_TRUE(banner.isHidden());
  EXPECT_TRUE(banner.text().isEmpty());
}

// Another model opened after a run: the run's curves, progress and findings go with the model
// they were about (a fresh model showed "epoch 105/300" and the doctor's findings of that run).
TEST(DoctorFix, AnotherModelStartsWithoutTheLastRunsCurvesAndFindings) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 8);
  ui::MainWindow window;
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  panel->epochsBox()->setValue(500);
  panel->batchSizeBox()->setValue(4);
  panel->learningRateEdit()->setText(QStringLiteral("0.0001"));
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(
      test::waitFor([&] { return panel->lossChart()->trainingCount() > 0; }, kRunTimeoutMs));
  emitFinding(panel, overfittingFinding());
  stopAndWait(panel);
  ASSERT_TRUE(panel->doctorBanner()->hasFinding("overfitting"));

  window.document()->open(test::smallModel(4), "another", {});
  EXPECT_EQ(panel->lossChart()->trainingCount(), 0);
  EXPECT_TRUE(
      panel->log().endsWith("another model opened: the lines above are about the model "
                            "before"))
      << panel->log().toStdString();
  EXPECT_TRUE(panel->doctorBanner()->codes().isEmpty());
  EXPECT_TRUE(panel->doctorBanner()->isHidden());
  EXPECT_FALSE(panel->lastValidationAccuracy().has_value());
}

// A learning rate that overwrites the pretrained weights, provoked for real (adam at 0.01 on
// layers the model did not get fresh): the doctor's finding gets "Lower the rate", which sets
// the rate it suggests and restarts from before the first epoch it found fault with.
TEST(DoctorFix, LowerTheRateAfterItOverwroteThePretrainedLayers) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  panel->validationSplitBox()->setValue(0.0);
  panel->epochsBox()->setValue(500);
  panel->batchSizeBox()->setValue(4);
  panel->learningRateEdit()->setText(QStringLiteral("0.01"));
  QSignalSpy status(panel, &ui::TrainingPanel::statusMessage);
  int epochs = 0;
  int firstFindingEpoch = 0;
  QObject::connect(panel->session(), &ui::TrainingSession::epochDone, [&] { ++epochs; });
  QObject::connect(panel->session(), &ui::TrainingSession::diagnosis, [&](const QString& code) {
    if (code == "pretrained_rate_too_high" && firstFindingEpoch == 0) firstFindingEpoch = epochs;
  });
  ASSERT_TRUE(panel->startTraining());
  const std::shared_ptr<const Model> before = panel->session()->runModel();
  ASSERT_TRUE(test::waitFor(
      [&] { return panel->doctorBanner()->hasFinding("pretrained_rate_too_high"); }, kRunTimeoutMs))
      << panel->log().toStdString();
  QPushButton* fix = panel->doctorBanner()->fixButton("pretrained_rate_too_high");
  ASSERT_NE(fix, nullptr);
  EXPECT_EQ(fix->text(), QStringLiteral("Lower the rate"));
  // The advisor warned of this rate as the run started; the measured finding takes the warning's
  // place: one row, one "Lower the rate".
  EXPECT_NE(panel->log().indexOf("warning: This run trains pretrained layers"), -1);
  EXPECT_FALSE(panel->doctorBanner()->hasFinding("high_learning_rate"))
      << panel->doctorBanner()->text().toStdString();
  EXPECT_EQ(panel->doctorBanner()->findChildren<QPushButton*>().size(), 1);
  int checkpointEpoch = -1;
  QObject::connect(panel, &ui::TrainingPanel::trainingFinished, [&] {
    if (checkpointEpoch < 0) checkpointEpoch = panel->session()->lastGoodEpoch();
  });
  QTest::mouseClick(fix, Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return checkpointEpoch >= 0 && panel->session()->isRunning(); },
                            kRunTimeoutMs));

  EXPECT_EQ(panel->learningRateEdit()->text(), QStringLiteral("0.0001"));
  EXPECT_DOUBLE_EQ(panel->session()->runSettings().learningRate, 1e-4);
  // An epoch the doctor found fault with is no good checkpoint.
  ASSERT_GT(firstFindingEpoch, 0);
  EXPECT_LT(checkpointEpoch, firstFindingEpoch);
  if (checkpointEpoch == 0) {
    expectSameWeights(*panel->session()->runModel(), *before);
    EXPECT_NE(lastStatus(status).indexOf("the model as it was before the run"), -1)
        << lastStatus(status).toStdString();
  } else {
    EXPECT_NE(lastStatus(status).indexOf(QStringLiteral("epoch %1").arg(checkpointEpoch)), -1)
        << lastStatus(status).toStdString();
  }
  EXPECT_NE(lastStatus(status).indexOf("learning rate lowered from 0.01 to 0.0001"), -1)
      << lastStatus(status).toStdString();
  stopAndWait(panel);
}

// The advisor's warning about a rate that would overwrite pretrained layers comes as the run
// starts, before its first epoch (the CLI printed it; the panel said nothing until the doctor
// saw the damage), with the same one-click fix: from the model as it was before the run.
TEST(DoctorFix, TheHighRateWarningComesBeforeTheFirstEpochWithItsFix) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  panel->epochsBox()->setValue(500);
  panel->batchSizeBox()->setValue(4);
  panel->learningRateEdit()->setText(QStringLiteral("0.01"));
  QSignalSpy status(panel, &ui::TrainingPanel::statusMessage);
  int epochs = 0;
  int epochsAtWarning = -1;
  QObject::connect(panel->session(), &ui::TrainingSession::epochDone, [&] { ++epochs; });
  QObject::connect(panel->session(), &ui::TrainingSession::warning, [&] {
    if (epochsAtWarning < 0) epochsAtWarning = epochs;
  });
  ASSERT_TRUE(panel->startTraining());
  const std::shared_ptr<const Model> before = panel->session()->runModel();
  ASSERT_TRUE(test::waitFor([&] { return panel->doctorBanner()->hasFinding("high_learning_rate"); },
                            kRunTimeoutMs))
      << panel->log().toStdString();
  EXPECT_EQ(epochsAtWarning, 0);
  EXPECT_NE(panel->doctorBanner()->text().indexOf(
                "trains pretrained layers at a learning rate of 0.01, far above the usual"),
            -1)
      << panel->doctorBanner()->text().toStdString();
  EXPECT_EQ(panel->doctorBanner()->text().indexOf("Fix: "), -1);  // the warning says it all
  EXPECT_NE(panel->log().indexOf("warning: This run trains pretrained layers"), -1);
  QPushButton* fix = panel->doctorBanner()->fixButton("high_learning_rate");
  ASSERT_NE(fix, nullptr);
  EXPECT_EQ(fix->text(), QStringLiteral("Lower the rate"));
  bool restarted = false;
  QObject::connect(panel, &ui::TrainingPanel::trainingFinished, [&] { restarted = true; });
  QTest::mouseClick(fix, Qt::LeftButton);
  ASSERT_TRUE(
      test::waitFor([&] { return restarted && panel->session()->isRunning(); }, kRunTimeoutMs));
  EXPECT_EQ(panel->learningRateEdit()->text(), QStringLiteral("0.0001"));
  EXPECT_DOUBLE_EQ(panel->session()->runSettings().learningRate, 1e-4);
  expectSameWeights(*panel->session()->runModel(), *before);
  EXPECT_NE(lastStatus(status).indexOf("the model as it was before the run"), -1)
      << lastStatus(status).toStdString();
  // At 1e-4 the advisor has nothing to say (its warnings come before the first epoch).
  const int epochsAtRestart = epochs;
  ASSERT_TRUE(test::waitFor([&] { return epochs > epochsAtRestart; }, kRunTimeoutMs));
  EXPECT_FALSE(panel->doctorBanner()->hasFinding("high_learning_rate"))
      << panel->doctorBanner()->text().toStdString();
  stopAndWait(panel);
}

// A loss that turns NaN ends the run by itself; the fix then restarts at a tenth of the rate,
// from the model as it was (no epoch completed).
TEST(DoctorFix, LowerTheRateAfterTheLossWentNaN) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 8);
  ui::MainWindow window;
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  panel->epochsBox()->setValue(2);
  panel->batchSizeBox()->setValue(4);
  panel->learningRateEdit()->setText(QStringLiteral("1e+30"));
  ASSERT_TRUE(panel->startTraining());
  const std::shared_ptr<const Model> before = panel->session()->runModel();
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, kRunTimeoutMs));
  ASSERT_TRUE(panel->doctorBanner()->hasFinding("loss_not_finite")) << panel->log().toStdString();
  EXPECT_EQ(window.document()->undoStack()->count(), 0);

  QPushButton* fix = panel->doctorBanner()->fixButton("loss_not_finite");
  ASSERT_NE(fix, nullptr);
  QTest::mouseClick(fix, Qt::LeftButton);
  EXPECT_TRUE(panel->session()->isRunning());
  EXPECT_DOUBLE_EQ(panel->learningRateEdit()->text().toDouble(), 1e29);
  EXPECT_DOUBLE_EQ(panel->session()->runSettings().learningRate, 1e29);
  EXPECT_FALSE(panel->doctorBanner()->isVisibleTo(panel));  // cleared for the new run
  expectSameWeights(*panel->session()->runModel(), *before);
  stopAndWait(panel);
}

// A model with a fresh head over pretrained layers trained in one run: "Train the head first"
// loads the advisor's plan as Advise does and restarts from the model before the run. The
// banner with fixable and text-only findings is written as a screenshot at 1440 x 900.
TEST(DoctorFix, TrainTheHeadFirstLoadsTheAdvisorsPlan) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  window.resize(1440, 900);
  window.show();
  window.document()->open(test::smallModel(3), "small", {}, {"fc"});
  window.showTraining();
  ui::TrainingPanel* panel = window.trainingPanel();
  panel->setDataDir(QString::fromStdString(data));
  panel->epochsBox()->setValue(500);
  panel->batchSizeBox()->setValue(4);
  // A rate the advisor does not warn about before the run: the banner holds the findings below.
  panel->learningRateEdit()->setText(QStringLiteral("0.0001"));
  ASSERT_TRUE(panel->startTraining());
  EXPECT_TRUE(panel->session()->runSettings().plan.isEmpty());
  const std::shared_ptr<const Model> before = panel->session()->runModel();
  ASSERT_TRUE(test::waitFor([&] { return panel->lossChart()->trainingCount() > 0; },
                            kRunTimeoutMs));  // started: the panel knows how the run is set up

  emitFinding(panel, chanceLevelFinding());
  emitFinding(panel, batchNormFinding());
  emitFinding(panel, overfittingFinding());
  emitFinding(panel, chanceLevelFinding());  // the same kind again: shown once
  ui::DoctorBanner* banner = panel->doctorBanner();
  EXPECT_EQ(banner->codes(), (QStringList{"chance_level", "batch_norm_statistics", "overfitting"}));
  EXPECT_EQ(banner->text().count("validation accuracy 0.333 is at chance level"), 1)
      << banner->text().toStdString();
  EXPECT_EQ(banner->fixButton("overfitting"), nullptr);  // text only
  QPushButton* fix = banner->fixButton("chance_level");
  ASSERT_NE(fix, nullptr);
  EXPECT_EQ(fix->text(), QStringLiteral("Train the head first"));
  // Layouts settle over a few turns of the event loop, as they do on screen.
  test::waitFor(
      [&] {
        return banner->height() >= banner->minimumSizeHint().height() &&
               fix->visibleRegion().boundingRect().size() == fix->size();
      },
      5000);
  for (QPushButton* button : {fix, banner->fixButton("batch_norm_statistics")}) {
    ASSERT_NE(button, nullptr);
    EXPECT_TRUE(button->isVisible());
    const QRect inWindow(button->mapTo(&window, QPoint(0, 0)), button->size());
    EXPECT_TRUE(window.rect().contains(inWindow));
    EXPECT_EQ(button->visibleRegion().boundingRect().size(), button->size());
  }
  test::screenshot(&window, "training_doctor_fixes_1440x900");

  QSignalSpy status(panel, &ui::TrainingPanel::statusMessage);
  QTest::mouseClick(fix, Qt::LeftButton);
  ASSERT_TRUE(test::waitFor([&] { return !status.isEmpty() && panel->session()->isRunning(); },
                            kRunTimeoutMs));
  EXPECT_TRUE(panel->usePlanBox()->isChecked());
  const Json plan = Json::parse(panel->planEditor()->toPlainText().toStdString());
  EXPECT_EQ(plan["stages"][0]["train"], "new") << plan.dump();
  EXPECT_EQ(panel->session()->runSettings().plan, panel->planEditor()->toPlainText());
  EXPECT_NE(panel->adviceText()->text().indexOf("Stage 1"), -1);
  expectSameWeights(*panel->session()->runModel(), *before);
  EXPECT_NE(lastStatus(status).indexOf("the model as it was before the run"), -1)
      << lastStatus(status).toStdString();
  ASSERT_TRUE(test::waitFor([&] { return panel->log().contains("stage 1/"); }, kRunTimeoutMs))
      << panel->log().toStdString();
  stopAndWait(panel);

  // A model with nothing new has no head to train first: the same finding is text only.
  window.document()->open(test::smallModel(3), "small", {});
  panel->usePlanBox()->setChecked(false);
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(
      test::waitFor([&] { return panel->lossChart()->trainingCount() > 0; }, kRunTimeoutMs));
  emitFinding(panel, chanceLevelFinding());
  ASSERT_TRUE(banner->hasFinding("chance_level"));
  EXPECT_EQ(banner->fixButton("chance_level"), nullptr);
  EXPECT_FALSE(panel->applyDoctorFix("chance_level"));
  stopAndWait(panel);
}

// While a run goes on the model cannot be edited (the result would overwrite the edit, or the
// edit would be lost); a model opened meanwhile is never replaced by the run's result.
TEST(DoctorFix, ARunNeverOverwritesNewerEdits) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 8);
  ui::MainWindow window;
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  panel->epochsBox()->setValue(500);
  panel->batchSizeBox()->setValue(4);
  QSignalSpy status(panel, &ui::TrainingPanel::statusMessage);
  int epochs = 0;
  QObject::connect(panel->session(), &ui::TrainingSession::epochDone, [&] { ++epochs; });
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(test::waitFor([&] { return epochs >= 1; }, kRunTimeoutMs));  // a result to apply
  const Diagnostics refused =
      window.document()->apply1(Json{{"op", "freeze"}, {"layers", {"conv1"}}}, "freeze conv1");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused.front().message.find("Training is running"), std::string::npos)
      << refused.front().message;
  EXPECT_TRUE(window.document()->graph().find("conv1")->trainable);
  stopAndWait(panel);
  EXPECT_EQ(window.document()->undoStack()->count(), 1);  // the run's result, one step
  EXPECT_TRUE(window.document()->canEdit());
  ASSERT_TRUE(window.document()
                  ->apply1(Json{{"op", "freeze"}, {"layers", {"conv1"}}}, "freeze conv1")
                  .empty());

  // Another model opened while a run trains: the result is not applied over it.
  ASSERT_TRUE(panel->startTraining());
  EXPECT_FALSE(panel->session()->runModel()->graph.find("conv1")->trainable);  // the edit
  const int epochsBefore = epochs;
  ASSERT_TRUE(test::waitFor([&] { return epochs > epochsBefore; }, kRunTimeoutMs));
  window.document()->open(test::smallModel(3), "another", {});
  // The user is asked what to keep; here: discard the training.
  const auto answer = test::answerNextDialog<QMessageBox>([](QMessageBox* box) {
    return box->findChild<QAbstractButton*>(QStringLiteral("trained_discard"));
  });
  stopAndWait(panel);
  ASSERT_TRUE(test::waitFor([&] { return !answer->isActive(); }));
  EXPECT_EQ(window.document()->source(), QStringLiteral("another"));
  EXPECT_EQ(window.document()->undoStack()->count(), 0);
  EXPECT_NE(lastStatus(status).indexOf("discarded"), -1) << lastStatus(status).toStdString();
}

// Starts a long run on a fresh small model and waits for its first epoch.
void startLongRun(ui::MainWindow& window, const std::string& data, int* epochs) {
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  panel->epochsBox()->setValue(500);
  panel->batchSizeBox()->setValue(4);
  QObject::connect(panel->session(), &ui::TrainingSession::epochDone, [epochs] { ++*epochs; });
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(test::waitFor([&] { return *epochs >= 1; }, kRunTimeoutMs));
}

// A three-class model told apart from smallModel(3) by the name of its first layer.
Model smallModelWithStem(const std::string& name) {
  Expected<EditResult> renamed =
      applyOperation(test::smallModel(3), Json{{"op", "rename"}, {"layer", "conv1"}, {"to", name}});
  EXPECT_TRUE(renamed) << joinDiagnostics(renamed.diagnostics());
  return renamed->model;
}

// The model changed during a run (another model opened around the window's guard): the user
// may keep the current model and save the trained one as a project, or use the trained one as
// one undoable step over the current model.
TEST(DoctorFix, AChangedModelAsksWhatToKeep) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 8);
  ui::MainWindow window;
  ui::TrainingPanel* panel = window.trainingPanel();
  int epochs = 0;
  startLongRun(window, data, &epochs);
  window.document()->open(smallModelWithStem("stem"), "another", {});
  {
    const auto answer = test::answerNextDialog<QMessageBox>([](QMessageBox* box) {
      return box->findChild<QAbstractButton*>(QStringLiteral("trained_use"));
    });
    stopAndWait(panel);
    ASSERT_TRUE(test::waitFor([&] { return !answer->isActive(); }));
  }
  // The trained model (first layer conv1) replaced the other one, and undo brings that back.
  EXPECT_TRUE(window.document()->graph().find("conv1"));
  ASSERT_EQ(window.document()->undoStack()->count(), 1);
  window.document()->undo();
  EXPECT_TRUE(window.document()->graph().find("stem"));

  ASSERT_TRUE(panel->startTraining());
  const int before = epochs;
  ASSERT_TRUE(test::waitFor([&] { return epochs > before; }, kRunTimeoutMs))
      << panel->log().toStdString();
  window.document()->open(smallModelWithStem("third_stem"), "a third", {});
  // The save dialog starts in the last folder used: here the test's own.
  QSettings().setValue("lastDirectory", QString::fromStdString(dir.path().string()));
  std::string saved;  // the name the save dialog suggests, accepted as it is
  {
    const auto fileDialog = test::answerNextDialog<QFileDialog>(
        [](QFileDialog* d) {
          return d->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
        },
        [&](QFileDialog* d) { saved = d->selectedFiles().value(0).toStdString(); });
    fileDialog->stop();  // started once the question is answered
    const auto answer = test::answerNextDialog<QMessageBox>([&](QMessageBox* box) {
      fileDialog->start(20);
      return box->findChild<QAbstractButton*>(QStringLiteral("trained_save_as"));
    });
    stopAndWait(panel);
    ASSERT_TRUE(test::waitFor([&] { return !saved.empty() && std::filesystem::exists(saved); },
                              kRunTimeoutMs))
        << panel->log().toStdString();
  }
  // Named after the trained model's graph, with the project suffix.
  EXPECT_EQ(std::filesystem::path(saved), dir.path() / "small_trained.graft");
  // The current model stays; the file holds the model trained from the "stem" one.
  EXPECT_EQ(window.document()->source(), QStringLiteral("a third"));
  EXPECT_TRUE(window.document()->graph().find("third_stem"));
  EXPECT_EQ(window.document()->undoStack()->count(), 0);
  ASSERT_TRUE(test::waitFor([&] {
    try {
      return loadProject(saved).graph.find("stem") != nullptr;
    } catch (const std::exception&) {
      return false;  // still being written
    }
  }));
}

// Opening another model while a run trains asks to stop the run first; the weights trained so
// far become the model (one step), then the other model opens (after the unsaved-changes
// question, here: discard).
TEST(DoctorFix, OpeningAnotherModelStopsTheRunFirst) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 8);
  ui::MainWindow window;
  ui::TrainingPanel* panel = window.trainingPanel();
  int epochs = 0;
  startLongRun(window, data, &epochs);
  {  // Cancel: the run goes on.
    const auto answer = test::answerNextDialog<QMessageBox>(
        [](QMessageBox* box) { return box->button(QMessageBox::Cancel); });
    ModelSpec vgg;
    vgg.source = "vgg16";
    window.openModelAsync(vgg, "vgg16");
    EXPECT_TRUE(panel->isTraining());
    EXPECT_FALSE(window.isLoading());
  }
  const auto discard = test::answerNextDialog<QMessageBox>(
      [](QMessageBox* box) { return box->button(QMessageBox::Discard); });
  discard->stop();
  const auto stop = test::answerNextDialog<QMessageBox>([&](QMessageBox* box) {
    discard->start(20);  // the trained weights are unsaved edits: the next question
    return box->findChild<QAbstractButton*>(QStringLiteral("stop_and_open"));
  });
  ModelSpec spec;
  spec.source = "mobilenet";
  spec.alpha = 0.25;
  spec.inputSize = 32;
  spec.kerasCacheDir = dir.file("no-keras-cache");
  window.openModelAsync(spec, "mobilenet");
  ASSERT_TRUE(test::waitFor(
      [&] { return window.document()->graph().find("conv_pw_13") != nullptr; }, kRunTimeoutMs));
  EXPECT_FALSE(panel->isTraining());
  EXPECT_NE(panel->log().indexOf("stopping the run to open another model"), -1);
}

// Quitting while a run trains asks first: Cancel keeps the window and the run; Stop and Quit
// stops the run, its weights become the model, and the unsaved-changes question follows (here:
// discard) before the window closes.
TEST(DoctorFix, QuittingWhileTrainingAsksToStopTheRunFirst) {
  test::guiApp();
  test::CapturedErrors errors;
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 8);
  ui::MainWindow window;
  window.show();
  ui::TrainingPanel* panel = window.trainingPanel();
  int epochs = 0;
  startLongRun(window, data, &epochs);
  {
    const auto cancel = test::answerNextDialog<QMessageBox>(
        [](QMessageBox* box) { return box->button(QMessageBox::Cancel); });
    EXPECT_FALSE(window.close());
    EXPECT_TRUE(window.isVisible());
    EXPECT_TRUE(panel->isTraining());
  }
  const auto discard = test::answerNextDialog<QMessageBox>(
      [](QMessageBox* box) { return box->button(QMessageBox::Discard); });
  discard->stop();
  const auto stop = test::answerNextDialog<QMessageBox>([&](QMessageBox* box) {
    discard->start(20);  // the trained weights are unsaved edits: the next question
    return box->findChild<QAbstractButton*>(QStringLiteral("stop_and_quit"));
  });
  EXPECT_FALSE(window.close());  // not yet: the run stops first
  ASSERT_TRUE(test::waitFor([&] { return !window.isVisible(); }, kRunTimeoutMs));
  EXPECT_FALSE(panel->isTraining());
  EXPECT_NE(panel->log().indexOf("stopping the run to quit"), -1);
  EXPECT_EQ(window.document()->undoStack()->count(), 1);  // the trained weights, one step
}

}  // namespace
}  // namespace graft
