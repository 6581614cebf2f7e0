// A short fine-tuning run from the training panel on generated images: the charts grow while
// the event loop keeps turning (the run is on a worker thread), the confusion matrix fills,
// and the trained model becomes the document's model as one undoable step.
#include <gtest/gtest.h>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "graph/weights.h"
#include "runtime/data/sample_data.h"
#include "support/test_support.h"
#include "ui/confusion_matrix_view.h"
#include "ui/doc/document.h"
#include "ui/doctor_banner.h"
#include "ui/event_loop_monitor.h"
#include "ui/main_window.h"
#include "ui/train_spec_form.h"
#include "ui/training_chart.h"
#include "ui/training_panel.h"
#include "ui_test_support.h"

namespace graft {
namespace {

using test::shapesFolder;

TEST(Training, ChartsGrowWhileTheWindowStaysResponsive) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 24);

  ui::MainWindow window;
  window.show();
  window.document()->open(test::smallModel(3), "small", {});
  window.showTraining();
  ui::TrainingPanel* panel = window.trainingPanel();
  panel->setDataDir(QString::fromStdString(data));
  EXPECT_NE(panel->folderSummary()->text().indexOf("3 classes"), -1)
      << panel->folderSummary()->text().toStdString();
  panel->epochsBox()->setValue(3);
  panel->batchSizeBox()->setValue(8);

  // Count event-loop turns independently of the panel's own monitor.
  int turns = 0;
  QTimer ticker;
  QObject::connect(&ticker, &QTimer::timeout, [&turns] { ++turns; });
  ticker.start(10);
  QElapsedTimer run;
  run.start();
  int chartPointsSeenWhileRunning = 0;
  QTest::mouseClick(panel->startButton(), Qt::LeftButton);
  ASSERT_TRUE(panel->session()->isRunning());
  EXPECT_FALSE(panel->startButton()->isEnabled());
  EXPECT_TRUE(panel->stopButton()->isEnabled());
  ASSERT_TRUE(test::waitFor(
      [&] {
        if (panel->session()->isRunning())
          chartPointsSeenWhileRunning =
              std::max(chartPointsSeenWhileRunning, panel->lossChart()->trainingCount());
        return !panel->session()->isRunning();
      },
      300000));
  ticker.stop();
  const qint64 runMs = run.elapsed();

  EXPECT_GT(chartPointsSeenWhileRunning, 0) << "the chart must grow during the run, not after";
  EXPECT_GE(panel->lossChart()->trainingCount(), 3 * 7);  // 58 training images / 8 per batch
  EXPECT_EQ(panel->lossChart()->validationCount(), 3);
  EXPECT_EQ(panel->accuracyChart()->validationCount(), 3);
  qint64 validated = 0;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) validated += panel->confusion()->valueAt(r, c);
  EXPECT_GT(validated, 0);
  // The 10 ms ticker kept firing: at least one turn per 50 ms of the run (the run may take a
  // fraction of a second on an idle machine or seconds on a loaded one), and more than 10 once
  // the run is long enough to show it.
  EXPECT_GT(turns, std::min<qint64>(10, runMs / 50)) << "over a run of " << runMs << " ms";
  std::cout << "event loop during training: " << turns << " timer turns, max latency "
            << panel->latency()->maxLatencyMs() << " ms, mean " << panel->latency()->meanLatencyMs()
            << " ms\n";
  EXPECT_LT(panel->latency()->maxLatencyMs(), 500.0);
  // The trained weights are the document's now, undoably, with the data's class names.
  EXPECT_EQ(window.document()->undoStack()->count(), 1);
  EXPECT_EQ(window.document()->model().labels,
            (std::vector<std::string>{"circle", "square", "triangle"}));
  test::screenshot(&window, "training_panel");
  window.document()->undoStack()->undo();
  EXPECT_TRUE(window.document()->model().labels.empty());
}

// A run of 200 epochs in batches of 4 on 30 images a class, started and past `batches`
// batches: long enough to stop, pause or quit in.
ui::TrainingPanel* startLongRun(ui::MainWindow& window, const std::string& data, int batches) {
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  panel->epochsBox()->setValue(200);
  panel->batchSizeBox()->setValue(4);
  EXPECT_TRUE(panel->startTraining());
  EXPECT_TRUE(test::waitFor([&] { return panel->lossChart()->trainingCount() > batches; }, 60000));
  return panel;
}

