#pragma once
// Applying an edit from the GUI: when the core refuses it because layers after the edit would
// keep weights that no longer fit (a Dense with new units feeding another Dense ...), the user
// is offered the fix as a button — give those layers fresh weights — rather than the CLI's
// advice to add "reinitialize": true to the operation. Other refusals are shown as they are.
#include <QString>

#include "graph/diagnostic.h"
#include "graph/graph.h"

class QWidget;

namespace graft::ui {

class Document;

// The layers a refusal says no longer fit, when that is the refusal (empty otherwise).
QStringList misfitLayers(const Diagnostics& refused);

// Applies `operations` as one undoable step named `text`; on a misfit refusal offers to apply
// them again with fresh weights for the layers named. Returns what finally happened: empty when
// applied.
Diagnostics applyOfferingFixes(Document* document, QWidget* parent, const Json& operations,
                               const QString& text);

}  // namespace graft::ui
