#include "ui/pipeline_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QSpinBox>
#include <QVBoxLayout>
#include <climits>
#include <cmath>

#include "run/export_spec.h"
#include "ui/error_dialog.h"
#include "ui/number_validator.h"

namespace graft::ui {

PipelineDialog::PipelineDialog(SessionPipelineInputs base, std::optional<double> lastValAccuracy,
                               int64_t totalParams, QWidget* parent)
    : QDialog(parent), base_(std::move(base)) {
  setWindowTitle(tr("Save Session as Pipeline"));
  auto* layout = new QVBoxLayout(this);
  intro_ = new QLabel(this);
  intro_->setWordWrap(true);
  layout->addWidget(intro_);
  edits_ = static_cast<int>(base_.operations.size());

  auto* form = new QFormLayout;
  auto* pathRow = new QHBoxLayout;
  path_ = new QLineEdit(base_.pipelinePath, this);
  path_->setAccessibleName(tr("Pipeline file"));  // its row's label names a layout, not the field
  auto* browse = new QPushButton(tr("Browse…"), this);
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse);
  form->addRow(tr("Pipeline file"), pathRow);

  const bool canTrain = base_.training && !base_.training->dataDir.isEmpty() &&
                        QFileInfo(base_.training->dataDir).isDir();
  train_ = new QCheckBox(
      canTrain ? tr("Train on %1 with the Training panel's settings").arg(base_.training->dataDir)
               : tr("Train (choose an image folder in the Training panel first)"),
      this);
  train_->setEnabled(canTrain);
  train_->setChecked(canTrain);
  form->addRow(tr("Training"), train_);
  saveModel_ = new QCheckBox(tr("Save the trained model beside the pipeline (.graft)"), this);
  saveModel_->setChecked(true);
  form->addRow(QString(), saveModel_);

  auto* exportRow = new QHBoxLayout;
  // Every format the export table has (run/export_spec.h), as graft-cli export offers them.
  for (const std::string& format : exportSpecField("format").choices) {
    auto* box = new QCheckBox(
        QString::fromStdString(exportFormatTitle(exportFormatFromName(format))), this);
    box->setProperty("format", QString::fromStdString(format));
    exports_ << box;
    exportRow->addWidget(box);
  }
  exportRow->addStretch();
  form->addRow(tr("Exports"), exportRow);

  paramsCheck_ = new QCheckBox(tr("parameters at most"), this);
  paramsCheck_->setChecked(true);
  params_ = new QSpinBox(this);
  params_->setAccessibleName(tr("Most parameters"));
  params_->setRange(1, INT_MAX);
  params_->setGroupSeparatorShown(true);
  params_->setValue(static_cast<int>(std::min<int64_t>(totalParams, INT_MAX)));
  auto* paramsRow = new QHBoxLayout;
  paramsRow->addWidget(paramsCheck_);
  paramsRow->addWidget(params_);
  paramsRow->addStretch();
  form->addRow(tr("Checks"), paramsRow);

  accuracyCheck_ = new QCheckBox(tr("validation accuracy at least"), this);
  accuracy_ = new QDoubleSpinBox(this);
  accuracy_->setAccessibleName(tr("Least validation accuracy"));
  accuracy_->setRange(0.0, 1.0);
  accuracy_->setSingleStep(0.01);
  accuracy_->setDecimals(3);
  // A rerun shuffles the same way but may differ in the last digits: leave room.
  accuracy_->setValue(
      lastValAccuracy ? std::max(0.0, std::floor(*lastValAccuracy * 100) / 100 - 0.05) : 0.8);
  accuracyCheck_->setChecked(lastValAccuracy.has_value() && canTrain);
  auto* accuracyRow = new QHBoxLayout;
  accuracyRow->addWidget(accuracyCheck_);
  accuracyRow->addWidget(accuracy_);
  if (lastValAccuracy)
    accuracyRow->addWidget(
        new QLabel(tr("(this session reached %1)").arg(*lastValAccuracy, 0, 'f', 3), this));
  accuracyRow->addStretch();
  form->addRow(QString(), accuracyRow);

  differenceCheck_ = new QCheckBox(tr("export differs from Graft by at most"), this);
  difference_ = new QLineEdit(QStringLiteral("1e-4"), this);
  difference_->setAccessibleName(tr("Largest difference of the export from Graft"));
  difference_->setValidator(plainNumberValidator(difference_, 0.0));
  auto* differenceRow = new QHBoxLayout;
  differenceRow->addWidget(differenceCheck_);
  differenceRow->addWidget(difference_);
  differenceRow->addStretch();
  form->addRow(QString(), differenceRow);
  layout->addLayout(form);