TEST(Training, StopEndsTheRunEarly) {
  test::guiApp();
  test::TempDir dir;
  ui::MainWindow window;
  ui::TrainingPanel* panel = startLongRun(window, shapesFolder(dir, 30), 2);
  ASSERT_TRUE(panel->session()->isRunning());
  // Paused, the place of the ETA says so (the running ETA stayed while nothing ran).
  QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
  EXPECT_EQ(panel->speedText(), "paused");
  // Resume shows the play icon (it kept the pause icon).
  const auto iconImage = [](const QIcon& icon) { return icon.pixmap(16, 16).toImage(); };
  EXPECT_EQ(panel->pauseButton()->text(), "Resume");
  EXPECT_EQ(iconImage(panel->pauseButton()->icon()),
            iconImage(QIcon(QStringLiteral(":/icons/play.svg"))));
  QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
  EXPECT_EQ(iconImage(panel->pauseButton()->icon()),
            iconImage(QIcon(QStringLiteral(":/icons/pause.svg"))));
  // Model > Stop Training (its key) does what the button does; the focus, on Stop, goes to Start
  // (it went to an unnamed scroll area when Stop was disabled under it).
  panel->stopButton()->setFocus();
  auto* stop = window.findChild<QAction*>(QStringLiteral("stop_training"));
  ASSERT_NE(stop, nullptr);
  ASSERT_TRUE(stop->isEnabled());
  stop->trigger();
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 60000));
  EXPECT_EQ(window.focusWidget(), panel->startButton());
  EXPECT_FALSE(stop->isEnabled());
  EXPECT_LT(panel->lossChart()->validationCount(), 200);
  EXPECT_NE(panel->log().indexOf("stopped"), -1) << panel->log().toStdString();
  EXPECT_TRUE(panel->startButton()->isEnabled());
  // The bar says what the model kept, not the batch the run stopped at; no ETA stays beside it.
  const std::string progress = panel->progressText().toStdString();
  if (panel->epochsCompleted() == 0)
    EXPECT_EQ(progress, "stopped before the first epoch ended: the model is unchanged");
  else
    EXPECT_EQ(progress, "stopped: the model keeps the weights after epoch " +
                            std::to_string(panel->epochsCompleted()));
  EXPECT_FALSE(panel->speedText().startsWith("ETA")) << panel->speedText().toStdString();
  // The next run does not show this one's end while it sets up; stopped then, it is stopped,
  // not failed (an error dialog said "Training failed: not run: the run was interrupted").
  const test::CapturedErrors errors;
  ASSERT_TRUE(panel->startTraining());
  EXPECT_EQ(panel->progressText(), "preparing the run…");
  EXPECT_TRUE(panel->speedText().isEmpty());
  panel->session()->stop();
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 60000));
  EXPECT_TRUE(errors.messages().isEmpty()) << errors.messages().join("\n").toStdString();
}

// A run that fails says so beside the progress bar once its dialog is closed (it kept
// "preparing the run…" beside an enabled Start).
TEST(Training, AFailedRunSaysSoBesideTheBar) {
  test::guiApp();
  test::TempDir dir;
  ui::MainWindow window;
  const std::string data = shapesFolder(dir, 6);
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  // Every image cut short after its PNG signature: found as images, the run fails reading them.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data))
    if (entry.is_regular_file())
      std::ofstream(entry.path(), std::ios::binary)
          << std::string("\x89PNG\r\n\x1a\n", 8) << "cut short";
  const test::CapturedErrors errors;
  panel->startButton()->setFocus();
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 60000));
  ASSERT_FALSE(errors.messages().isEmpty());
  EXPECT_EQ(panel->progressText(), "failed: the log says why");
  EXPECT_EQ(window.focusWidget(), panel->startButton()) << "after the failure, on Start";
  EXPECT_TRUE(panel->isLogShown()) << "the log's tab, behind the confusion matrix's";
  EXPECT_TRUE(panel->startButton()->isEnabled());
}

