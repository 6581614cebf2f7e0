#pragma once
// File → Save Session as Pipeline: what graft-cli run should redo of this session (the model as
// opened, the edits, the training panel's settings), what it writes, and the checks that hold
// a rerun to this session's results. The JSON is previewed live; saving is atomic.
#include <QDialog>

#include "ui/doc/session_pipeline.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace graft::ui {

class PipelineDialog : public QDialog {
  Q_OBJECT
 public:
  // `base`: what the session can say (source, operations, sample folder, training settings);
  // the dialog adds the path, outputs and checks. `lastValAccuracy`: proposes the accuracy
  // check a little below what this session reached.
  PipelineDialog(SessionPipelineInputs base, std::optional<double> lastValAccuracy,
                 int64_t totalParams, QWidget* parent = nullptr);

  QLineEdit* pathEdit() const { return path_; }
  QCheckBox* trainBox() const { return train_; }
  QCheckBox* exportBox(const QString& format) const;
  QCheckBox* accuracyCheckBox() const { return accuracyCheck_; }
  QDoubleSpinBox* accuracySpin() const { return accuracy_; }
  QPlainTextEdit* preview() const { return preview_; }
  QPushButton* saveButton() const { return save_; }
  // The pipeline as the widgets say, or the reason there is none.
  SessionPipelineInputs inputs() const;

 public Q_SLOTS:
  // Writes the pipeline; errors in a dialog naming the file. True when written.
  bool save();

 private:
  void refresh();
  SessionPipelineInputs base_;
  QLineEdit* path_;
  QCheckBox* train_;
  QCheckBox* saveModel_;
  QLabel* intro_;
  int edits_ = 0;  // operations since the model was opened
  QList<QCheckBox*> exports_;
  QCheckBox* paramsCheck_;
  QSpinBox* params_;
  QCheckBox* accuracyCheck_;
  QDoubleSpinBox* accuracy_;
  QCheckBox* differenceCheck_;
  QLineEdit* difference_;
  QPlainTextEdit* preview_;
  QPushButton* save_;
};

}  // namespace graft::ui
