#include "ui/doc/training_session.h"
#include "ui/doc/training_options.h"

#include <QThread>
#include <optional>

#include "pipeline/pipeline_runner.h"
#include "run/counted.h"
#include "runtime/data/dataset.h"
#include "runtime/training/train_run.h"

namespace graft::ui {

// Runs on the worker thread: converts the trainer's events to plain values and posts them to
// the session's (GUI) thread. Pausing happens here, between batches.
// A staged plan's epochs are numbered on through its stages (stage 2's first epoch follows
// stage 1's last), so the charts and the progress bar show one run.
class TrainingSession::Observer : public TrainObserver {
 public:
  Observer(TrainingSession* session, const TrainingSetup& setup) : session_(session) {
    if (setup.plan)
      for (const auto& stage : setup.plan->stages) planEpochs_ += stage.epochs;
    staged_ = setup.plan.has_value();
    advisorPlan_ = setup.advisorPlan;
    newLayersOnPretrained_ = !setup.newLayers.empty() && !setup.pretrainedLayers.empty();
    newLayersFirst_ = setup.plan && !setup.plan->stages.empty() &&
                      setup.plan->stages.front().scope == StageScope::NewLayers;
  }

  // The trainer's checkpoint of an epoch (TrainOptions::saveModel), kept in memory. It comes
  // before that epoch's onEpoch and findings, so it is held back until they are in: the next
  // checkpoint, or the end of the run, hands it on as good when no finding named its epoch.
  void onCheckpoint(const Model& model) {
    handOnPending();
    pending_ = std::make_shared<const WeightStore>(model.weights);
    pendingEpoch_ = 0;
    pendingClean_ = true;
  }
  void onRunEnded() { handOnPending(); }

  void onStage(const StageEvent& e) override {
    epochOffset_ = stageEpochsSoFar_;
    stageEpochsSoFar_ += e.epochs;
    const QString message =
        QStringLiteral("stage %1/%2 (%3): %4, %5, %6")
            .arg(e.stage)
            .arg(e.stages)
            .arg(QString::fromStdString(e.name), QString::fromStdString(e.scope),
                 QString::fromStdString(e.optimizer),
                 QString::fromStdString(counted(e.epochs, "epoch", "epochs")));
    post([s = session_, message] { Q_EMIT s->note(message); });
  }

  void onStart(const TrainStartEvent& e) override {
    TrainingStart start;
    start.epochs = planEpochs_ > 0 ? planEpochs_ : e.epochs;
    start.batchesPerEpoch = e.batchesPerEpoch;
    start.trainImages = e.trainImages;
    start.validationImages = e.validationImages;
    for (const std::string& c : e.classes) start.classes << QString::fromStdString(c);
    start.trainableParams = e.trainableParams;
    start.frozenParams = e.frozenParams;
    start.optimizer = QString::fromStdString(e.optimizer);
    start.device = QString::fromStdString(e.device);
    start.precision = QString::fromStdString(e.precision);
    start.computes = QString::fromStdString(computesOn(e));
    start.staged = staged_;
    start.advisorPlan = advisorPlan_;
    start.newLayersOnPretrained = newLayersOnPretrained_;
    start.newLayersFirst = newLayersFirst_;
    post([s = session_, start] { Q_EMIT s->started(start); });
  }

  void onBatch(const BatchEvent& e) override {
    const TrainingBatch batch{
        e.epoch + epochOffset_, e.batch, e.batches, e.loss, e.accuracy, e.etaSeconds};
    post([s = session_, batch] { Q_EMIT s->batchDone(batch); });
    session_->waitWhilePaused();
  }

  void onEpoch(const EpochEvent& e) override {
    TrainingEpoch epoch;
    epoch.epoch = e.epoch + epochOffset_;
    epoch.epochs = planEpochs_ > 0 ? planEpochs_ : e.epochs;
    epoch.loss = e.loss;
    epoch.accuracy = e.accuracy;
    epoch.hasValidation = e.valLoss.has_value();
    epoch.valLoss = e.valLoss.value_or(0.0);
    epoch.valAccuracy = e.valAccuracy.value_or(0.0);
    for (const auto& row : e.valConfusion) {
      QVector<qint64> r;
      for (int64_t v : row) r << v;
      epoch.confusion << r;
    }
    epoch.imagesPerSecond = e.imagesPerSecond;
    epoch.seconds = e.seconds;
    if (pending_ && pendingEpoch_ == 0) pendingEpoch_ = epoch.epoch;
    post([s = session_, epoch] { Q_EMIT s->epochDone(epoch); });
  }

