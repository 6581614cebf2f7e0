#include "ui/doc/autosave_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <algorithm>

#include "graph/diagnostic.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "io/project_file.h"

namespace graft::ui {

namespace {

// Age never makes a lock stale: a Graft left open for days still owns its session. Only a
// lock whose process is gone (QLockFile checks the PID on this host) is.
std::unique_ptr<QLockFile> lockFile(const QString& path) {
  auto lock = std::make_unique<QLockFile>(path);
  lock->setStaleLockTime(0);
  return lock;
}

Json infoJson(const AutosaveInfo& info) {
  Json notes = Json::array();
  for (const auto& note : info.notes) notes.push_back(note.toStdString());
  return Json{{"graft_autosave", 1},
              {"source", info.source.toStdString()},
              {"project_path", info.projectPath.toStdString()},
              {"notes", notes},
              {"saved_at", QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString()}};
}

// Unknown or missing fields read as empty: the model file is what matters.
AutosaveInfo infoFrom(const Json& json, QDateTime& savedAt) {
  AutosaveInfo info;
  info.source = QString::fromStdString(json.value("source", std::string()));
  info.projectPath = QString::fromStdString(json.value("project_path", std::string()));
  for (const auto& note : json.value("notes", Json::array()))
    if (note.is_string()) info.notes << QString::fromStdString(note.get<std::string>());
  for (const auto& layer : json.value("fresh_layers", Json::array()))
    if (layer.is_string()) info.freshLayers.push_back(layer.get<std::string>());
  savedAt = QDateTime::fromString(QString::fromStdString(json.value("saved_at", std::string())),
                                  Qt::ISODate);
  return info;
}

}  // namespace

AutosaveStore::AutosaveStore(QString directory) : directory_(std::move(directory)) {
  if (!QDir().mkpath(directory_))
    throw Error(directory_.toStdString() + ": cannot create the autosave folder");
  for (int attempt = 0; attempt < 8 && !lock_; ++attempt) {
    const QString id = QStringLiteral("session-%1-%2")
                           .arg(QCoreApplication::applicationPid())
                           .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    auto lock = lockFile(pathFor(id, "lock"));
    if (lock->tryLock(0)) {
      id_ = id;
      lock_ = std::move(lock);
    }
  }
  if (!lock_)
    throw Error(directory_.toStdString() + ": cannot create a lock file in the autosave folder");
}

AutosaveStore::~AutosaveStore() = default;

QString AutosaveStore::defaultDirectory() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
      .filePath(QStringLiteral("autosave"));
}

QString AutosaveStore::pathFor(const QString& id, const char* extension) const {
  return QDir(directory_).filePath(id + "." + QString::fromLatin1(extension));
}

QString AutosaveStore::modelPath() const {
  return pathFor(id_, "graft");
}

void AutosaveStore::write(const Model& model, const AutosaveInfo& info) const {
  // The model first: a session is only offered when its description exists too.
  saveProject(model, modelPath().toStdString());
  writeTextAtomically(pathFor(id_, "json").toStdString(), infoJson(info).dump(1),
                      "the autosave description");
}

void AutosaveStore::remove() const {
  QFile::remove(pathFor(id_, "json"));
  QFile::remove(modelPath());
}

std::vector<AutosaveSession> AutosaveStore::claimOrphans() {
  std::vector<AutosaveSession> found;
  const QFileInfoList locks =
      QDir(directory_).entryInfoList({QStringLiteral("session-*.lock")}, QDir::Files);
  QStringList ids;
  for (const QFileInfo& f : locks) ids << f.completeBaseName();
  for (const QFileInfo& f :
       QDir(directory_).entryInfoList({QStringLiteral("session-*.json")}, QDir::Files))
    if (!ids.contains(f.completeBaseName())) ids << f.completeBaseName();

  for (const QString& id : ids) {
    if (id == id_) continue;
    if (std::any_of(claimed_.begin(), claimed_.end(), [&](const auto& c) { return c.first == id; }))
      continue;
    auto lock = lockFile(pathFor(id, "lock"));
    if (!lock->tryLock(0)) continue;  // another Graft is running with it
    AutosaveSession session;
    session.id = id;
    session.modelPath = pathFor(id, "graft");
    if (!QFile::exists(session.modelPath) || !QFile::exists(pathFor(id, "json"))) {
      // A Graft that ended before its first autosave completed: nothing to offer.
      QFile::remove(session.modelPath);
      QFile::remove(pathFor(id, "json"));
      continue;  // the lock is released (and its file removed) here
    }
    try {
      session.info = infoFrom(
          readJsonFile(pathFor(id, "json").toStdString(), "autosave description"), session.savedAt);
    } catch (const std::exception&) {
      session.savedAt = QFileInfo(session.modelPath).lastModified();
    }
    if (!session.savedAt.isValid()) session.savedAt = QFileInfo(session.modelPath).lastModified();
    claimed_.emplace_back(id, std::move(lock));
    found.push_back(std::move(session));
  }
  std::sort(found.begin(), found.end(), [](const AutosaveSession& a, const AutosaveSession& b) {
    return a.savedAt > b.savedAt;
  });
  return found;
}

Model AutosaveStore::load(const AutosaveSession& session) const {
  return loadProject(session.modelPath.toStdString());
}

void AutosaveStore::discard(const AutosaveSession& session) {
  QFile::remove(session.modelPath);
  QFile::remove(pathFor(session.id, "json"));
  claimed_.erase(std::remove_if(claimed_.begin(), claimed_.end(),
                                [&](const auto& c) { return c.first == session.id; }),
                 claimed_.end());
}

}  // namespace graft::ui
