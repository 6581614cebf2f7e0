#include "ui/recent_files.h"

#include <QFileInfo>
#include <QSettings>

namespace graft::ui {
namespace {
constexpr int kMaxRecent = 10;
const char* const kKey = "recentFiles";
}  // namespace

QStringList recentFiles() {
  return QSettings().value(kKey).toStringList();
}

void addRecentFile(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList files = recentFiles();
  files.removeAll(absolute);
  files.prepend(absolute);
  while (files.size() > kMaxRecent) files.removeLast();
  QSettings().setValue(kKey, files);
}

void removeRecentFile(const QString& path) {
  QStringList files = recentFiles();
  files.removeAll(path);
  QSettings().setValue(kKey, files);
}

}  // namespace graft::ui
