#pragma once
// The autosave folder. Each running Graft owns one session slot in it:
//   <id>.graft  the editing session as a project file (model, weights, recipe), written atomically
//   <id>.json   what the session was (its source, the .graft it belongs to, when it was saved)
//   <id>.lock   a QLockFile held while that Graft runs
// A slot whose lock is free (its process is gone: QLockFile checks the PID) is left over from a
// crash and can be recovered; a slot whose lock is held belongs to another running Graft and is
// never touched. Qt Core only: no widgets.
#include <QDateTime>
#include <QLockFile>
#include <QString>
#include <QStringList>
#include <memory>
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft::ui {

// What is written next to the model.
struct AutosaveInfo {
  QString source;       // where the session's model came from (a file, a zoo description)
  QString projectPath;  // the .graft the session belongs to; empty when never saved
  QStringList notes;
  // Read from autosaves of builds before the model kept them (Model::untrainedLayers).
  std::vector<std::string> freshLayers;
};

// A session left by a Graft that is gone, claimed by the store that found it.
struct AutosaveSession {
  QString id;
  QString modelPath;  // <id>.graft
  AutosaveInfo info;
  QDateTime savedAt;
};

class AutosaveStore {
 public:
  // Creates the folder when missing. Throws graft::Error naming it when it cannot.
  explicit AutosaveStore(QString directory);
  ~AutosaveStore();  // releases the locks (the files stay: removing them is remove()'s job)
  AutosaveStore(const AutosaveStore&) = delete;
  AutosaveStore& operator=(const AutosaveStore&) = delete;

  // The folder Graft uses unless the setting autosave/directory names another:
  // QStandardPaths::AppLocalDataLocation/autosave.
  static QString defaultDirectory();

  const QString& directory() const { return directory_; }
  const QString& sessionId() const { return id_; }
  QString modelPath() const;  // this instance's <id>.graft

  // Writes this instance's session (blocking: call it off the UI thread for large models; the
  // store's state is not touched, so one write at a time is all it needs). Throws graft::Error.
  void write(const Model& model, const AutosaveInfo& info) const;
  // Deletes this instance's session files (a clean close, an explicit save); the slot stays
  // claimed.
  void remove() const;

  // Sessions left by Graft processes that are gone, newest first. Each is claimed (its lock
  // taken) so that no other instance offers it at the same time, until recover() or discard().
  std::vector<AutosaveSession> claimOrphans();
  // Reads a claimed session's model. Throws graft::Error naming the file.
  Model load(const AutosaveSession& session) const;
  // Deletes a claimed session's files and releases its lock.
  void discard(const AutosaveSession& session);

 private:
  QString pathFor(const QString& id, const char* extension) const;

  QString directory_;
  QString id_;
  std::unique_ptr<QLockFile> lock_;
  std::vector<std::pair<QString, std::unique_ptr<QLockFile>>> claimed_;
};

}  // namespace graft::ui
