#pragma once
// One fine-tuning run of the document's model, on a worker thread: the pipeline runner's train
// step (core/pipeline/pipeline_runner.h), as `graft-cli train` runs it. The core trainer reports
// batches and epochs on that thread; they arrive here as queued signals carrying plain values,
// so the GUI thread only ever draws. Pause blocks the worker between two batches, stop asks the
// trainer to finish at the next batch. Torch stays out of this header (and out of the widgets).
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "graph/model.h"

class QThread;

namespace graft::ui {

struct TrainingSettings {
  QString dataDir;
  double validationSplit = 0.2;
  int epochs = 5;
  int batchSize = 16;
  QString optimizer = QStringLiteral("adam");  // sgd | rmsprop | adam
  double learningRate = 0.0;                   // 0: Keras's default for the optimizer
  QString augment;                             // "flip,crop" ...; empty: none
  QString freezeUpto;                          // empty: keep the model's frozen flags
  bool cacheFrozen = false;
  quint64 seed = 0;
  // Non-empty: train in stages from this plan (the JSON of runtime/training/training_plan.h, what
  // `graft-cli advise --json` prints); epochs, optimizer, learning rate and freezeUpto are then
  // each stage's.
  QString plan;
  // False when the user chose none of epochs, optimizer, learning rate and freeze range: then
  // the defaults of runtime/training/training_defaults.h choose (the advisor's plan for new layers
  // on pretrained ones; epochs and optimizer above are for a single run).
  bool chosen = true;
  bool trainBatchNorm = false;  // pretrained BatchNormalization trains too (else it is frozen)
  // The rest of the training spec's fields, as text by key (ui/train_spec_form.h): only those
  // the user changed from their defaults.
  std::map<std::string, std::string> moreOptions;
};

struct TrainingStart {
  int epochs = 0;
  qint64 batchesPerEpoch = 0;
  qint64 trainImages = 0;
  qint64 validationImages = 0;
  QStringList classes;
  qint64 trainableParams = 0;
  qint64 frozenParams = 0;
  QString optimizer;
  QString device;     // "CPU (2 cores)", "cuda:0 (...)"
  QString precision;  // "fp32", "bf16", "fp16"
  QString computes;   // both, and the memory order: "CPU (2 cores), fp32, channels-last"
  // How the run was set up (runtime/training/training_defaults.h): what the doctor's fixes change.
  bool staged = false;       // stage by stage, by a plan (the user's or the advisor's)
  bool advisorPlan = false;  // the plan is the advisor's, chosen because nothing was chosen
  bool newLayersOnPretrained = false;  // the model has new layers on pretrained ones
  bool newLayersFirst = false;         // the plan's first stage trains the new layers only
};

struct TrainingBatch {
  int epoch = 0;  // 1-based
  qint64 batch = 0;
  qint64 batches = 0;
  double loss = 0;
  double accuracy = 0;
  double etaSeconds = 0;
};

struct TrainingEpoch {
  int epoch = 0;
  int epochs = 0;
  double loss = 0;
  double accuracy = 0;
  bool hasValidation = false;
  double valLoss = 0;
  double valAccuracy = 0;
  QVector<QVector<qint64>> confusion;  // [true][predicted], validation
  double imagesPerSecond = 0;
  double seconds = 0;
};

enum class TrainingOutcome { Completed, Cancelled, Failed };

class TrainingSession : public QObject {
  Q_OBJECT
 public:
  explicit TrainingSession(QObject* parent = nullptr);
  ~TrainingSession() override;

  // False (and nothing starts) while a run is active. The "new layers" of a staged plan are the
  // model's untrained ones (Model::untrainedLayers).
  bool start(const Model& model, const TrainingSettings& settings);
  bool isRunning() const { return thread_ != nullptr; }
  // The model the last finished run produced (labels from the data's class folders).
  std::shared_ptr<const Model> result() const { return result_; }
  // The model the current (or last) run started from; null before the first run.
  std::shared_ptr<const Model> runModel() const { return runModel_; }
  // The settings the current (or last) run started with.
  const TrainingSettings& runSettings() const { return runSettings_; }
  // The current (or last) run's last good checkpoint: the weights after the latest epoch the
  // doctor found nothing wrong with, on the model the run started from. The trainer hands each
  // epoch's weights over in memory (no file); an epoch counts as good once its findings are in,
  // so while a run goes on this lags one epoch behind. Null (epoch 0) when no epoch was good.
  std::shared_ptr<const Model> lastGoodCheckpoint() const;
  int lastGoodEpoch() const { return lastGoodEpoch_; }

 public Q_SLOTS:
  void setPaused(bool paused);
  void stop();

 Q_SIGNALS:
  void started(const graft::ui::TrainingStart& start);
  void batchDone(const graft::ui::TrainingBatch& batch);
  void epochDone(const graft::ui::TrainingEpoch& epoch);
  void note(const QString& text);
  // A finding of the training doctor (runtime/training/training_doctor.h); the same code may come
  // again.
  void diagnosis(const QString& code, const QString& message, const QString& fix);
  // A guard rail of the advisor about the run as set up (PlanWarning: high_learning_rate,
  // large_network_few_images, small_images, imbalanced), said before its first batch as
  // `graft-cli train` says it.
  void warning(const QString& code, const QString& message);
  void finished(graft::ui::TrainingOutcome outcome, const QString& message, int epochsCompleted);
  void runningChanged(bool running);

 private:
  class Observer;     // the trainer's events, posted to this (GUI) thread
  class RunObserver;  // the pipeline runner's train step for the session
  void waitWhilePaused();
  QThread* thread_ = nullptr;
  std::atomic<bool> cancel_{false};
  mutable std::mutex pauseMutex_;
  std::condition_variable pauseChanged_;
  bool paused_ = false;
  std::shared_ptr<const Model> result_;
  std::shared_ptr<const Model> runModel_;
  TrainingSettings runSettings_;
  std::shared_ptr<const WeightStore> lastGoodWeights_;
  int lastGoodEpoch_ = 0;  // numbered on through a plan's stages, as TrainingEpoch::epoch
};

// Class folders and image counts of an image folder (the training panel shows them before a
// run). Throws graft::Error naming the folder.
struct FolderSummary {
  QStringList classes;
  QVector<qint64> counts;
  int ignored = 0;
};
FolderSummary summarizeImageFolder(const QString& dir);

}  // namespace graft::ui

Q_DECLARE_METATYPE(graft::ui::TrainingStart)
Q_DECLARE_METATYPE(graft::ui::TrainingBatch)
Q_DECLARE_METATYPE(graft::ui::TrainingEpoch)
Q_DECLARE_METATYPE(graft::ui::TrainingOutcome)
