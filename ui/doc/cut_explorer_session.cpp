#include "ui/doc/cut_explorer_session.h"

#include <QThread>
#include <exception>

#include "runtime/system/error_text.h"

namespace graft::ui {

CutExplorerSession::CutExplorerSession(QObject* parent) : QObject(parent) {
  qRegisterMetaType<CutExplorerStep>();
}

CutExplorerSession::~CutExplorerSession() {
  if (thread_) {
    cancel();
    thread_->wait();
  }
}

bool CutExplorerSession::start(const Model& model, const CutExplorerRequest& request,
                               quint64 revision) {
  if (thread_) return false;
  cancel_ = false;
  auto snapshot = std::make_shared<const Model>(model);
  auto outcome = std::make_shared<CutExplorerOutcome>();
  auto error = std::make_shared<QString>();
  thread_ = QThread::create([this, snapshot, request, outcome, error] {
    // Runs on the worker: progress goes to the GUI thread as queued calls carrying values.
    const CutExplorerObserver observer = [this](const CutExplorerProgress& p) {
      const CutExplorerStep step{QString::fromStdString(p.phase), static_cast<qint64>(p.done),
                                 static_cast<qint64>(p.total), p.etaSeconds};
      QMetaObject::invokeMethod(
          this, [this, step] { Q_EMIT progress(step); }, Qt::QueuedConnection);
    };
    try {
      *outcome = runCutExplorer(*snapshot, request, observer, &cancel_);
    } catch (const std::exception& e) {
      *error = QString::fromStdString(errorText(e));
    }
  });
  const quint64 generation = generation_;
  connect(thread_, &QThread::finished, this, [this, outcome, error, revision, generation] {
    thread_->deleteLater();
    thread_ = nullptr;
    // forget() meanwhile (another model opened): the run measured the model before.
    const bool cancelled =
        generation != generation_ || (error->isEmpty() && outcome->report.cancelled);
    if (error->isEmpty() && !cancelled) {
      result_ = outcome;
      resultRevision_ = revision;
    }
    Q_EMIT runningChanged(false);
    Q_EMIT finished(cancelled, *error);
  });
  thread_->start();
  Q_EMIT runningChanged(true);
  return true;
}

}  // namespace graft::ui