// Stopping to quit (or to open another model): the run ends, then what was asked runs; Pause
// and Stop are off meanwhile (they stayed on while "Stopping the training run to quit…").
TEST(Training, StoppingToQuitRunsWhatWasAskedOnceTheRunEnds) {
  test::guiApp();
  test::TempDir dir;
  ui::MainWindow window;
  ui::TrainingPanel* panel = startLongRun(window, shapesFolder(dir, 30), 0);
  ASSERT_TRUE(panel->session()->isRunning());
  bool ran = false;
  panel->stopThen(QStringLiteral("stopping the run to quit…"), [&ran] { ran = true; });
  EXPECT_FALSE(panel->stopButton()->isEnabled());
  EXPECT_FALSE(panel->pauseButton()->isEnabled());
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 60000));
  EXPECT_TRUE(ran);
  EXPECT_TRUE(panel->startButton()->isEnabled());
}

// A model whose input size is free: the form says the size it trains at (the size predict and
// eval take) and where to choose another, before Start.
TEST(Training, AFreeInputSizeIsSaidBeforeStart) {
  test::guiApp();
  ui::MainWindow window;
  GraphBuilder b("free");
  std::string x = b.input("input_1", {kUnknown, kUnknown, kUnknown, 3});
  x = b.add("Conv2D", "conv1", {{"filters", 4}, {"kernel_size", {3, 3}}}, x);
  x = b.add("GlobalAveragePooling2D", "gap", Json::object(), x);
  b.add("Dense", "fc", {{"units", 3}, {"activation", "softmax"}}, x);
  Model model;
  model.graph = b.build();
  initializeWeights(model.graph, analyze(model.graph), model.weights, 7);
  window.document()->open(model, "free", {});
  window.resize(1280, 800);
  window.show();
  window.showTraining();
  test::screenshot(&window, "training_free_input_size");
  const QString said = window.trainingPanel()->inputSizeLabel()->text();
  EXPECT_NE(said.indexOf("224 × 224 × 3 (any size; the default)"), -1) << said.toStdString();
  EXPECT_EQ(said.indexOf("-1"), -1) << said.toStdString();
}

// A model that sizes its own images (free input, then Resizing) says so instead of asking for a
// size; one with a fixed height does not (its images are resized to that height first).
TEST(Training, AModelThatSizesItsOwnImagesSaysSo) {
  test::guiApp();
  ui::MainWindow window;
  const auto said = [&window](int64_t height) {
    GraphBuilder b("sizes_itself");
    std::string x = b.input("input_1", {kUnknown, height, kUnknown, 3});
    x = b.add("Resizing", "resize", {{"height", 24}, {"width", 32}}, x);
    x = b.add("GlobalAveragePooling2D", "gap", Json::object(), x);
    b.add("Dense", "fc", {{"units", 3}, {"activation", "softmax"}}, x);
    Model model;
    model.graph = b.build();
    initializeWeights(model.graph, analyze(model.graph), model.weights, 7);
    window.document()->open(model, "sizes_itself", {});
    window.showTraining();
    return window.trainingPanel()->inputSizeLabel()->text().toStdString();
  };
  const std::string free = said(kUnknown);
  EXPECT_NE(free.find("any size, sized by the model to 24 × 32 × 3"), std::string::npos) << free;
  const std::string tall = said(40);
  EXPECT_EQ(tall.find("sized by the model"), std::string::npos) << tall;
  EXPECT_NE(tall.find("40 × 224 × 3"), std::string::npos) << tall;
}