  preview_ = new QPlainTextEdit(this);
  preview_->setReadOnly(true);
  preview_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  // The preview shrinks first on a small screen (at 200 % a 1080p screen is 540 px high and
  // its fixed 260 px pushed the Save Pipeline button below the screen's edge).
  preview_->setMinimumSize(320, 80);
  layout->addWidget(preview_, 1);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  save_ = buttons->addButton(tr("Save Pipeline"), QDialogButtonBox::AcceptRole);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(save_, &QPushButton::clicked, this, [this] {
    if (save()) accept();
  });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save pipeline"), path_->text(),
                                                      tr("Graft pipelines (*.json)"));
    if (!path.isEmpty()) path_->setText(path);
  });
  for (QCheckBox* box : {train_, saveModel_, paramsCheck_, accuracyCheck_, differenceCheck_})
    connect(box, &QCheckBox::toggled, this, &PipelineDialog::refresh);
  for (QCheckBox* box : exports_) connect(box, &QCheckBox::toggled, this, &PipelineDialog::refresh);
  connect(path_, &QLineEdit::textChanged, this, &PipelineDialog::refresh);
  connect(params_, &QSpinBox::valueChanged, this, &PipelineDialog::refresh);
  connect(accuracy_, &QDoubleSpinBox::valueChanged, this, &PipelineDialog::refresh);
  connect(difference_, &QLineEdit::textChanged, this, &PipelineDialog::refresh);
  refresh();
  QSize size = sizeHint().expandedTo(QSize(640, 600));
  if (const QScreen* screen = this->screen())
    size = size.boundedTo(screen->availableGeometry().size() * 0.9);
  resize(size);
}

QCheckBox* PipelineDialog::exportBox(const QString& format) const {
  for (QCheckBox* box : exports_)
    if (box->property("format").toString() == format) return box;
  return nullptr;
}

SessionPipelineInputs PipelineDialog::inputs() const {
  SessionPipelineInputs in = base_;
  in.pipelinePath = path_->text().trimmed();
  if (!train_->isChecked()) in.training.reset();
  in.saveModel = saveModel_->isChecked();
  in.exportFormats.clear();
  for (QCheckBox* box : exports_)
    if (box->isChecked()) in.exportFormats << box->property("format").toString();
  if (paramsCheck_->isChecked()) in.maxTotalParams = params_->value();
  if (accuracyCheck_->isChecked()) in.minValidationAccuracy = accuracy_->value();
  if (differenceCheck_->isChecked()) {
    bool ok = false;
    const double value = difference_->text().toDouble(&ok);
    if (!ok || value < 0)
      throw Error("the export difference must be a non-negative number, e.g. 1e-4");
    in.maxExportDifference = value;
  }
  return in;
}

void PipelineDialog::refresh() {
  // Says what the pipeline does as the choices stand: without training, the model is saved as
  // edited.
  const QString edits = edits_ == 0   ? tr("no edits")
                        : edits_ == 1 ? tr("1 edit")
                                      : tr("%1 edits").arg(edits_);
  intro_->setText(train_->isChecked()
                      ? tr("<code>graft-cli run</code> rebuilds this session headless: the model "
                           "as opened, %1, training and the outputs below, then fails when a "
                           "check does not hold.")
                            .arg(edits)
                      : tr("<code>graft-cli run</code> rebuilds this session headless: the model "
                           "as opened, %1 and the outputs below (no training), then fails when a "
                           "check does not hold.")
                            .arg(edits));
  saveModel_->setText(train_->isChecked()
                          ? tr("Save the trained model beside the pipeline (.graft)")
                          : tr("Save the edited model beside the pipeline (.graft)"));
  accuracyCheck_->setEnabled(train_->isChecked());
  accuracy_->setEnabled(train_->isChecked() && accuracyCheck_->isChecked());
  params_->setEnabled(paramsCheck_->isChecked());
  difference_->setEnabled(differenceCheck_->isChecked());
  try {
    const SessionPipelineInputs in = inputs();
    if (in.pipelinePath.isEmpty()) throw Error("choose the pipeline file");
    const std::string folder = QFileInfo(in.pipelinePath).absolutePath().toStdString();
    preview_->setPlainText(
        QString::fromStdString(pipelineToJson(sessionPipeline(in), folder).dump(2)));
    save_->setEnabled(true);
  } catch (const std::exception& e) {
    preview_->setPlainText(tr("Cannot describe this session as a pipeline yet: %1")
                               .arg(QString::fromStdString(e.what())));
    save_->setEnabled(false);
  }
}

bool PipelineDialog::save() {
  try {
    const SessionPipelineInputs in = inputs();
    writePipelineFile(sessionPipeline(in), in.pipelinePath.toStdString());
    return true;
  } catch (const std::exception& e) {
    showError(this, tr("Cannot save the pipeline"), QString::fromStdString(e.what()));
    return false;
  }
}

}  // namespace graft::ui
