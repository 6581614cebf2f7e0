// MainWindow's saving: the .graft project (Save, Save As), a Keras 3 copy of the model, a run's
// result kept beside the current model, and the unsaved-changes question. Every write runs on a
// worker thread; closing waits for those in flight (runningTasks_).
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QUndoStack>

#include "export/export.h"
#include "io/project_file.h"
#include "ui/doc/background_task.h"
#include "ui/doc/document.h"
#include "ui/error_dialog.h"
#include "ui/graph_scene.h"
#include "ui/main_window.h"
#include "ui/recent_files.h"
#include "ui/workbench.h"

namespace graft::ui {

bool MainWindow::saveProject(bool wait) {
  if (!document_->hasModel()) return false;
  if (document_->projectPath().isEmpty()) return saveProjectAs(QString(), wait);
  return writeProject(document_->projectPath(), wait);
}

QString MainWindow::proposedName() const {
  if (!document_->projectPath().isEmpty())
    return QFileInfo(document_->projectPath()).completeBaseName();
  if (openedSpec_) {
    const QFileInfo opened(QString::fromStdString(openedSpec_->source));
    if (opened.isFile()) {
      // "model.weights.h5" is "model", as "model.h5" is.
      QString stem = opened.completeBaseName();
      if (stem.endsWith(QStringLiteral(".weights"))) stem.chop(8);
      if (!stem.isEmpty()) return stem;
    }
  }
  return QString::fromStdString(document_->graph().name());
}

bool MainWindow::saveProjectAs(const QString& target, bool wait) {
  if (!document_->hasModel()) return false;
  QString path = target;
  if (path.isEmpty()) {
    const QString suggested =
        document_->projectPath().isEmpty() ? proposedName() + ".graft" : document_->projectPath();
    QString filter;
    path = QFileDialog::getSaveFileName(this, tr("Save project"), suggested,
                                        tr("Graft projects (*.graft);;Keras 3 model (*.keras)"),
                                        &filter);
    if (!path.isEmpty() && filter.contains(QStringLiteral("*.keras")) &&
        !path.endsWith(QStringLiteral(".keras"), Qt::CaseInsensitive))
      path += ".keras";
  }
  if (path.isEmpty()) return false;
  if (path.endsWith(QStringLiteral(".keras"), Qt::CaseInsensitive))
    return writeKerasModel(path, wait);
  if (!path.endsWith(QStringLiteral(".graft"), Qt::CaseInsensitive)) path += ".graft";
  return writeProject(path, wait);
}

bool MainWindow::writeKerasModel(const QString& path, bool wait) {
  // A .keras file holds the model (config, weights, and Graft's preprocessing and labels in
  // metadata.json) but not the recipe or the edit history, so the document keeps its own path
  // and unsaved state.
  const Model snapshot = document_->model();
  return saveInBackground(
      path, [snapshot, path] { exportModel(snapshot, ExportFormat::Keras, path.toStdString()); },
      tr("Cannot save the Keras model"),
      [this, path] { statusBar()->showMessage(tr("Saved %1 (Keras 3 model)").arg(path), 5000); },
      wait);
}

bool MainWindow::writeProject(const QString& path, bool wait) {
  // The model is a value with shared weight buffers: the worker writes this snapshot while the
  // user may go on editing. The nested models shown collapsed go with it (view state).
  Model snapshot = document_->model();
  snapshot.collapsedGroups = workbench_->scene()->collapsedGroups();
  const int savedIndex = document_->undoStack()->index();
  projectSaveIndex_ = savedIndex;
  return saveInBackground(
      path, [snapshot, path] { graft::saveProject(snapshot, path.toStdString()); },
      tr("Cannot save the project"),
      [this, path, savedIndex] {
        if (projectSaveIndex_ == savedIndex) projectSaveIndex_.reset();  // not a later save's
        document_->setProjectPath(path);
        // Clean only if nothing was edited while the file was written.
        if (document_->undoStack()->index() == savedIndex) document_->markSaved();
        addRecentFile(path);
        updateTitle();
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
      },
      wait);
}

void MainWindow::saveModelAsProject(const graft::Model& model, const QString& suggestedName) {
  QFileDialog dialog(this, tr("Save trained model as project"),
                     QDir(QSettings().value("lastDirectory").toString())
                         .filePath(suggestedName + QStringLiteral(".graft")),
                     tr("Graft projects (*.graft)"));
  dialog.setAcceptMode(QFileDialog::AcceptSave);
  dialog.setDefaultSuffix(QStringLiteral("graft"));
  dialog.setOption(QFileDialog::DontUseNativeDialog);  // the same dialog everywhere, and in tests
  if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return;
  const QString path = dialog.selectedFiles().front();
  saveInBackground(
      path, [model, path] { graft::saveProject(model, path.toStdString()); },
      tr("Cannot save the trained model"),
      [this, path] {
        addRecentFile(path);
        statusBar()->showMessage(tr("Saved the trained model as %1").arg(path), 10000);
      },
      false);
}

bool MainWindow::saveInBackground(const QString& path, std::function<void()> write,
                                  const QString& failureTitle, std::function<void()> saved,
                                  bool wait) {
  // Only read when waiting: without `wait` this returns before the write ends.
  bool finished = false;
  bool ok = false;
  ++runningTasks_;
  statusBar()->showMessage(tr("Saving %1…").arg(QFileInfo(path).fileName()));
  runInBackground(
      this, std::move(write),
      [this, failureTitle, saved = std::move(saved), &finished, &ok, wait](const QString& error) {
        --runningTasks_;
        if (wait) {
          finished = true;
          ok = error.isEmpty();
        }
        if (!error.isEmpty()) {
          statusBar()->clearMessage();
          showError(this, failureTitle, error);
          return;
        }
        saved();
      });
  if (!wait) return true;
  while (!finished) QApplication::processEvents(QEventLoop::AllEvents, 20);
  return ok;
}

bool MainWindow::maybeDiscardChanges() {
  if (!document_->isModified()) return true;
  // Ctrl+S then at once Ctrl+Q: the edits are being saved, not unsaved ("Discard" did not
  // discard them, and "Save" wrote the file a second time).
  if (projectSaveIndex_ && *projectSaveIndex_ == document_->undoStack()->index() &&
      runningTasks_ > 0) {
    statusBar()->showMessage(tr("Waiting for the save to finish…"));
    // Sleeps until an event comes (the save's own end is one): no busy loop beside the writer.
    while (runningTasks_ > 0)
      QApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    projectSaveIndex_.reset();  // written, or failed (its error was shown)
    if (!document_->isModified()) return true;
  }
  const auto answer = QMessageBox::warning(
      this, tr("Unsaved changes"),
      // Once saved as a project, the edits since belong to that file (the model it came from
      // is never written: Save saves the project).
      tr("The edits to %1 have not been saved.")
          .arg(document_->projectPath().isEmpty() ? document_->source()
                                                  : QFileInfo(document_->projectPath()).fileName()),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Save) return saveProject(true);
  return answer == QMessageBox::Discard;
}

}  // namespace graft::ui
