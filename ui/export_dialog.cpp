#include "ui/export_dialog.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <algorithm>
#include <memory>

#include "export/export.h"
#include "run/export_spec.h"
#include "run/spec_text.h"
#include "ui/doc/background_task.h"
#include "ui/secondary_text.h"

namespace graft::ui {
namespace {

// What each format is for, beside its title (the choices themselves come from the table).
QString formatUse(ExportFormat format) {
  switch (format) {
    case ExportFormat::TorchScript:
      return ExportDialog::tr("runs with torch.jit.load in Python or LibTorch in C++");
    case ExportFormat::Onnx:
      return ExportDialog::tr("runs with ONNX Runtime, OpenCV DNN, TensorRT …");
    case ExportFormat::KerasH5:
      return ExportDialog::tr(
          "weights as Keras 2 save_weights writes them (load_weights reads them)");
    case ExportFormat::KerasWeights:
      return ExportDialog::tr("Keras 3 .weights.h5, for load_weights onto the same Keras 3 model");
    case ExportFormat::Keras:
      return ExportDialog::tr(
          "Keras 3 .keras model (config and weights), for keras.models.load_model");
  }
  return {};
}

// The table's help, and where the same option is found in pipelines and on the command line.
QString toolTipOf(const ExportSpecField& field) {
  return QString::fromStdString(field.help) +
         QStringLiteral("\n(pipelines: \"%1\"; graft-cli export %2)")
             .arg(QString::fromLatin1(field.key), QString::fromStdString(specFlag(field)));
}

QString optionName(const ExportSpecField& field) {
  return QStringLiteral("export_option_") + QString::fromLatin1(field.key);
}

const std::vector<std::string>& formatChoices() {
  return exportSpecField("format").choices;
}

// The file without the suffix of any format (".weights.h5" whole, so that switching formats
// does not pile suffixes up), or `base` when there is no file yet.
QString stemOf(const QString& path, const QString& base) {
  if (path.isEmpty()) return base;
  QString longest;
  for (const std::string& choice : formatChoices()) {
    const QString suffix = QString::fromStdString(exportFormatSuffix(exportFormatFromName(choice)));
    if (path.endsWith(suffix) && suffix.size() > longest.size()) longest = suffix;
  }
  if (!longest.isEmpty()) return path.left(path.size() - longest.size());
  const QFileInfo current(path);
  return current.path() + "/" + current.completeBaseName();
}

// The export the widgets describe: the checked format's choice and the typed file.
ExportSpec specOf(const QButtonGroup* formats, const QLineEdit* path) {
  ExportSpec spec;
  const int format = formats->checkedId();
  if (format >= 0) spec.format = formatChoices()[static_cast<size_t>(format)];
  setSpecValueFromText(exportSpecField("output"), path->text().toStdString(), spec);
  return spec;
}

// The first of the table's checks the widgets fail ("output: missing: the file to write …"),
// shown under the options; "" when the export can run.
QString showProblem(const ExportSpec& spec, QLabel* label) {
  const auto problem = validateExportSpec(spec);
  const QString message =
      problem ? QString::fromStdString(problem->key + ": " + problem->message) : QString();
  label->setText(message);
  label->setVisible(!message.isEmpty());
  return message;
}

}  // namespace

ExportDialog::ExportDialog(const Model& model, const QString& suggestedBase, QWidget* parent)
    : QDialog(parent), model_(model), base_(suggestedBase) {
  setWindowTitle(tr("Export model"));
  auto* layout = new QVBoxLayout(this);
  const ExportSpecField& formatField = exportSpecField("format");
  auto* formatBox = new QWidget(this);
  formatBox->setObjectName(optionName(formatField));
  formatBox->setToolTip(toolTipOf(formatField));
  auto* formatLayout = new QVBoxLayout(formatBox);
  formatLayout->setContentsMargins(0, 0, 0, 0);
  formats_ = new QButtonGroup(this);
  for (int i = 0; i < static_cast<int>(formatChoices().size()); ++i) {
    const ExportFormat format = exportFormatFromName(formatChoices()[i]);
    auto* radio =
        new QRadioButton(QStringLiteral("%1 — %2").arg(
                             QString::fromStdString(exportFormatTitle(format)), formatUse(format)),
                         formatBox);
    radio->setObjectName(optionName(formatField) + "_" +
                         QString::fromStdString(formatChoices()[i]));
    formats_->addButton(radio, i);
    formatLayout->addWidget(radio);
  }
  layout->addWidget(formatBox);
  auto* pathRow = new QHBoxLayout;
  path_ = new QLineEdit(this);
  path_->setObjectName(optionName(exportSpecField("output")));
  path_->setToolTip(toolTipOf(exportSpecField("output")));
  auto* browse = new QPushButton(tr("Browse…"), this);
  pathRow->addWidget(new QLabel(tr("File"), this));
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse);
  layout->addLayout(pathRow);
  refusals_ = new QLabel(this);
  refusals_->setObjectName(QStringLiteral("export_refusals"));
  refusals_->setWordWrap(true);
  refusals_->setStyleSheet(QStringLiteral("color: #d62d20;"));
  layout->addWidget(refusals_);
  auto* problem = new QLabel(this);
  problem->setObjectName(QStringLiteral("export_option_problem"));
  problem->setWordWrap(true);
  problem->setStyleSheet(QStringLiteral("color: #d62d20;"));
  problem->hide();
  layout->addWidget(problem);
  auto* note = new QLabel(this);
  note->setObjectName(QStringLiteral("export_input_note"));
  note->setWordWrap(true);
  showAsSecondaryText(note);
  layout->addWidget(note);
  result_ = new QLabel(this);
  result_->setWordWrap(true);
  result_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  // Room for the check's result from the start, scrolled when longer: the dialog grew with it
  // and the Export button moved from under the pointer (a second click exported nothing).
  auto* resultArea = new QScrollArea(this);
  resultArea->setObjectName(QStringLiteral("export_result_area"));
  resultArea->setWidget(result_);
  resultArea->setWidgetResizable(true);
  resultArea->setFrameShape(QFrame::NoFrame);
  // Six lines: the check's line (two) under the warning that the output ignores the input
  // (three), with no scrolling.
  resultArea->setFixedHeight(6 * fontMetrics().lineSpacing() + 4);
  layout->addWidget(resultArea);
  layout->addStretch(1);  // room a shorter note leaves goes above the buttons
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  exportButton_ = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(exportButton_, &QPushButton::clicked, this, &ExportDialog::startExport);
  disconnect(buttons, &QDialogButtonBox::accepted, this, nullptr);
  connect(formats_, &QButtonGroup::idClicked, this, &ExportDialog::formatChanged);
  connect(path_, &QLineEdit::textChanged, this, [this, problem] {
    const bool valid = showProblem(specOf(formats_, path_), problem).isEmpty();
    exportButton_->setEnabled(valid && refusals_->isHidden() && !running_);
    fitContents();
  });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export to"), path_->text());
    if (!path.isEmpty()) path_->setText(path);
  });
  // As tall as the format with the longest notes needs from the start: growing at a format's
  // click moved the Export button away from under the pointer.
  resize(620, sizeHint().height());
  int tallest = height();
  for (QAbstractButton* format : formats_->buttons()) {
    format->setChecked(true);
    formatChanged();
    tallest = std::max(tallest, height());
  }
  formats_->button(0)->setChecked(true);
  formatChanged();
  // Never taller than the screen (a model ONNX refuses 24 layers of lists each): the buttons
  // stay on it, and the refusals are cut instead.
  if (const QScreen* screen = this->screen())
    tallest = std::min(tallest, screen->availableGeometry().height() * 4 / 5);
  resize(620, tallest);
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
  const ExportFormat format = exportFormatFromName(specOf(formats_, path_).format);
  path_->setText(stemOf(path_->text(), base_) + QString::fromStdString(exportFormatSuffix(format)));
  // Say up front what cannot be exported instead of failing after the user waited.
  const Diagnostics refused = exportRefusals(model_, format);
  QStringList lines;
  for (const Diagnostic& d : refused) lines << QString::fromStdString(d.str()).toHtmlEscaped();
  refusals_->setText(lines.join(QStringLiteral("<br>")));
  refusals_->setVisible(!lines.isEmpty());
  if (auto* note = findChild<QLabel*>(QStringLiteral("export_input_note")))
    note->setText(QString::fromStdString(exportInputNote(model_, format)));
  const QString problem = showProblem(specOf(formats_, path_),
                                      findChild<QLabel*>(QStringLiteral("export_option_problem")));
  exportButton_->setEnabled(lines.isEmpty() && problem.isEmpty() && !running_);
  result_->clear();
  fitContents();
}

