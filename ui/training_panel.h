#pragma once
// Fine-tuning from the window: choose an image folder (its classes and image counts are shown),
// the split, augmentation, optimizer, learning rate, epochs, batch size and how much of the
// network stays frozen; start, pause, stop. Loss and accuracy are plotted live (training per
// batch, validation per epoch) with speed, ETA and the validation confusion matrix. The run is
// a TrainingSession on a worker thread. "Advise" fills a staged plan (editable JSON, the
// --plan format) with the advisor's reasons; ticked, the run follows it stage by stage; when it
// ends the trained model becomes the document's model as one undoable step. Epochs, optimizer
// and learning rate left at "default" leave the choice to runtime/training_defaults.h (the
// advisor's plan for a new top on pretrained layers); BatchNormalization with pretrained
// statistics stays frozen unless its box is ticked. The training doctor's findings show in a
// banner above the charts.
#include <QWidget>
#include <optional>

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

namespace graft::ui {

class ConfusionMatrixView;
class Document;
class EventLoopMonitor;
class TrainingChart;

class TrainingPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingPanel(Document* document, QWidget* parent = nullptr);

  TrainingSettings settings() const;
  void setDataDir(const QString& dir);
  TrainingSession* session() const { return session_; }
  TrainingChart* lossChart() const { return loss_; }
  TrainingChart* accuracyChart() const { return accuracy_; }
  ConfusionMatrixView* confusion() const { return confusion_; }
  EventLoopMonitor* latency() const { return latency_; }
  QPushButton* startButton() const { return start_; }
  QPushButton* pauseButton() const { return pause_; }
  QPushButton* stopButton() const { return stop_; }
  QSpinBox* epochsBox() const { return epochs_; }
  QSpinBox* batchSizeBox() const { return batch_; }
  QLineEdit* learningRateEdit() const { return learningRate_; }
  QLabel* folderSummary() const { return classes_; }
  QPushButton* adviseButton() const { return advise_; }
  QPlainTextEdit* planEditor() const { return plan_; }
  QCheckBox* usePlanBox() const { return usePlan_; }
  QLabel* adviceText() const { return advice_; }
  QCheckBox* trainBatchNormBox() const { return trainBatchNorm_; }
  // The training doctor's findings of the current (or last) run, one line per kind; hidden
  // while there are none.
  QLabel* doctorBanner() const { return doctor_; }
  QLabel* inputSizeLabel() const { return inputSize_; }
  QLabel* deviceLabel() const { return device_; }
  QString log() const;
  // The validation accuracy of the last epoch run in this window (none before a run with
  // validation images): what a saved pipeline's check is measured against.
  std::optional<double> lastValidationAccuracy() const { return lastValAccuracy_; }

 public Q_SLOTS:
  bool startTraining();
  void createSampleData();
  // Asks the advisor for a plan for the model and the data folder: the plan's JSON goes into
  // the plan editor (to edit or use as it is, ticked), its reasons and warnings beside it.
  bool advise();

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

  Document* document_;
  TrainingSession* session_;
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
  QLabel* doctor_ = nullptr;
  QLabel* inputSize_ = nullptr;
  QLabel* device_ = nullptr;
  QStringList doctorCodes_;  // shown in the banner this run
  QPushButton* advise_ = nullptr;
  QCheckBox* usePlan_ = nullptr;
  QLabel* advice_ = nullptr;
  QPlainTextEdit* plan_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* pause_ = nullptr;
  QPushButton* stop_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* speed_ = nullptr;
  TrainingChart* loss_ = nullptr;
  TrainingChart* accuracy_ = nullptr;
  ConfusionMatrixView* confusion_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  QString runData_;
  qint64 batchesPerEpoch_ = 1;
  int runEpochs_ = 1;
  std::optional<double> lastValAccuracy_;
};

}  // namespace graft::ui
