#include "ui/export_dialog.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>
#include <iterator>
#include <memory>

#include "export/export.h"
#include "ui/doc/background_task.h"

namespace graft::ui {
namespace {

struct FormatInfo {
  ExportFormat format;
  const char* what;
};

const FormatInfo kFormats[] = {
    {ExportFormat::TorchScript, "runs with torch.jit.load in Python or LibTorch in C++"},
    {ExportFormat::Onnx, "runs with ONNX Runtime, OpenCV DNN, TensorRT …"},
    {ExportFormat::KerasH5,
     "weights as Keras 2 save_weights writes them (load_weights reads them)"},
    {ExportFormat::KerasWeights,
     "Keras 3 .weights.h5, for load_weights onto the same Keras 3 model"},
    {ExportFormat::Keras, "Keras 3 .keras model (config and weights), for keras.models.load_model"},
};

}  // namespace

ExportDialog::ExportDialog(const Model& model, const QString& suggestedBase, QWidget* parent)
    : QDialog(parent), model_(model), base_(suggestedBase) {
  setWindowTitle(tr("Export model"));
  auto* layout = new QVBoxLayout(this);
  formats_ = new QButtonGroup(this);
  auto* formatBox = new QVBoxLayout;
  for (int i = 0; i < static_cast<int>(std::size(kFormats)); ++i) {
    auto* radio = new QRadioButton(
        QStringLiteral("%1 — %2").arg(QString::fromStdString(exportFormatTitle(kFormats[i].format)),
                                      tr(kFormats[i].what)),
        this);
    formats_->addButton(radio, i);
    formatBox->addWidget(radio);
  }
  layout->addLayout(formatBox);
  auto* pathRow = new QHBoxLayout;
  path_ = new QLineEdit(this);
  auto* browse = new QPushButton(tr("Browse…"), this);
  pathRow->addWidget(new QLabel(tr("File"), this));
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse);
  layout->addLayout(pathRow);
  refusals_ = new QLabel(this);
  refusals_->setWordWrap(true);
  refusals_->setStyleSheet(QStringLiteral("color: #d62d20;"));
  layout->addWidget(refusals_);
  auto* note = new QLabel(tr("Inputs: float32 NCHW batches, already preprocessed (%1); the "
                             "preprocessing and class labels are stored in the file.")
                              .arg(QString::fromStdString(preprocessingName(model_.preprocessing))),
                          this);
  note->setWordWrap(true);
  note->setEnabled(false);
  layout->addWidget(note);
  result_ = new QLabel(this);
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(result_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  exportButton_ = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(exportButton_, &QPushButton::clicked, this, &ExportDialog::startExport);
  disconnect(buttons, &QDialogButtonBox::accepted, this, nullptr);
  connect(formats_, &QButtonGroup::idClicked, this, &ExportDialog::formatChanged);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export to"), path_->text());
    if (!path.isEmpty()) path_->setText(path);
  });
  formats_->button(0)->setChecked(true);
  formatChanged();
  resize(620, sizeHint().height());
}

void ExportDialog::setFormat(int format) {
  formats_->button(format)->setChecked(true);
  formatChanged();
}

void ExportDialog::setPath(const QString& path) {
  path_->setText(path);
}

QString ExportDialog::result() const {
  return result_->text();
}

void ExportDialog::formatChanged() {
  const FormatInfo& info = kFormats[formats_->checkedId()];
  const QFileInfo current(path_->text());
  const QString stem =
      path_->text().isEmpty() ? base_ : current.path() + "/" + current.completeBaseName();
  path_->setText(stem + QString::fromStdString(exportFormatSuffix(info.format)));
  // Say up front what cannot be exported instead of failing after the user waited.
  const Diagnostics refused = exportRefusals(model_, info.format);
  QStringList lines;
  for (const Diagnostic& d : refused) lines << QString::fromStdString(d.str()).toHtmlEscaped();
  refusals_->setText(lines.join(QStringLiteral("<br>")));
  refusals_->setVisible(!lines.isEmpty());
  exportButton_->setEnabled(lines.isEmpty() && !running_);
  result_->clear();
}

void ExportDialog::startExport() {
  const QString path = path_->text().trimmed();
  if (path.isEmpty() || running_) return;
  const ExportFormat format = kFormats[formats_->checkedId()].format;
  running_ = true;
  succeeded_ = false;
  exportButton_->setEnabled(false);
  result_->setText(tr("Exporting and checking…"));
  auto report = std::make_shared<ExportReport>();
  const Model model = model_;
  runInBackground(
      this,
      [model, format, path, report] { *report = exportModel(model, format, path.toStdString()); },
      [this, report, path](const QString& error) {
        running_ = false;
        exportButton_->setEnabled(true);
        if (!error.isEmpty()) {
          result_->setText(
              QStringLiteral("<span style='color:#d62d20'>%1</span>").arg(error.toHtmlEscaped()));
          return;
        }
        succeeded_ = true;
        result_->setText(QStringLiteral("<span style='color:#2e8b57'>✔</span> %1")
                             .arg(QString::fromStdString(report->describe()).toHtmlEscaped()));
        Q_EMIT exported(path);
      });
}

}  // namespace graft::ui