void ExportDialog::fitContents() {
  // Word-wrapped lines (a refusal, the check's result) do not raise a dialog's minimum height:
  // it kept its size and squeezed the format rows instead, clipping their underscores.
  layout()->activate();
  const int needed = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width())
                                                   : layout()->totalSizeHint().height();
  if (height() < needed) resize(width(), needed);
}

void ExportDialog::startExport() {
  const ExportSpec chosen = specOf(formats_, path_);
  if (running_ || validateExportSpec(chosen)) return;
  const QString path = QString::fromStdString(chosen.output);
  const ExportFormat format = exportFormatFromName(chosen.format);
  // A folder is refused at once, as graft-cli refuses it: asked whether to replace it, the user
  // who said Yes was told only then that a folder cannot be replaced.
  if (QFileInfo(path).isDir()) {
    QMessageBox::warning(
        this, tr("Not exported"),
        tr("%1 is a folder, not a file name: give the export a file name.").arg(path));
    return;
  }
  // The proposed name may be a file that is there (the model opened from digits.keras, exported
  // as a Keras 3 model): never replaced without asking (Browse… asks; a typed name did not).
  if (QFileInfo::exists(path) &&
      QMessageBox::question(this, tr("Replace %1?").arg(QFileInfo(path).fileName()),
                            tr("%1 exists. Replace it with the export?").arg(path),
                            QMessageBox::Yes | QMessageBox::Cancel,
                            QMessageBox::Cancel) != QMessageBox::Yes)
    return;
  running_ = true;
  succeeded_ = false;
  exportButton_->setEnabled(false);
  result_->setText(tr("Exporting and checking…"));
  fitContents();
  auto report = std::make_shared<ExportReport>();
  const Model model = model_;
  runInBackground(
      this,
      [model, format, path, report] { *report = exportModel(model, format, path.toStdString()); },
      [this, report, path](const QString& error) {
        running_ = false;
        exportButton_->setEnabled(true);
        if (error.isEmpty()) {
          succeeded_ = true;
          QSettings().setValue(QStringLiteral("export/lastFolder"), QFileInfo(path).absolutePath());
          Q_EMIT exported(path);
        }
        if (closedWhileRunning_) {
          const QString warning =
              report->warning.empty()
                  ? QString()
                  : tr(" — warning: %1").arg(QString::fromStdString(report->warning));
          Q_EMIT finishedAfterClose(
              error.isEmpty() ? tr("Exported %1: %2%3")
                                    .arg(path, QString::fromStdString(report->describe()), warning)
                              : tr("Export to %1 failed: %2").arg(path, error),
              error.isEmpty());
          deleteLater();
          return;
        }
        if (!error.isEmpty()) {
          result_->setText(
              QStringLiteral("<span style='color:#d62d20'>%1</span>").arg(error.toHtmlEscaped()));
        } else {
          // The warning first: the result area scrolls what does not fit.
          const QString warning =
              report->warning.empty()
                  ? QString()
                  : QStringLiteral("<span style='color:#b8860b'>⚠ %1</span><br>")
                        .arg(QString::fromStdString(report->warning).toHtmlEscaped());
          result_->setText(warning +
                           QStringLiteral("<span style='color:#2e8b57'>✔</span> %1")
                               .arg(QString::fromStdString(report->describe()).toHtmlEscaped()));
        }
        fitContents();
      });
}

void ExportDialog::reject() {
  if (!running_) {
    QDialog::reject();
    return;
  }
  closedWhileRunning_ = true;
  // The title bar's close (and Alt+F4) comes here through closeEvent and would then delete
  // the dialog the worker reports to: the done handler deletes it instead.
  setAttribute(Qt::WA_DeleteOnClose, false);
  hide();
  setResult(QDialog::Rejected);
}

QString ExportDialog::defaultFolder() {
  const QString last = QSettings().value(QStringLiteral("export/lastFolder")).toString();
  if (!last.isEmpty() && QFileInfo(last).isDir() && QFileInfo(last).isWritable()) return last;
  const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  if (!documents.isEmpty() && QFileInfo(documents).isDir() && QFileInfo(documents).isWritable())
    return documents;
  return QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
}

QString ExportDialog::path() const {
  return path_->text();
}

}  // namespace graft::ui
