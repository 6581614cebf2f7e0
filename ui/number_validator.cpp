#include "ui/number_validator.h"

#include <QLocale>

namespace graft::ui {

namespace {

// A comma typed as the decimal separator (a European keyboard's habit) becomes the point, in
// the field where the user sees it: the C locale's validator refused the keystroke silently, so
// "0,01" read "001" and was applied as 1.
class PlainNumberValidator : public QDoubleValidator {
 public:
  PlainNumberValidator(double bottom, double top, QObject* parent)
      : QDoubleValidator(bottom, top, 1000, parent) {}

  State validate(QString& input, int& pos) const override {
    input.replace(QLatin1Char(','), QLatin1Char('.'));
    return QDoubleValidator::validate(input, pos);
  }
};

}  // namespace

QDoubleValidator* plainNumberValidator(QObject* parent, double bottom, double top) {
  auto* validator = new PlainNumberValidator(bottom, top, parent);
  validator->setNotation(QDoubleValidator::ScientificNotation);
  QLocale c = QLocale::c();
  c.setNumberOptions(QLocale::RejectGroupSeparator | QLocale::OmitGroupSeparator);
  validator->setLocale(c);
  return validator;
}

}  // namespace graft::ui
