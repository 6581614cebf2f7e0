#pragma once
// Fine-tuning from the window: choose an image folder (its classes and image counts are shown),
// the split, augmentation, optimizer, learning rate, epochs, batch size and how much of the
// network stays frozen; start, pause, stop. Loss and accuracy are plotted live (training per
// batch, validation per epoch) with speed, ETA and the validation confusion matrix. The run is
// a TrainingSession on a worker thread. "Advise" fills a staged plan (editable JSON, the
// --plan format) with the advisor's reasons; ticked, the run follows it stage by stage; when it
// ends the trained model becomes the document's model as one undoable step. Epochs, optimizer
// and learning rate left at "default" leave the choice to runtime/training/training_defaults.h (the
// advisor's plan for a new top on pretrained layers); BatchNormalization with pretrained
// statistics stays frozen unless its box is ticked. The training doctor's findings show in a
// banner above the charts, with a button where the panel can apply the fix (doc/doctor_fixes.h):
// it stops the run, changes the settings or the plan and starts again from the last good
// state. A run's result becomes the document's model only when nothing was edited during it;
// when the model changed meanwhile the user chooses: save the trained model as a new project,
// use it anyway (one undoable step) or discard it.
#include <QWidget>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "runtime/explore/cut_explorer_report.h"
#include "ui/doc/training_session.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QToolButton;

namespace graft::ui {

class ConfusionMatrixView;
class DoctorBanner;
class Document;
class EventLoopMonitor;
class TrainingChart;
class TrainSpecForm;

class TrainingPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingPanel(Document* document, QWidget* parent = nullptr);

  TrainingSettings settings() const;
  void setDataDir(const QString& dir);
  QString dataDir() const;
  // Where the advisor finds the cut-point explorer's report on the current model (null: none).
  using CutReportSource = std::function<const CutExplorerReport*()>;
  void setCutReportSource(CutReportSource source) { cutReport_ = std::move(source); }
  TrainingSession* session() const { return session_; }
  TrainingChart* lossChart() const { return loss_; }
  TrainingChart* accuracyChart() const { return accuracy_; }
  ConfusionMatrixView* confusion() const { return confusion_; }
  EventLoopMonitor* latency() const { return latency_; }
  QPushButton* startButton() const { return start_; }
  QPushButton* pauseButton() const { return pause_; }
  QPushButton* stopButton() const { return stop_; }
  // Model > Train opens the panel with the keyboard focus in it: on the data folder, or on Stop
  // while a run goes.
  void focusFirstField();
  QDoubleSpinBox* validationSplitBox() const { return split_; }
  QSpinBox* epochsBox() const { return epochs_; }
  QSpinBox* batchSizeBox() const { return batch_; }
  QLineEdit* learningRateEdit() const { return learningRate_; }
  QLabel* folderSummary() const { return classes_; }
  // The generated form for the spec's other fields, and the keys this panel lays out itself.
  TrainSpecForm* moreOptions() const { return more_; }
  static const std::set<std::string>& fieldsShownByThePanel();
  QPushButton* adviseButton() const { return advise_; }
  QPlainTextEdit* planEditor() const { return plan_; }
  QCheckBox* usePlanBox() const { return usePlan_; }
  QLabel* adviceText() const { return advice_; }
  // Shown while the form's own choices (epochs, optimizer, rate, freeze) replace the advisor's
  // plan; hidden when they are all left at default.
  QLabel* choiceNote() const { return choiceNote_; }
  QString progressText() const;  // what the progress bar reads
  QString speedText() const;     // beside it: images per second, an ETA, "paused"
  QCheckBox* trainBatchNormBox() const { return trainBatchNorm_; }
  // The training doctor's findings of the current (or last) run, one row per kind with its
  // fix button where there is one; hidden while there are none.
  DoctorBanner* doctorBanner() const { return doctor_; }
  QLabel* inputSizeLabel() const { return inputSize_; }
  QLabel* deviceLabel() const { return device_; }
  QString log() const;
  // The log's tab is the one shown (beside the confusion matrix's); a failed run shows it.
  bool isLogShown() const;
  bool isTraining() const { return session_->isRunning(); }
  // Whole epochs the current (or last) run has completed: what stopping it would keep.
  int epochsCompleted() const { return epochsThisRun_; }
  // Stops the run after its current batch and calls `next` once it has ended and its result is
  // committed (at once when no run is going): opening another model or quitting waits for that.
  // `why` goes to the log ("stopping the run to open another model").
  void stopThen(const QString& why, std::function<void()> next);
  // The validation accuracy of the last epoch run in this window (none before a run with
  // validation images): what a saved pipeline's check is measured against.
  std::optional<double> lastValidationAccuracy() const { return lastValAccuracy_; }

