#include "ui/sample_images_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/device_combo.h"

namespace graft::ui {

SampleImagesDialog::SampleImagesDialog(const QString& why, int images, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Fuse approximately?"));
  setMinimumWidth(480);
  auto* layout = new QVBoxLayout(this);
  auto* heading = new QLabel(tr("<b>These layers cannot be fused exactly.</b>"), this);
  layout->addWidget(heading);
  auto* what = new QLabel(tr("Graft can fit one convolution to what the layers compute on your "
                             "images (least squares), and tell you how far it is from the "
                             "original on images it did not fit to."),
                          this);
  what->setWordWrap(true);
  layout->addWidget(what);

  layout->addWidget(new QLabel(tr("Why not exactly:"), this));
  auto* details = new QPlainTextEdit(why, this);
  details->setObjectName(QStringLiteral("sample_why"));
  details->setReadOnly(true);
  details->setMaximumHeight(details->fontMetrics().lineSpacing() * 5);
  layout->addWidget(details);

  auto* form = new QFormLayout();
  auto* folderRow = new QHBoxLayout();
  folder_ = new QLineEdit(this);
  folder_->setObjectName(QStringLiteral("sample_folder"));
  folder_->setPlaceholderText(tr("a folder of images (sub-folders are read too)"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  folderRow->addWidget(folder_, 1);
  folderRow->addWidget(browse);
  form->addRow(tr("Sample images"), folderRow);
  count_ = new QSpinBox(this);
  count_->setObjectName(QStringLiteral("sample_count"));
  count_->setRange(4, 1024);
  count_->setValue(images);
  count_->setToolTip(
      tr("How many of the folder's images (spread over its classes) the fit "
         "reads. Large layers have many unknowns: when the note says the kernel "
         "follows its samples, fit again with more."));
  form->addRow(tr("Images to fit to"), count_);
  device_ = makeDeviceCombo(QStringLiteral("sample_device"), this);
  form->addRow(tr("Compute on"), device_);
  layout->addLayout(form);

  problem_ = new QLabel(this);
  problem_->setObjectName(QStringLiteral("sample_problem"));
  problem_->setStyleSheet(QStringLiteral("color: #b00020"));
  layout->addWidget(problem_);

  buttons_ = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  buttons_->addButton(tr("Fit"), QDialogButtonBox::AcceptRole);
  layout->addWidget(buttons_);

  connect(browse, &QPushButton::clicked, this, &SampleImagesDialog::browse);
  connect(folder_, &QLineEdit::textChanged, this, &SampleImagesDialog::check);
  connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
  check();
}

SampleImages SampleImagesDialog::choice() const {
  return SampleImages{folder_->text().trimmed(), device_->currentText(), count_->value()};
}

void SampleImagesDialog::browse() {
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Sample images"), folder_->text().trimmed());
  if (!dir.isEmpty()) folder_->setText(dir);
}

void SampleImagesDialog::check() {
  const QString folder = folder_->text().trimmed();
  QString problem;
  if (folder.isEmpty())
    problem = tr("Choose the folder of images to fit to.");
  else if (!QDir(folder).exists())
    problem = tr("%1 is not a folder.").arg(folder);
  problem_->setText(problem);
  problem_->setVisible(!problem.isEmpty());
  for (QAbstractButton* button : buttons_->buttons())
    if (buttons_->buttonRole(button) == QDialogButtonBox::AcceptRole)
      button->setEnabled(problem.isEmpty());
}

SampleImages SampleImagesDialog::ask(QWidget* parent, const QString& why, int images) {
  SampleImagesDialog dialog(why, images, parent);
  QSettings settings;
  dialog.folderEdit()->setText(
      settings.value("samples/dir", settings.value("training/dataDir").toString()).toString());
  const int device = dialog.deviceCombo()->findText(settings.value("samples/device").toString());
  if (device >= 0) dialog.deviceCombo()->setCurrentIndex(device);
  dialog.countBox()->setValue(settings.value("samples/count", images).toInt());
  if (dialog.exec() != QDialog::Accepted) return {};
  const SampleImages chosen = dialog.choice();
  settings.setValue("samples/dir", chosen.folder);
  settings.setValue("samples/device", chosen.device);
  settings.setValue("samples/count", chosen.count);
  return chosen;
}

}  // namespace graft::ui
