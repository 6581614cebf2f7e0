#include "ui/error_dialog.h"

#include <QMessageBox>

namespace graft::ui {
namespace {
ErrorSink& sink() {
  static ErrorSink current;
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
    sink()(title, message);
    return;
  }
  QMessageBox box(QMessageBox::Warning, title, title, QMessageBox::Ok, parent);
  box.setInformativeText(message);
  box.setTextInteractionFlags(Qt::TextSelectableByMouse);
  box.exec();
}

void showDiagnostics(QWidget* parent, const QString& title, const Diagnostics& diagnostics) {
  showError(parent, title, QString::fromStdString(joinDiagnostics(diagnostics)));
}

}  // namespace graft::ui
