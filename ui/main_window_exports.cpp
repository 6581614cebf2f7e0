// MainWindow's ways out of the session besides the project (a recipe for graft-cli edit, a
// pipeline for graft-cli run, an exported model) and a recipe replayed onto the model.
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QSettings>
#include <QStatusBar>
#include <memory>

#include "io/atomic_file.h"
#include "io/model_source.h"
#include "io/recipe.h"
#include "ui/doc/background_task.h"
#include "ui/doc/document.h"
#include "ui/error_dialog.h"
#include "ui/export_dialog.h"
#include "ui/graph_editor.h"
#include "ui/main_window.h"
#include "ui/pipeline_dialog.h"
#include "ui/training_panel.h"

namespace graft::ui {

bool MainWindow::exportRecipe(const QString& target) {
  QString path = target;
  if (path.isEmpty())
    path = QFileDialog::getSaveFileName(this, tr("Export recipe"), QStringLiteral("recipe.json"),
                                        tr("Graft recipes (*.json)"));
  if (path.isEmpty()) return false;
  try {
    writeTextAtomically(path.toStdString(), document_->recipe().dump(2) + "\n", "the recipe");
  } catch (const Error& e) {
    showError(this, tr("Cannot export the recipe"), QString::fromStdString(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Recipe written to %1").arg(path), 5000);
  return true;
}

bool MainWindow::applyRecipeFile(const QString& target) {
  if (!document_->hasModel()) return false;
  QString path = target;
  if (path.isEmpty())
    path = QFileDialog::getOpenFileName(this, tr("Apply recipe"), QString(),
                                        tr("Graft recipes (*.json)"));
  if (path.isEmpty()) return false;
  Json operations;
  try {
    operations = readRecipeFile(path.toStdString());
  } catch (const std::exception& e) {
    showError(this, tr("Cannot read the recipe"), QString::fromStdString(e.what()));
    return false;
  }
  const Diagnostics problems =
      document_->apply(operations, tr("apply recipe %1").arg(QFileInfo(path).fileName()));
  if (!problems.empty()) {
    showDiagnostics(this, tr("Cannot apply %1").arg(QFileInfo(path).fileName()), problems);
    return false;
  }
  return true;
}

bool MainWindow::loadWeightsFile(const QString& target) {
  if (!document_->hasModel()) return false;
  if (!document_->canEdit()) {  // a run trains the model: said, not ignored
    showError(this, tr("Cannot load weights now"), document_->editLock());
    return false;
  }
  QString path = target;
  if (path.isEmpty())
    path = QFileDialog::getOpenFileName(
        this, tr("Load weights onto the model"), QString(),
        tr("Keras weights (*.h5 *.weights.h5 *.keras *.hdf5 *.weights.json);;All files (*)"));
  if (path.isEmpty()) return false;
  const uint64_t startedFrom = document_->revision();
  const Model model = document_->model();
  auto loaded = std::make_shared<Model>();
  auto notes = std::make_shared<std::vector<std::string>>();
  statusBar()->showMessage(tr("Loading weights from %1…").arg(QFileInfo(path).fileName()));
  runInBackground(
      this,
      [model, path, loaded, notes] {
        *loaded = withWeightsFrom(model, path.toStdString(), *notes);
      },
      [this, path, startedFrom, loaded, notes](const QString& error) {
        const QString name = QFileInfo(path).fileName();
        if (!error.isEmpty()) {
          statusBar()->clearMessage();
          showError(this, tr("Cannot load the weights of %1").arg(name), error);
          return;
        }
        QStringList said;
        for (const std::string& note : *notes) said << QString::fromStdString(note);
        if (!document_->commitResultOf(startedFrom, *loaded, tr("load weights from %1").arg(name),
                                       said))
          showError(
              this, tr("Weights not loaded"),
              document_->canEdit()
                  ? tr("The model changed while %1 was read; load the weights again.").arg(name)
                  : document_->editLock());
      });
  return true;
}

ExportDialog* MainWindow::openExportDialog() {
  if (!document_->hasModel()) return nullptr;
  // Where exports go (the last export folder, else Documents), named after the project or the
  // opened model file.
  auto* dialog = new ExportDialog(
      document_->model(), QDir(ExportDialog::defaultFolder()).filePath(proposedName()), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &ExportDialog::finishedAfterClose, this, [this](const QString& outcome, bool ok) {
    if (ok)
      statusBar()->showMessage(outcome, 15000);
    else
      showError(this, tr("Export failed"), outcome);
  });
  dialog->open();
  return dialog;
}

PipelineDialog* MainWindow::savePipeline() {
  if (!document_->hasModel()) return nullptr;
  SessionPipelineInputs in;
  in.source = openedSpec_;
  in.operations = document_->operationsSinceOpen();
  in.sampleFolder = editor_->lastSamples().folder;
  in.sampleDevice = editor_->lastSamples().device;
  in.training = training_->settings();
  // Beside the project when it has one (a pipeline usually lives with what it rebuilds), else
  // where exports go; never the folder of the last file opened, which may be a download.
  const QFileInfo project(document_->projectPath());
  const bool besideProject =
      !document_->projectPath().isEmpty() && QFileInfo(project.absolutePath()).isWritable();
  const QString folder = besideProject ? project.absolutePath() : ExportDialog::defaultFolder();
  const QString stem = besideProject ? project.completeBaseName()
                                     : QString::fromStdString(document_->graph().name());
  in.pipelinePath = QDir(folder).filePath(stem + QStringLiteral(".pipeline.json"));
  auto* dialog = new PipelineDialog(in, training_->lastValidationAccuracy(),
                                    document_->analysis().totalParams, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    statusBar()->showMessage(tr("Pipeline written to %1").arg(dialog->pathEdit()->text()), 5000);
  });
  dialog->open();
  return dialog;
}

}  // namespace graft::ui
