#include "ui/number_validator.h"

#include <QLocale>

namespace graft::ui {

QDoubleValidator* plainNumberValidator(QObject* parent, double bottom, double top) {
  auto* validator = new QDoubleValidator(bottom, top, 1000, parent);
  validator->setNotation(QDoubleValidator::ScientificNotation);
  QLocale c = QLocale::c();
  c.setNumberOptions(QLocale::RejectGroupSeparator | QLocale::OmitGroupSeparator);
  validator->setLocale(c);
  return validator;
}

}  // namespace graft::ui
