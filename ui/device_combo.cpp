#include "ui/device_combo.h"

#include <QComboBox>

#include "runtime/system/device_names.h"

namespace graft::ui {

QComboBox* makeDeviceCombo(const QString& objectName, QWidget* parent) {
  auto* combo = new QComboBox(parent);
  combo->setObjectName(objectName);
  for (const std::string& choice : deviceChoicesHere())
    combo->addItem(QString::fromStdString(choice));
  combo->setToolTip(QObject::tr("Where the model computes: auto is %1")
                        .arg(QString::fromStdString(deviceDescription("auto"))));
  return combo;
}

}  // namespace graft::ui
