#pragma once
// The loader's notes as they hold for the model now: an edit can take away what a note said
// (a cut of the classifier drops the class names the note says came from a file), and the
// banner above the graph must not keep saying it. Qt Core only.
#include <QStringList>
#include <string>
#include <vector>

namespace graft::ui {

// `openNotes` with the notes about class names replaced when the model's class names differ
// from those it opened with: none now ("no longer apply"), or others (named, up to a few).
QStringList notesForModelNow(const QStringList& openNotes,
                             const std::vector<std::string>& labelsAtOpen,
                             const std::vector<std::string>& labelsNow);

}  // namespace graft::ui
