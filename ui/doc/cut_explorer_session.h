#pragma once
// One run of the cut-point explorer (runtime/explore/cut_explorer_run.h) on a worker thread. The
// run measures a snapshot of the model taken when it starts, so the document stays editable; the
// result names the document revision it was measured on and the panel only acts on it (marks,
// cuts) while the document is still at that revision. Progress arrives as queued signals.
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "runtime/explore/cut_explorer_run.h"

class QThread;

namespace graft::ui {

struct CutExplorerStep {
  QString phase;  // "features" or "fit"
  qint64 done = 0;
  qint64 total = 0;
  double etaSeconds = 0;
};

class CutExplorerSession : public QObject {
  Q_OBJECT
 public:
  explicit CutExplorerSession(QObject* parent = nullptr);
  ~CutExplorerSession() override;

  // False (and nothing starts) while a run is active. `revision`: the document's, kept with
  // the result.
  bool start(const Model& model, const CutExplorerRequest& request, quint64 revision);
  bool isRunning() const { return thread_ != nullptr; }
  // The last run that completed (not cancelled, no error); null before one.
  std::shared_ptr<const CutExplorerOutcome> result() const { return result_; }
  quint64 resultRevision() const { return resultRevision_; }
  // Drops the last result (another model opened: it measured the model before).
  void forget() {
    result_.reset();
    resultRevision_ = 0;
    ++generation_;  // a run still going is about the model before: its result is dropped
  }

 public Q_SLOTS:
  void cancel() { cancel_ = true; }

 Q_SIGNALS:
  void progress(const graft::ui::CutExplorerStep& step);
  // `error` empty and `cancelled` false: result() holds the new measurements.
  void finished(bool cancelled, const QString& error);
  void runningChanged(bool running);

 private:
  QThread* thread_ = nullptr;
  std::atomic<bool> cancel_{false};
  std::shared_ptr<const CutExplorerOutcome> result_;
  quint64 resultRevision_ = 0;
  quint64 generation_ = 0;  // forget() counts up
};

}  // namespace graft::ui

Q_DECLARE_METATYPE(graft::ui::CutExplorerStep)