// Numbers are typed as the CLI and pipeline files write them in every locale: in a German
// session the learning rate field used to accept "0,5", which the run then read as "Keras
// default"; a comma typed now becomes the point.
TEST(Training, TheLearningRateFieldTakesNumbersAsTheCliWritesThemInAnyLocale) {
  test::guiApp();
  struct GermanSession {  // restored however the test ends: later tests keep their locale
    QLocale previous;
    GermanSession() { QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany)); }
    ~GermanSession() { QLocale::setDefault(previous); }
  } german;
  {
    ui::MainWindow window;
    window.document()->open(test::smallModel(3), "small", {});
    QLineEdit* lr = window.trainingPanel()->learningRateEdit();
    const QValidator* validator = lr->validator();
    ASSERT_NE(validator, nullptr);
    for (const char* typed : {"0.5", "1e-4", "0.0002"}) {
      QString text = QString::fromLatin1(typed);
      int position = 0;
      EXPECT_EQ(validator->validate(text, position), QValidator::Acceptable) << typed;
    }
    lr->setText(QStringLiteral("0.5"));
    ASSERT_TRUE(lr->hasAcceptableInput());
    EXPECT_DOUBLE_EQ(window.trainingPanel()->settings().learningRate, 0.5);  // what a run gets
    // A comma typed as the decimal separator becomes the point as it is typed: the keystroke
    // used to be dropped without a sign, so "0,01" read "001".
    lr->clear();
    QTest::keyClicks(lr, QStringLiteral("0,01"));
    EXPECT_EQ(lr->text(), QStringLiteral("0.01"));
    ASSERT_TRUE(lr->hasAcceptableInput());
    EXPECT_DOUBLE_EQ(window.trainingPanel()->settings().learningRate, 0.01);
  }
}

// The device, precision and memory order chosen in the settings reach the run, which says what
// it computes on and how (#23).
TEST(Training, TheRunSaysWhereAndInWhatPrecisionItComputes) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  panel->epochsBox()->setValue(1);
  auto* device = qobject_cast<QComboBox*>(panel->moreOptions()->editorFor("device"));
  auto* precision = qobject_cast<QComboBox*>(panel->moreOptions()->editorFor("precision"));
  auto* order = qobject_cast<QComboBox*>(panel->moreOptions()->editorFor("channels_last"));
  ASSERT_TRUE(device && precision && order);
  EXPECT_NE(device->findText("cpu"), -1);  // the devices found here are offered
  device->setCurrentText("cpu");
  precision->setCurrentText("bf16");
  order->setCurrentText("on");
  panel->findChild<QToolButton*>(QStringLiteral("train_more_options"))->setChecked(true);
  panel->resize(460, 1400);
  test::screenshot(panel->moreOptions(), "training_more_options");
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 60000));
  EXPECT_NE(panel->log().indexOf("computing on CPU"), -1) << panel->log().toStdString();
  EXPECT_NE(panel->log().indexOf("bf16"), -1) << panel->log().toStdString();
  EXPECT_NE(panel->deviceLabel()->text().indexOf("bf16, channels-last"), -1)
      << panel->deviceLabel()->text().toStdString();
}

TEST(Training, AdviceFillsAPlanAndTheRunFollowsItsStages) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  ui::TrainingPanel* panel = test::readyToTrain(window, data);

  // One click: the advisor's plan (JSON, editable) and its reasons; the plan is ticked for use.
  QTest::mouseClick(panel->adviseButton(), Qt::LeftButton);
  EXPECT_NE(panel->planEditor()->toPlainText().indexOf("\"graft_plan\": 1"), -1)
      << panel->planEditor()->toPlainText().toStdString();
  EXPECT_NE(panel->adviceText()->text().indexOf("Stage 1"), -1)
      << panel->adviceText()->text().toStdString();
  EXPECT_TRUE(panel->usePlanBox()->isChecked());

  // The user edits it into two stages; the run follows them, numbering epochs on through both.
  panel->planEditor()->setPlainText(R"({"graft_plan": 1, "stages": [
      {"name": "top", "freeze_upto": "flatten", "optimizer": "adam", "learning_rate": 0.01,
       "epochs": 1},
      {"name": "all", "train": "all", "optimizer": "sgd", "learning_rate": 0.001, "epochs": 2}]})");
  panel->batchSizeBox()->setValue(8);
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 120000));
  EXPECT_EQ(panel->lossChart()->validationCount(), 3);
  EXPECT_NE(panel->log().indexOf("stage 1/2 (top)"), -1) << panel->log().toStdString();
  EXPECT_NE(panel->log().indexOf("stage 2/2 (all)"), -1) << panel->log().toStdString();
  EXPECT_EQ(window.document()->undoStack()->count(), 1);
}