 public Q_SLOTS:
  bool startTraining();
  void createSampleData();
  // Asks the advisor for a plan for the model and the data folder: the plan's JSON goes into
  // the plan editor (to edit or use as it is, ticked), its reasons and warnings beside it.
  bool advise();
  // The fix of a doctor's finding (doc/doctor_fixes.h): stops the run first when one is going
  // (and goes on once it has stopped), applies the change to the form or the plan and starts
  // again. False when `code` has no fix here or it cannot be applied (the reason is in the
  // banner and the status line).
  bool applyDoctorFix(const QString& code);

 Q_SIGNALS:
  void trainingFinished(graft::ui::TrainingOutcome outcome);
  // Start disabled, Stop enabled (a run is going) or back (Model > Stop Training follows).
  void runningChanged(bool running);
  // A sentence for the window's status bar (what a fix changed and where the run restarted).
  void statusMessage(const QString& text);
  // The user chose to keep a run's result, trained while the model changed, as a new project.
  void saveTrainedModelRequested(const graft::Model& model, const QString& suggestedName);

 private:
  QWidget* buildSettings();
  void buildPlanRows(QWidget* box, QFormLayout* form);
  QWidget* buildProgress();
  void refreshFolder();
  void refreshLayers();
  void setRunning(bool running);
  void appendLog(const QString& line);
  void onStarted(const TrainingStart& start);
  void onBatch(const TrainingBatch& batch);
  void onEpoch(const TrainingEpoch& epoch);
  void onFinished(TrainingOutcome outcome, const QString& message, int epochs);
  void onDiagnosis(const QString& code, const QString& message, const QString& fix);
  // Another model opened: what the panel shows of the last run goes.
  void forgetLastRun();
  // The advisor's warning as the run starts: on the doctor's banner, with its fix when the
  // panel has one (high_learning_rate: Lower the rate), until a finding with that fix comes.
  void onWarning(const QString& code, const QString& message);
  // Starts a run of `from`, whose result may replace the document's model at `baseRevision`.
  bool startRun(const Model& from, uint64_t baseRevision);
  void commitResult(int epochs);
  // The run's result could not be committed (the model changed meanwhile): asks what to keep.
  void askAboutChangedModel(const Model& trained, const QString& text);
  bool fixApplies(const QString& code) const;
  // Changes the form or the plan for the fix; `change` says what, for the status line.
  bool changeSettingsFor(const QString& code, QString* change);
  bool restartWithFix(const QString& code);

  Document* document_;
  TrainingSession* session_;
  std::function<void()> afterStop_;  // stopThen's continuation
  EventLoopMonitor* latency_;
  QLineEdit* dataDir_ = nullptr;
  QLabel* classes_ = nullptr;
  QDoubleSpinBox* split_ = nullptr;
  QSpinBox* epochs_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QComboBox* optimizer_ = nullptr;
  QLineEdit* learningRate_ = nullptr;
  QList<QCheckBox*> augment_;
  QComboBox* freeze_ = nullptr;
  QCheckBox* cache_ = nullptr;
  QCheckBox* trainBatchNorm_ = nullptr;
  DoctorBanner* doctor_ = nullptr;
  QLabel* inputSize_ = nullptr;
  QLabel* device_ = nullptr;
  QPushButton* advise_ = nullptr;
  QPushButton* browse_ = nullptr;
  QPushButton* sampleData_ = nullptr;
  QCheckBox* usePlan_ = nullptr;
  QLabel* advice_ = nullptr;
  QLabel* choiceNote_ = nullptr;
  void updateChoiceNote();
  CutReportSource cutReport_;
  QPlainTextEdit* plan_ = nullptr;
  QToolButton* moreToggle_ = nullptr;
  TrainSpecForm* more_ = nullptr;  // every other field of the training spec's table
  QPushButton* start_ = nullptr;
  QPushButton* pause_ = nullptr;
  QPushButton* stop_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* speed_ = nullptr;
  TrainingChart* loss_ = nullptr;
  TrainingChart* accuracy_ = nullptr;
  ConfusionMatrixView* confusion_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  QTabWidget* matrixAndLog_ = nullptr;  // the confusion matrix and the log, as tabs
  void showLog();
  QString runData_;
  qint64 batchesPerEpoch_ = 1;
  int runEpochs_ = 1;
  int epochsThisRun_ = 0;
  QString epochSpeed_;  // the last epoch's images per second, shown once the run ends
  std::optional<double> lastValAccuracy_;
  std::optional<TrainingStart> runStart_;  // how the current (or last) run was set up
  // The document's revision the run's result may replace, and the one the result made (the
  // run's model is still the document's while the revision is one of them).
  uint64_t runRevision_ = 0;
  std::optional<uint64_t> committedRevision_;
  QString pendingFix_;  // the fix to apply once the run it stopped has ended
  // The advisor's warnings on the banner this run: a doctor's finding with the same fix (what
  // was measured) takes the place of the warning (what was predicted).
  QStringList warningCodes_;
};

}  // namespace graft::ui
