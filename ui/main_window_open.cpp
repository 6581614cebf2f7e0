// MainWindow's opening of models: the file dialog, dropped files, the loader's results and the
// recent-files list they feed, and the questions asked before the current model is replaced.
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include "runtime/data/dataset.h"
#include "ui/doc/document.h"
#include "ui/doc/model_loader.h"
#include "ui/error_dialog.h"
#include "ui/graph_view.h"
#include "ui/main_window.h"
#include "ui/recent_files.h"
#include "ui/start_page.h"
#include "ui/training_panel.h"
#include "ui/workbench.h"

namespace graft::ui {

void MainWindow::connectLoader() {
  connect(loader_, &ModelLoader::loaded, this, &MainWindow::modelLoaded);
  connect(loader_, &ModelLoader::failed, this, &MainWindow::loadFailed);
  connect(loader_, &ModelLoader::busyChanged, this, [this](bool busy) {
    if (busy) {
      statusBar()->showMessage(tr("Loading…"));
      QApplication::setOverrideCursor(Qt::BusyCursor);
    } else {
      statusBar()->clearMessage();
      QApplication::restoreOverrideCursor();
    }
  });
}

void MainWindow::chooseFile() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open model"), QSettings().value("lastDirectory").toString(),
      tr("Models (*.h5 *.hdf5 *.keras *.json *.graft);;Keras HDF5 (*.h5 *.hdf5);;Graft projects "
         "(*.graft);;All files (*)"));
  if (path.isEmpty()) return;
  QSettings().setValue("lastDirectory", QFileInfo(path).absolutePath());
  openPath(path);
}

void MainWindow::openPath(const QString& path) {
  ModelSpec spec;
  spec.source = path.toStdString();
  spec.kerasCacheDir = kerasCacheDir_.toStdString();
  openModelAsync(spec, QFileInfo(path).fileName());
}

void MainWindow::openModelAsync(const ModelSpec& spec, const QString& description) {
  if (!stopTrainingBeforeOpening(description,
                                 [this, spec, description] { openModelAsync(spec, description); }))
    return;
  if (!maybeDiscardChanges()) return;
  if (!loader_->start(spec, description)) {
    statusBar()->showMessage(tr("Still loading the previous model…"), 3000);
    return;
  }
  // Files (not zoo names) go into the recent list once they opened.
  const QString source = QString::fromStdString(spec.source);
  pendingPath_ = QFileInfo(source).isFile() ? QFileInfo(source).absoluteFilePath() : QString();
  pendingSpec_ = spec;
}

bool MainWindow::openModel(const ModelSpec& spec) {
  bool opened = false;
  auto connection = connect(document_, &Document::opened, this, [&opened] { opened = true; });
  ModelSpec withCache = spec;
  if (withCache.kerasCacheDir.empty()) withCache.kerasCacheDir = kerasCacheDir_.toStdString();
  openModelAsync(withCache, QString::fromStdString(spec.source));
  loader_->wait();
  disconnect(connection);
  return opened;
}

void MainWindow::modelLoaded(const std::shared_ptr<LoadedModel>& loaded,
                             const QString& description) {
  QStringList notes;
  for (const std::string& note : loaded->notes) notes << QString::fromStdString(note);
  document_->open(loaded->model, description, notes, loaded->freshLayers);
  openedSpec_ = pendingSpec_;
  pendingSpec_.reset();
  offerWeightsDownload(loaded->model);
  if (!pendingPath_.isEmpty() && QFileInfo(pendingPath_).isFile()) {
    addRecentFile(pendingPath_);
    // Ctrl+S writes back into a project it came from; other files are never overwritten.
    if (pendingPath_.endsWith(QStringLiteral(".graft"), Qt::CaseInsensitive))
      document_->setProjectPath(pendingPath_);
  }
  pendingPath_.clear();
  start_->setRecentFiles(recentFiles());
  start_->setStatus(QString());
  showWorkbench();
  // Fit once the view has its final size (the stacked widget just switched pages).
  QTimer::singleShot(0, workbench_->view(), &GraphView::fitAll);
}

void MainWindow::loadFailed(const QString& message, const QString& description) {
  start_->setStatus(tr("Could not open %1.").arg(description));
  // A recent file that has gone away leaves the list.
  if (!pendingPath_.isEmpty() && !QFileInfo::exists(pendingPath_)) removeRecentFile(pendingPath_);
  pendingPath_.clear();
  start_->setRecentFiles(recentFiles());
  showError(this, tr("Cannot open %1").arg(description), message);
}

bool MainWindow::stopTrainingBeforeOpening(const QString& description, std::function<void()> open) {
  if (!training_->isTraining()) return true;
  if (askToStopTraining(
          tr("%1 is training. Stop the run to open %2?").arg(document_->source(), description),
          training_->epochsCompleted() == 0
              ? tr("No epoch has completed yet: the run stops after its current batch and "
                   "keeps nothing before %1 opens.")
                    .arg(description)
              : tr("The run stops after its current batch; the weights of its last whole epoch "
                   "become the model (one undoable step) before %1 opens.")
                    .arg(description),
          tr("Stop and Open"), QStringLiteral("stop_and_open"))) {
    statusBar()->showMessage(tr("Stopping the training run to open %1…").arg(description));
    training_->stopThen(tr("stopping the run to open another model…"),
                        [this, open = std::move(open)] {
                          statusBar()->clearMessage();  // stopped; opening may still be cancelled
                          open();
                        });
  }
  return false;
}

bool MainWindow::askToStopTraining(const QString& question, const QString& consequence,
                                   const QString& stopLabel, const QString& stopName) {
  QMessageBox box(QMessageBox::Question, tr("Training is running"), question, QMessageBox::NoButton,
                  this);
  box.setInformativeText(consequence);
  QPushButton* stop = box.addButton(stopLabel, QMessageBox::AcceptRole);
  stop->setObjectName(stopName);
  box.addButton(QMessageBox::Cancel);
  box.setDefaultButton(stop);
  box.exec();
  return box.clickedButton() == stop;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls() && !event->mimeData()->urls().isEmpty() &&
      event->mimeData()->urls().front().isLocalFile())
    event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  // Images go to the prediction preview (when there is a model to run); anything else opens.
  QStringList images;
  for (const QUrl& url : event->mimeData()->urls())
    if (url.isLocalFile() && hasImageExtension(url.toLocalFile().toStdString()))
      images << url.toLocalFile();
  event->acceptProposedAction();
  if (!images.isEmpty() && document_->hasModel()) {
    predictImages(images);
    return;
  }
  const QString path = event->mimeData()->urls().front().toLocalFile();
  // Open after the drop has finished: the unsaved-changes question must not run inside it.
  QTimer::singleShot(0, this, [this, path] { openPath(path); });
}

}  // namespace graft::ui