// A model opened with a fresh top over pretrained weights (what the loader reports as fresh
// layers): the advisor's first stage trains the new layers only, as `graft-cli advise` does.
TEST(Training, AdviceTreatsTheLoadersFreshLayersAsNew) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  ui::TrainingPanel* panel = window.trainingPanel();
  panel->setDataDir(QString::fromStdString(data));

  window.document()->open(test::smallModel(3), "small", {}, {"fc"});
  QTest::mouseClick(panel->adviseButton(), Qt::LeftButton);
  const QString withFreshTop = panel->adviceText()->text();
  EXPECT_NE(withFreshTop.indexOf("Stage 1"), -1) << withFreshTop.toStdString();
  EXPECT_NE(withFreshTop.indexOf("the new layers only"), -1) << withFreshTop.toStdString();

  // The same model with nothing fresh has no new layers to train first.
  window.document()->open(test::smallModel(3), "small", {});
  QTest::mouseClick(panel->adviseButton(), Qt::LeftButton);
  const QString allPretrained = panel->adviceText()->text();
  EXPECT_EQ(allPretrained.indexOf("the new layers only"), -1) << allPretrained.toStdString();
}

// Start with nothing chosen on a model with a fresh top over pretrained layers: the run follows
// the advisor's plan and says so in the log; BatchNormalization stays frozen.
TEST(Training, DefaultsFollowTheAdvisorsPlan) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  window.document()->open(test::smallModel(3), "small", {}, {"fc"});
  ui::TrainingPanel* panel = window.trainingPanel();
  panel->setDataDir(QString::fromStdString(data));
  EXPECT_EQ(panel->epochsBox()->value(), 0);  // "default"
  EXPECT_FALSE(panel->trainBatchNormBox()->isChecked());
  EXPECT_FALSE(panel->settings().chosen);
  EXPECT_TRUE(panel->choiceNote()->isHidden());
  panel->batchSizeBox()->setValue(8);
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 120000));
  const QString log = panel->log();
  EXPECT_NE(log.indexOf("training by the advisor's plan: 1 stage (the new layers only for 10 "
                        "epochs), BatchNormalization frozen"),
            -1)
      << log.toStdString();
  EXPECT_NE(log.indexOf("stage 1/1 (new layers)"), -1) << log.toStdString();
  EXPECT_EQ(panel->lossChart()->validationCount(), 10);
  // conv1_bn kept its statistics (a frozen layer's weights are bit-identical).
  const Model& trained = window.document()->model();
  const Model original = test::smallModel(3);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(*trained.weights.find("conv1_bn")->at(i).data,
              *original.weights.find("conv1_bn")->at(i).data);

  panel->epochsBox()->setValue(2);
  EXPECT_TRUE(panel->settings().chosen);
  // The form says that its own choice replaces the plan (it still read "default").
  EXPECT_FALSE(panel->choiceNote()->isHidden());
  EXPECT_NE(panel->choiceNote()->text().indexOf("not the advisor's plan"), -1);
  panel->epochsBox()->setValue(0);
  EXPECT_TRUE(panel->choiceNote()->isHidden());
  panel->epochsBox()->setValue(2);
  panel->trainBatchNormBox()->setChecked(true);
  EXPECT_TRUE(panel->settings().trainBatchNorm);
}

// After a run trained the fresh top, the document's model counts it as trained: Advise and a
// second run with nothing chosen no longer train "the new layers only" (the GUI kept the
// loader's fresh layers beside the model and called a trained head new for the whole session).
TEST(Training, ASecondRunDoesNotCountTheTrainedHeadAsNew) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  Model pretrained = test::smallModel(3);
  pretrained.weightsSource = "small.h5";  // from a file: pretrained under the fresh top
  window.document()->open(pretrained, "small", {}, {"fc"});
  EXPECT_EQ(window.document()->model().untrainedLayers, std::vector<std::string>{"fc"});
  ui::TrainingPanel* panel = window.trainingPanel();
  panel->setDataDir(QString::fromStdString(data));
  panel->batchSizeBox()->setValue(8);
  std::vector<ui::TrainingStart> starts;
  QObject::connect(panel->session(), &ui::TrainingSession::started,
                   [&](const ui::TrainingStart& start) { starts.push_back(start); });
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 120000));
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_TRUE(starts[0].newLayersOnPretrained);
  EXPECT_TRUE(starts[0].newLayersFirst);
  EXPECT_TRUE(window.document()->model().untrainedLayers.empty());

  QTest::mouseClick(panel->adviseButton(), Qt::LeftButton);
  const QString advice = panel->adviceText()->text();
  EXPECT_NE(advice.indexOf("Stage 1"), -1) << advice.toStdString();
  EXPECT_EQ(advice.indexOf("the new layers only"), -1) << advice.toStdString();

  panel->usePlanBox()->setChecked(false);  // nothing chosen again: the defaults decide
  const int logLines = panel->log().count('\n');
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 120000));
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_FALSE(starts[1].newLayersOnPretrained);
  EXPECT_FALSE(starts[1].newLayersFirst);
  const QString secondLog = panel->log().section('\n', logLines);
  EXPECT_NE(secondLog.indexOf("training by the advisor's plan"), -1) << secondLog.toStdString();
  EXPECT_EQ(secondLog.indexOf("the new layers only"), -1) << secondLog.toStdString();
}

