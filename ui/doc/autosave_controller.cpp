#include "ui/doc/autosave_controller.h"

#include <QCoreApplication>
#include <QSettings>
#include <algorithm>

#include "ui/doc/background_task.h"
#include "ui/doc/document.h"

namespace graft::ui {

AutosaveController::AutosaveController(Document* document, std::unique_ptr<AutosaveStore> store,
                                       QObject* parent)
    : QObject(parent), document_(document), store_(std::move(store)) {
  const QSettings settings;
  setDelays(
      qRound(settings.value(QStringLiteral("autosave/afterEditSeconds"), 2.0).toDouble() * 1000),
      qRound(settings.value(QStringLiteral("autosave/intervalSeconds"), 60.0).toDouble() * 1000));
  afterEdit_.setSingleShot(true);
  connect(&afterEdit_, &QTimer::timeout, this, &AutosaveController::write);
  // Editing without pause keeps restarting the short timer; this one still writes meanwhile.
  connect(&periodic_, &QTimer::timeout, this, [this] {
    if (dirty_) write();
  });
  periodic_.start();
  connect(document_, &Document::changed, this, &AutosaveController::documentChanged);
  connect(document_, &Document::modifiedChanged, this,
          &AutosaveController::documentModifiedChanged);
}

AutosaveController::~AutosaveController() {
  while (writing_) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  endSession();
}

void AutosaveController::setDelays(int afterEditMs, int intervalMs) {
  afterEdit_.setInterval(std::max(afterEditMs, 0));
  periodic_.setInterval(std::max(intervalMs, 100));
}

void AutosaveController::documentChanged() {
  // QUndoStack runs a command before it moves its index, so the document may not count as
  // modified yet: write() checks that when the timer fires.
  if (ended_ || !document_->hasModel()) return;
  dirty_ = true;
  afterEdit_.start();
}

void AutosaveController::documentModifiedChanged(bool modified) {
  if (modified) {
    documentChanged();
    return;
  }
  // Saved, undone back to the saved state, or another model opened: nothing to recover.
  dirty_ = false;
  afterEdit_.stop();
  if (!writing_) store_->remove();  // else finished() removes what the worker wrote
}

bool AutosaveController::saveNow() {
  if (!dirty_ && !writing_) return false;
  if (!writing_) write();
  bool ok = false;
  auto connection = connect(this, &AutosaveController::autosaved, this, [&ok] { ok = true; });
  while (writing_) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  disconnect(connection);
  return ok;
}

void AutosaveController::endSession() {
  ended_ = true;
  dirty_ = false;
  afterEdit_.stop();
  periodic_.stop();
  if (!writing_) store_->remove();
}

void AutosaveController::write() {
  if (ended_ || writing_ || !document_->hasModel() || !document_->isModified()) return;
  afterEdit_.stop();
  dirty_ = false;
  writing_ = true;
  AutosaveInfo info;
  info.source = document_->source();
  info.projectPath = document_->projectPath();
  info.notes = document_->notes();
  // A snapshot: the model is a value with shared weight buffers, so editing goes on meanwhile.
  const Model snapshot = document_->model();
  const std::shared_ptr<AutosaveStore> store = store_;
  runInBackground(
      this, [store, snapshot, info] { store->write(snapshot, info); },
      [this](const QString& error) { finished(error); });
}

void AutosaveController::finished(const QString& error) {
  writing_ = false;
  if (!error.isEmpty()) {
    dirty_ = true;  // tried again after the next edit or interval
    Q_EMIT failed(error);
    return;
  }
  if (ended_ || !document_->isModified()) {
    store_->remove();  // saved or closed while it was being written
    return;
  }
  if (recovered_) {
    store_->discard(*recovered_);
    recovered_.reset();
  }
  Q_EMIT autosaved(store_->modelPath());
  if (dirty_ && !afterEdit_.isActive()) afterEdit_.start();  // edits made during the write
}

void AutosaveController::recover(const AutosaveSession& session) {
  Model model = store_->load(session);
  document_->open(std::move(model), session.info.source, session.info.notes,
                  session.info.freshLayers);
  document_->setProjectPath(session.info.projectPath);
  ended_ = false;
  periodic_.start();
  recovered_ = std::make_unique<AutosaveSession>(session);
  document_->markRecovered();  // modified: the edits were never saved
  write();
}

}  // namespace graft::ui
