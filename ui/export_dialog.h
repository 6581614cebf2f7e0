#pragma once
// Export the current model: TorchScript, ONNX, Keras HDF5 weights, or the .graft project.
// Layers a format cannot express are listed before anything is written; the export runs on a
// worker thread, and the dialog shows the core's self-check (the written file loaded back by an
// independent reader and compared with Graft's own output).
#include <QDialog>

#include "graph/model.h"

class QButtonGroup;
class QLabel;
class QLineEdit;
class QPushButton;

namespace graft::ui {

class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  ExportDialog(const Model& model, const QString& suggestedBase, QWidget* parent = nullptr);

  void setFormat(int format);  // index: 0 TorchScript, 1 ONNX, 2 Keras HDF5
  void setPath(const QString& path);
  QString path() const;
  // Where an export goes unless the user picks another folder: the folder of the last export,
  // else Documents (never the model's own folder, which may be read-only or a download).
  static QString defaultFolder();
  QString result() const;  // the self-check line, or the error
  bool succeeded() const { return succeeded_; }
  bool isRunning() const { return running_; }

 public Q_SLOTS:
  void startExport();
  // Close while an export runs hides the dialog instead of abandoning the export unseen: the
  // work finishes, finishedAfterClose says how, and the dialog deletes itself.
  void reject() override;

 Q_SIGNALS:
  void exported(const QString& path);
  void finishedAfterClose(const QString& outcome, bool ok);

 private:
  void formatChanged();
  void fitContents();  // grows the dialog to what its wrapped lines need, never shrinks it
  Model model_;
  QString base_;
  QButtonGroup* formats_;
  QLineEdit* path_;
  QLabel* refusals_;
  QLabel* result_;
  QPushButton* exportButton_;
  bool succeeded_ = false;
  bool running_ = false;
  bool closedWhileRunning_ = false;
};

}  // namespace graft::ui
