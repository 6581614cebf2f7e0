#pragma once
// The most recently opened files, newest first, kept in QSettings across sessions.
#include <QStringList>

namespace graft::ui {

QStringList recentFiles();
void addRecentFile(const QString& path);
void removeRecentFile(const QString& path);

}  // namespace graft::ui
