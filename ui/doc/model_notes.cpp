#include "ui/doc/model_notes.h"

#include <QObject>

#include "io/model_source.h"

namespace graft::ui {

QStringList notesForModelNow(const QStringList& openNotes,
                             const std::vector<std::string>& labelsAtOpen,
                             const std::vector<std::string>& labelsNow) {
  if (labelsNow == labelsAtOpen) return openNotes;
  QStringList notes;
  bool named = false;
  for (const QString& note : openNotes) {
    if (note.startsWith(QLatin1String(kClassNamesNote))) {
      named = true;
      continue;
    }
    notes << note;
  }
  if (labelsNow.empty()) {
    if (named || !labelsAtOpen.empty())
      notes << QObject::tr(
          "the class names the model opened with no longer apply: an edit "
          "changed its output");
    return notes;
  }
  QStringList shown;
  for (size_t i = 0; i < labelsNow.size() && i < 5; ++i)
    shown << QString::fromStdString(labelsNow[i]);
  if (labelsNow.size() > 5) shown << QStringLiteral("…");
  notes << QObject::tr("class names now: %1 (%2 %3)")
               .arg(shown.join(QStringLiteral(", ")))
               .arg(labelsNow.size())
               .arg(labelsNow.size() == 1 ? QObject::tr("class") : QObject::tr("classes"));
  return notes;
}

}  // namespace graft::ui
