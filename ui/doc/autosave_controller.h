#pragma once
// Keeps the editing session in the autosave folder while there are unsaved edits, so a crash
// loses at most a few seconds of work: written a moment after the user stops editing, and at
// the latest every interval during long editing; off the UI thread; removed when the edits are
// saved (or undone), when another model is opened and when Graft closes normally. Qt Core only.
#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>

#include "ui/doc/autosave_store.h"

namespace graft::ui {

class Document;

class AutosaveController : public QObject {
  Q_OBJECT
 public:
  // Intervals from the settings autosave/afterEditSeconds (2) and autosave/intervalSeconds (60).
  AutosaveController(Document* document, std::unique_ptr<AutosaveStore> store,
                     QObject* parent = nullptr);
  ~AutosaveController() override;  // a normal end: waits for a write in flight, then clears

  AutosaveStore& store() { return *store_; }
  void setDelays(int afterEditMs, int intervalMs);

  // Writes the session now when it has unsaved edits and returns when it is written (tests).
  // False when there was nothing to write or the write failed.
  bool saveNow();
  // Removes this instance's autosave (the session ended normally) and stops writing it.
  void endSession();

  // Opens a session left by a crashed Graft (from store().claimOrphans()) in the document, with
  // its edits unsaved, and takes it over: it is written as this instance's session, then the
  // old files are deleted. Throws graft::Error when its model cannot be read (the files stay).
  void recover(const AutosaveSession& session);
  // Deletes such a session.
  void discard(const AutosaveSession& session) { store_->discard(session); }

 Q_SIGNALS:
  void autosaved(const QString& path);
  void failed(const QString& message);

 private:
  void documentChanged();
  void documentModifiedChanged(bool modified);
  void write();
  void finished(const QString& error);

  Document* document_;
  std::shared_ptr<AutosaveStore> store_;  // shared with the worker that writes
  QTimer afterEdit_;
  QTimer periodic_;
  bool dirty_ = false;    // edits not yet in the autosave
  bool writing_ = false;  // a worker is writing
  bool ended_ = false;
  std::unique_ptr<AutosaveSession> recovered_;  // deleted once written as this instance's
};

}  // namespace graft::ui