  void onNote(const std::string& text) override {
    const QString message = QString::fromStdString(text);
    post([s = session_, message] { Q_EMIT s->note(message); });
  }

  void onDiagnosis(const Diagnosis& d) override {
    // The epoch a finding names is no good checkpoint. (A loss that turned NaN names the epoch
    // it broke in, which has no checkpoint: the one before stays good.)
    if (pending_ && d.epoch + epochOffset_ == pendingEpoch_) pendingClean_ = false;
    const QString code = QString::fromStdString(d.code);
    const QString message = QString::fromStdString(d.message);
    const QString fix = QString::fromStdString(d.fix);
    post([s = session_, code, message, fix] { Q_EMIT s->diagnosis(code, message, fix); });
  }

  void onSkippedFile(const std::string& path, const std::string& reason) override {
    const QString message = QStringLiteral("skipped %1: %2")
                                .arg(QString::fromStdString(path), QString::fromStdString(reason));
    post([s = session_, message] { Q_EMIT s->note(message); });
  }

 private:
  template <class F>
  void post(F f) {
    QMetaObject::invokeMethod(session_, std::move(f), Qt::QueuedConnection);
  }
  void handOnPending() {
    if (pending_ && pendingClean_ && pendingEpoch_ > 0)
      post([s = session_, weights = pending_, epoch = pendingEpoch_] {
        s->lastGoodWeights_ = weights;
        s->lastGoodEpoch_ = epoch;
      });
    pending_.reset();
  }

  TrainingSession* session_;
  int planEpochs_ = 0;  // every stage's epochs; 0 for a single run
  int epochOffset_ = 0;
  int stageEpochsSoFar_ = 0;
  bool staged_ = false;
  bool advisorPlan_ = false;
  bool newLayersOnPretrained_ = false;
  bool newLayersFirst_ = false;
  std::shared_ptr<const WeightStore> pending_;  // the last checkpoint, findings not all in yet
  int pendingEpoch_ = 0;
  bool pendingClean_ = true;
};

namespace {

// The trainer names its checkpoint file in the message of a run that did not complete
// ("...; FILE holds epoch 3"); the session's checkpoints are in memory and have no file to name.
constexpr char kInMemoryCheckpoint[] = "(in memory)";

std::string withoutCheckpointFile(std::string message) {
  const size_t cut = message.rfind("; ");
  if (cut != std::string::npos && message.find(kInMemoryCheckpoint, cut) != std::string::npos)
    message.erase(cut);
  return message;
}

TrainingOutcome outcomeOf(TrainStatus status) {
  switch (status) {
    case TrainStatus::Completed:
      return TrainingOutcome::Completed;
    case TrainStatus::Cancelled:
      return TrainingOutcome::Cancelled;
    case TrainStatus::Failed:
      break;
  }
  return TrainingOutcome::Failed;
}

}  // namespace

// The runner's side of a session's run, on the worker thread: checkpoints kept in memory, the
// trainer's events handed to the Observer (made once the setup is known), the outcome kept.
class TrainingSession::RunObserver : public PipelineObserver {
 public:
  explicit RunObserver(TrainingSession* session) : session_(session) {}

  void prepareTraining(TrainRun& run) override {
    run.options().checkpointPath = kInMemoryCheckpoint;
    run.options().saveModel = [this](const Model& checkpoint, const std::string&) {
      if (events_) events_->onCheckpoint(checkpoint);
    };
  }
  void onTrainSetUp(const TrainRun& run, const TrainingSetup& setup) override {
    events_.emplace(session_, setup);
    if (!run.inputNote().empty()) events_->onNote(run.inputNote());
    if (!setup.summary.empty()) events_->onNote(setup.summary);
    for (const PlanWarning& w : run.warnings()) {
      const QString code = QString::fromStdString(w.kind);
      const QString message = QString::fromStdString(w.message);
      QMetaObject::invokeMethod(
          session_, [s = session_, code, message] { Q_EMIT s->warning(code, message); },
          Qt::QueuedConnection);
    }
  }
  TrainObserver* trainObserver() override { return events_ ? &*events_ : nullptr; }
  void onTrainEnd(const TrainResult& result, const std::string& /*checkpoint*/) override {
    if (events_) events_->onRunEnded();
    result_ = result;
  }
  const std::optional<TrainResult>& result() const { return result_; }

