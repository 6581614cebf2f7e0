#include "ui/apply_with_fixes.h"

#include "ui/doc/document.h"
#include "ui/error_dialog.h"

namespace graft::ui {

QStringList misfitLayers(const Diagnostics& refused) {
  bool misfit = false;
  for (const Diagnostic& d : refused)
    misfit |= d.subject.empty() && d.message.find("\"reinitialize\": true") != std::string::npos;
  QStringList layers;
  if (!misfit) return layers;
  for (const Diagnostic& d : refused)
    if (!d.subject.empty()) layers << QString::fromStdString(d.subject);
  return layers;
}

Diagnostics applyOfferingFixes(Document* document, QWidget* parent, const Json& operations,
                               const QString& text) {
  const Diagnostics refused = document->apply(operations, text);
  if (refused.empty()) return refused;
  const QString title = QObject::tr("Cannot %1").arg(text);
  const QStringList layers = misfitLayers(refused);
  if (layers.isEmpty()) {
    showDiagnostics(parent, title, refused);
    return refused;
  }
  // Which weights and shapes (a researcher judges the edit by them: 1600 inputs, now 1024).
  QStringList shapes;
  for (const Diagnostic& d : refused)
    if (!d.subject.empty()) shapes << QString::fromStdString(d.subject + ": " + d.message);
  const QString message =
      QObject::tr(
          "The edit changes what %1 receive%2, so %3 trained weights no longer fit. "
          "Graft can give %4 fresh weights (they will need training), or you can change "
          "the edit.\n\n%5")
          .arg(layers.join(QStringLiteral(", ")),
               layers.size() == 1 ? QStringLiteral("s") : QString(),
               layers.size() == 1 ? QObject::tr("its") : QObject::tr("their"),
               layers.size() == 1 ? QObject::tr("it") : QObject::tr("them"),
               shapes.join(QLatin1Char('\n')));
  const QString fix = layers.size() == 1
                          ? QObject::tr("Reinitialise %1").arg(layers.front())
                          : QObject::tr("Reinitialise the %1 layers after it").arg(layers.size());
  if (!offerFix(parent, title, message, fix)) return refused;
  Json again = operations;
  for (Json& operation : again) operation["reinitialize"] = true;
  const Diagnostics stillRefused = document->apply(again, text);
  if (!stillRefused.empty()) showDiagnostics(parent, title, stillRefused);
  return stillRefused;
}

}  // namespace graft::ui
