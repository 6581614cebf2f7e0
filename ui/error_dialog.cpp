#include "ui/error_dialog.h"

#include <QMessageBox>
#include <QPushButton>

#include "ui/gui_wording.h"

namespace graft::ui {
namespace {
ErrorSink& sink() {
  static ErrorSink current;
  return current;
}
FixChooser& chooser() {
  static FixChooser current;
  return current;
}
}  // namespace

ErrorSink setErrorSink(ErrorSink next) {
  ErrorSink previous = std::move(sink());
  sink() = std::move(next);
  return previous;
}

void showError(QWidget* parent, const QString& title, const QString& message) {
  if (sink()) {
    sink()(title, inWindowTerms(message));
    return;
  }
  QMessageBox box(QMessageBox::Warning, title, title, QMessageBox::Ok, parent);
  box.setInformativeText(inWindowTerms(message));
  box.setTextInteractionFlags(Qt::TextSelectableByMouse);
  box.exec();
}

void showDiagnostics(QWidget* parent, const QString& title, const Diagnostics& diagnostics) {
  showError(parent, title, QString::fromStdString(joinDiagnostics(diagnostics)));
}

FixChooser setFixChooser(FixChooser next) {
  FixChooser previous = std::move(chooser());
  chooser() = std::move(next);
  return previous;
}

bool offerFix(QWidget* parent, const QString& title, const QString& message, const QString& fix) {
  if (chooser()) return chooser()(title, inWindowTerms(message), fix);
  if (sink()) {  // errors are being collected (tests): the refusal is one, the fix not taken
    sink()(title, inWindowTerms(message));
    return false;
  }
  QMessageBox box(QMessageBox::Warning, title, title, QMessageBox::Cancel, parent);
  box.setInformativeText(inWindowTerms(message));
  box.setTextInteractionFlags(Qt::TextSelectableByMouse);
  QPushButton* fixButton = box.addButton(fix, QMessageBox::AcceptRole);
  box.setDefaultButton(fixButton);
  box.exec();
  return box.clickedButton() == fixButton;
}

}  // namespace graft::ui
