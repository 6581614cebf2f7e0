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

}  // namespace graft::ui
