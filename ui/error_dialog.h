#pragma once
// Every error the user must see goes through here: a dialog with the core's own message, which
// names the file, layer or field. Tests install a sink to read the message instead of a modal
// dialog blocking the offscreen event loop.
#include <QString>
#include <functional>

#include "graph/diagnostic.h"

class QWidget;

namespace graft::ui {

using ErrorSink = std::function<void(const QString& title, const QString& message)>;
// Returns the previous sink; an empty sink restores the dialog.
ErrorSink setErrorSink(ErrorSink sink);

void showError(QWidget* parent, const QString& title, const QString& message);
void showDiagnostics(QWidget* parent, const QString& title, const Diagnostics& diagnostics);

// A refusal the GUI can remedy: the message and a button naming the fix (instead of advice
// only a recipe writer could follow). True when the user chose the fix. Tests install a
// chooser that answers instead of the modal dialog.
using FixChooser =
    std::function<bool(const QString& title, const QString& message, const QString& fix)>;
FixChooser setFixChooser(FixChooser chooser);
bool offerFix(QWidget* parent, const QString& title, const QString& message, const QString& fix);

}  // namespace graft::ui
