#include "ui/edit_notes.h"

#include <QObject>
#include <QRegularExpression>

namespace graft::ui {

QString editNotesSentence(const QStringList& notes) {
  static const QRegularExpression step(QStringLiteral("^operations\\[\\d+\\] \\([^)]*\\): "));
  QStringList sentences;
  for (QString note : notes) {
    note.remove(step);
    note = note.trimmed();
    if (note.isEmpty()) continue;
    // A sentence starts with a capital, unless it starts with a layer name ("conv_preds: ..."),
    // which is case-sensitive.
    if (!note.section(QLatin1Char(' '), 0, 0).endsWith(QLatin1Char(':')))
      note[0] = note[0].toUpper();
    if (!note.endsWith('.')) note += '.';
    if (!sentences.contains(note)) sentences << note;
  }
  if (sentences.isEmpty()) return {};
  return sentences.join(' ') + QObject::tr(" (Details in the History panel.)");
}

}  // namespace graft::ui
