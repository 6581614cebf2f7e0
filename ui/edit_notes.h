#pragma once
// What the status bar says after an edit: the core's notes as sentences a user reads, without
// the recipe bookkeeping ("operations[1] (unfreeze): ") that the History panel keeps.
#include <QString>
#include <QStringList>

namespace graft::ui {

QString editNotesSentence(const QStringList& notes);

}  // namespace graft::ui
