// MainWindow's autosave: the controller that keeps unsaved sessions on disk, and the offer at
// start of the sessions a crashed Graft left.
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include "ui/doc/autosave_controller.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/recovery_dialog.h"
#include "ui/start_page.h"
#include "ui/workbench.h"

namespace graft::ui {

void MainWindow::createAutosave() {
  const QString dir =
      QSettings()
          .value(QStringLiteral("autosave/directory"), AutosaveStore::defaultDirectory())
          .toString();
  try {
    autosave_ = new AutosaveController(document_, std::make_unique<AutosaveStore>(dir), this);
  } catch (const std::exception& e) {
    statusBar()->showMessage(tr("No autosave: %1").arg(QString::fromStdString(e.what())));
    return;
  }
  connect(autosave_, &AutosaveController::failed, this, [this](const QString& error) {
    statusBar()->showMessage(tr("Autosave failed: %1").arg(error), 10000);
  });
}

bool MainWindow::offerAutosaveRecovery() {
  if (!autosave_ || !graft::ui::offerAutosaveRecovery(this, *autosave_)) return false;
  start_->setStatus(QString());
  showWorkbench();
  QTimer::singleShot(0, workbench_->view(), &GraphView::fitAll);
  return true;
}

}  // namespace graft::ui
