#pragma once
// The choice of where a panel's work computes (auto, cpu, cuda:N found here), as the prediction
// panel and the cut explorer offer it; its text is what --device takes (run/compute_choice.h).
#include <QString>

class QComboBox;
class QWidget;

namespace graft::ui {

// A combo box listing the choices found on this machine, `auto` first, with a tool tip naming
// what auto computes on.
QComboBox* makeDeviceCombo(const QString& objectName, QWidget* parent);

}  // namespace graft::ui