// The training doctor's findings show on the panel as a banner, once per kind.
TEST(Training, TheDoctorsFindingsShowOnThePanel) {
  test::guiApp();
  test::TempDir dir;
  const std::string data = shapesFolder(dir, 12);
  ui::MainWindow window;
  ui::TrainingPanel* panel = test::readyToTrain(window, data);
  EXPECT_FALSE(panel->doctorBanner()->isVisibleTo(panel));
  panel->epochsBox()->setValue(4);
  panel->batchSizeBox()->setValue(8);
  panel->learningRateEdit()->setText(QStringLiteral("1e-12"));  // learns nothing: a flat loss
  ASSERT_TRUE(panel->startTraining());
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 120000));
  const QString banner = panel->doctorBanner()->text();
  EXPECT_TRUE(panel->doctorBanner()->isVisibleTo(panel));
  const QString finding = QStringLiteral("the training loss has stayed at");
  EXPECT_EQ(banner.count(finding), 1) << banner.toStdString();  // epochs 3 and 4: shown once
  EXPECT_NE(banner.indexOf("Fix: raise the learning rate"), -1) << banner.toStdString();
  EXPECT_EQ(panel->log().count(finding), 1) << panel->log().toStdString();

  // A new run starts with a clean banner.
  panel->learningRateEdit()->setText(QStringLiteral("0.001"));
  panel->epochsBox()->setValue(1);
  ASSERT_TRUE(panel->startTraining());
  EXPECT_FALSE(panel->doctorBanner()->isVisibleTo(panel));
  ASSERT_TRUE(test::waitFor([&] { return !panel->session()->isRunning(); }, 120000));
}

// The confusion matrix's column headers are read whole: "→ triangle" was cut to "→ tr…" in the
// dock's corner. Too narrow for the names, the columns are numbered and the rows carry the
// numbers; wide enough, the names come back.
TEST(Training, ConfusionMatrixHeadersAreReadWhole) {
  test::guiApp();
  ui::ConfusionMatrixView view;
  view.resize(220, 160);
  view.show();
  view.setClasses({QStringLiteral("circle"), QStringLiteral("square"), QStringLiteral("triangle")});
  view.setMatrix({{5, 1, 0}, {0, 6, 0}, {1, 0, 4}});
  QApplication::processEvents();
  const auto headersFit = [&view] {
    const QFontMetrics metrics(view.horizontalHeader()->font());
    for (int c = 0; c < view.columnCount(); ++c) {
      const QString text = view.horizontalHeaderItem(c)->text();
      if (metrics.horizontalAdvance(text) > view.horizontalHeader()->sectionSize(c)) return false;
    }
    return true;
  };
  EXPECT_EQ(view.horizontalHeaderItem(2)->text(), QStringLiteral("3"));
  EXPECT_EQ(view.verticalHeaderItem(2)->text(), QStringLiteral("3  triangle"));
  EXPECT_NE(view.horizontalHeaderItem(2)->toolTip().indexOf(QStringLiteral("triangle")), -1);
  EXPECT_TRUE(headersFit());
  EXPECT_EQ(view.valueAt(2, 0), 1);
  view.resize(900, 200);
  QApplication::processEvents();
  EXPECT_EQ(view.horizontalHeaderItem(2)->text(), QStringLiteral("→ triangle"));
  EXPECT_EQ(view.verticalHeaderItem(2)->text(), QStringLiteral("triangle"));
  EXPECT_TRUE(headersFit());
}

}  // namespace
}  // namespace graft