 private:
  TrainingSession* session_;
  std::optional<Observer> events_;
  std::optional<TrainResult> result_;
};

TrainingSession::TrainingSession(QObject* parent) : QObject(parent) {
  qRegisterMetaType<TrainingStart>();
  qRegisterMetaType<TrainingBatch>();
  qRegisterMetaType<TrainingEpoch>();
  qRegisterMetaType<TrainingOutcome>();
}

TrainingSession::~TrainingSession() {
  if (thread_) {
    stop();
    thread_->wait();
  }
}

void TrainingSession::setPaused(bool paused) {
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    paused_ = paused;
  }
  pauseChanged_.notify_all();
}

void TrainingSession::stop() {
  cancel_ = true;
  setPaused(false);  // a paused worker must wake up to see the cancel flag
}

void TrainingSession::waitWhilePaused() {
  std::unique_lock<std::mutex> lock(pauseMutex_);
  pauseChanged_.wait(lock, [this] { return !paused_ || cancel_; });
}

bool TrainingSession::start(const Model& model, const TrainingSettings& settings) {
  if (thread_) return false;
  cancel_ = false;
  setPaused(false);
  auto outcome =
      std::make_shared<std::pair<TrainingOutcome, QString>>(TrainingOutcome::Failed, QString());
  auto trained = std::make_shared<Model>();
  auto epochs = std::make_shared<int>(0);
  runModel_ = std::make_shared<const Model>(model);
  runSettings_ = settings;
  lastGoodWeights_.reset();
  lastGoodEpoch_ = 0;
  const std::shared_ptr<const Model> base = runModel_;
  thread_ = QThread::create([this, base, settings, outcome, trained, epochs] {
    // The pipeline runner's train step (core/pipeline/pipeline_runner.h) on the document's
    // model: the defaults, a plan and the options apply as in `graft-cli train` and pipelines.
    Pipeline pipeline;
    pipeline.train = trainSpecOf(settings);
    PipelineRunOptions options;
    options.startModel = base.get();
    options.planSource = "the plan";
    RunObserver observer(this);
    const PipelineResult run = runPipeline(pipeline, &observer, &cancel_, options);
    if (const std::optional<TrainResult>& result = observer.result()) {
      outcome->first = outcomeOf(result->status);
      outcome->second = QString::fromStdString(withoutCheckpointFile(result->message));
      *epochs = result->epochsCompleted;
      *trained = result->model;
    } else if (cancel_) {
      // Stopped while it read the images and set up: the user's stop, not a failure (an error
      // dialog said "Training failed: not run: the run was interrupted").
      outcome->first = TrainingOutcome::Cancelled;
      outcome->second = QStringLiteral("stopped before training began");
    } else {
      // The run ended before training (unreadable folder, a plan that does not fit).
      outcome->first = TrainingOutcome::Failed;
      for (const StepResult& step : run.steps)
        if (step.status == StepStatus::Error)
          outcome->second = QString::fromStdString(step.message);
    }
  });
  connect(thread_, &QThread::finished, this, [this, outcome, trained, epochs] {
    thread_->deleteLater();
    thread_ = nullptr;
    if (*epochs > 0) result_ = trained;
    Q_EMIT runningChanged(false);
    Q_EMIT finished(outcome->first, outcome->second, *epochs);
  });
  thread_->start();
  Q_EMIT runningChanged(true);
  return true;
}

std::shared_ptr<const Model> TrainingSession::lastGoodCheckpoint() const {
  if (!runModel_ || !lastGoodWeights_) return nullptr;
  auto checkpoint = std::make_shared<Model>(*runModel_);
  checkpoint->weights = *lastGoodWeights_;
  return checkpoint;
}

FolderSummary summarizeImageFolder(const QString& dir) {
  const ImageFolder folder = scanImageFolder(dir.toStdString());
  FolderSummary summary;
  for (const std::string& c : folder.classes) summary.classes << QString::fromStdString(c);
  for (int64_t count : folder.classCounts()) summary.counts << count;
  summary.ignored = static_cast<int>(folder.ignored.size());
  return summary;
}

}  // namespace graft::ui
