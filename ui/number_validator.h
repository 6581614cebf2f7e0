#pragma once
// Number fields take numbers as graft-cli and pipeline files write them ("0.5", "1e-4"),
// whatever the desktop's locale. A validator in the desktop's locale accepted "0,5" in a German
// session, which QString::toDouble() then read as nothing (a learning rate of "Keras default").
#include <QDoubleValidator>

namespace graft::ui {

// Scientific notation allowed; no group separators; '.' as the decimal point, and a typed ','
// becomes '.' as it is typed (never dropped: "0,01" read "001").
QDoubleValidator* plainNumberValidator(QObject* parent, double bottom = -1e308, double top = 1e308);

}  // namespace graft::ui
