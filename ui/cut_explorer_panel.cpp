#include "ui/cut_explorer_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>
#include <utility>

#include "graph/summary.h"
#include "runtime/explore/cut_with_head.h"
#include "ui/cut_accuracy_chart.h"
#include "ui/device_combo.h"
#include "ui/doc/document.h"
#include "ui/error_dialog.h"
#include "ui/scroll_area.h"

namespace graft::ui {

namespace {

// What the explorer does, said before it has run.
QString idleStatus() {
  return CutExplorerPanel::tr(
      "One pass of the images through the network gives every candidate's features; a linear "
      "classifier is fitted on each.");
}

QString etaText(double seconds) {
  if (seconds <= 0) return QString();
  const int s = static_cast<int>(seconds + 0.5);
  if (s < 60) return QStringLiteral(" — ETA %1 s").arg(s);
  return QStringLiteral(" — ETA %1 min %2 s").arg(s / 60).arg(s % 60);
}

QTableWidgetItem* numberItem(const QString& text, double sortValue) {
  auto* item = new QTableWidgetItem(text);
  item->setData(Qt::UserRole, sortValue);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

CutExplorerPanel::CutExplorerPanel(Document* document, QWidget* parent)
    : QWidget(parent), document_(document), session_(new CutExplorerSession(this)) {
  auto* content = new QWidget(this);
  auto* layout = new QVBoxLayout(content);
  auto* dataRow = new QHBoxLayout();
  auto* imagesLabel = new QLabel(tr("Images"), this);
  dataRow->addWidget(imagesLabel);
  dataDir_ = new QLineEdit(this);
  dataDir_->setObjectName(QStringLiteral("explorer_data"));
  imagesLabel->setBuddy(dataDir_);
  dataDir_->setAccessibleName(tr("Images folder"));
  dataDir_->setPlaceholderText(tr("a folder with one subfolder of images per class"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  dataRow->addWidget(dataDir_, 3);
  dataRow->addWidget(browse);
  auto* layersLabel = new QLabel(tr("Layers"), this);
  dataRow->addWidget(layersLabel);
  layers_ = new QLineEdit(this);
  layersLabel->setBuddy(layers_);
  layers_->setAccessibleName(tr("Layers to measure"));
  layers_->setPlaceholderText(tr("auto (ends of blocks)"));
  layers_->setToolTip(
      tr("auto: the ends of the network's blocks, chosen from its structure (at "
         "most 16); or layer names separated by commas"));
  dataRow->addWidget(layers_, 2);
  device_ = makeDeviceCombo(QStringLiteral("explorer_device"), this);
  dataRow->addWidget(device_);
  explore_ = new QPushButton(tr("Explore"), this);
  explore_->setToolTip(
      tr("Measure how well a linear classifier on each candidate layer's "
         "features separates the folder's classes"));
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setEnabled(false);
  dataRow->addWidget(explore_);
  dataRow->addWidget(cancel_);
  layout->addLayout(dataRow);

  auto* progressRow = new QHBoxLayout();
  progress_ = new QProgressBar(this);
  progress_->setMaximumWidth(260);
  progress_->setTextVisible(true);
  status_ = new QLabel(idleStatus(), this);
  status_->setWordWrap(true);
  progressRow->addWidget(progress_);
  progressRow->addWidget(status_, 1);
  layout->addLayout(progressRow);

  auto* splitter = new QSplitter(Qt::Horizontal, this);
  chart_ = new CutAccuracyChart(splitter);
  auto* right = new QWidget(splitter);
  auto* rightLayout = new QVBoxLayout(right);
  rightLayout->setContentsMargins(0, 0, 0, 0);
  table_ = new QTableWidget(0, 5, right);
  table_->setHorizontalHeaderLabels(
      {tr("Layer"), tr("Val accuracy"), tr("Feature size"), tr("Prefix params"), tr("ms/image")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setAccessibleName(tr("Cut points"));
  table_->setTabKeyNavigation(false);  // Tab leaves the table (it moved cell by cell)
  table_->verticalHeader()->hide();
  // Every column as wide as its contents (the stretched Layer column was squeezed to "co…" by
  // the numbers beside it); a narrow table scrolls sideways.
  for (int c = 0; c < 5; ++c)
    table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  rightLayout->addWidget(table_, 1);
  cut_ = new QPushButton(tr("Cut Here with a New Head"), right);
  cut_->setEnabled(false);
  cut_->setToolTip(
      tr("Make the selected layer the model's end and put a classifier for the "
         "folder's classes on it (one undoable step)"));
  rightLayout->addWidget(cut_, 0, Qt::AlignRight);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  splitter->setSizes({600, 400});  // the chart wider: its layer names need the room
  // Scrolled below what the chart needs: its minimum, with the controls above, made the window
  // taller than a 800 px screen (the status bar went off its bottom edge for the session).
  auto* scroll = new QScrollArea(this);
  scroll->setObjectName(QStringLiteral("cut_explorer_scroll"));
  scroll->setWidget(splitter);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  layout->addWidget(scroll, 1);
  // The controls scroll too below what they need: with the chart's area they made the window
  // taller than a 540 px screen (1080 px at 200 %), its status bar below the screen's edge.
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scrolledContent(content, QStringLiteral("cut_explorer_panel_scroll"), this));

  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Labelled images"), dataDir_->text());
    if (!dir.isEmpty()) setDataDir(dir);
  });
  connect(explore_, &QPushButton::clicked, this, [this] { explore(); });
  connect(cancel_, &QPushButton::clicked, session_, &CutExplorerSession::cancel);
  connect(cut_, &QPushButton::clicked, this, [this] {
    const auto rows = table_->selectionModel()->selectedRows();
    if (!rows.isEmpty()) cutAt(rows.front().row());
  });
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    cut_->setEnabled(resultIsCurrent() && !table_->selectionModel()->selectedRows().isEmpty());
  });
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) { cutAt(row); });
  connect(chart_, &CutAccuracyChart::candidateClicked, this, &CutExplorerPanel::cutAt);
  connect(session_, &CutExplorerSession::progress, this, &CutExplorerPanel::showProgress);
  connect(session_, &CutExplorerSession::finished, this, &CutExplorerPanel::runFinished);
  connect(session_, &CutExplorerSession::runningChanged, this, &CutExplorerPanel::setRunning);
  connect(document_, &Document::changed, this, &CutExplorerPanel::documentChanged);
  connect(document_, &Document::opened, this, [this] {
    // Another model: the rows named the model before's layers (double-clicking one was refused,
    // but the numbers read as this model's). A run still measuring that model stops, and says
    // why (it read "Cancelled", which the user had not done).
    cancelledForAnotherModel_ = session_->isRunning();
    session_->cancel();
    session_->forget();
    layers_->clear();  // named the model before's layers: back to the automatic choice
    table_->setRowCount(0);
    chart_->setCandidates({}, {});
    cut_->setEnabled(false);
    progress_->setValue(0);
    status_->setText(idleStatus());
  });
}

void CutExplorerPanel::setDataDir(const QString& dir) {
  dataDir_->setText(dir);
}

QString CutExplorerPanel::layers() const {
  return layers_->text();
}

QString CutExplorerPanel::dataDir() const {
  return dataDir_->text().trimmed();
}

void CutExplorerPanel::setLayers(const QString& layers) {
  layers_->setText(layers);
}

bool CutExplorerPanel::explore() {
  if (session_->isRunning()) return false;
  QString refusal;
  CutExplorerRequest request;
  request.dataDir = dataDir().toStdString();
  request.device = device_->currentText().toStdString();
  if (!document_->hasModel())
    refusal = tr("Open a model first.");
  else if (request.dataDir.empty())
    refusal = tr("Choose a folder of labelled images (one subfolder per class) first.");
  try {
    if (refusal.isEmpty()) request.layers = parseLayerList(layers_->text().toStdString());
  } catch (const std::exception& e) {
    refusal = QString::fromStdString(e.what());
  }
  if (!refusal.isEmpty()) {
    status_->setText(refusal);
    return false;
  }
  // The run measures a snapshot: the user may go on editing, and the result is only acted on
  // while the document is still at the revision it was measured on.
  session_->start(document_->model(), request, document_->revision());
  status_->setText(tr("Reading the folder…"));
  progress_->setRange(0, 0);
  return true;
}

void CutExplorerPanel::setRunning(bool running) {
  explore_->setEnabled(!running);
  cancel_->setEnabled(running);
  dataDir_->setEnabled(!running);
  layers_->setEnabled(!running);
  device_->setEnabled(!running);
}

void CutExplorerPanel::showProgress(const CutExplorerStep& step) {
  progress_->setRange(0, static_cast<int>(std::max<qint64>(1, step.total)));
  progress_->setValue(static_cast<int>(step.done));
  const QString what = step.phase == QLatin1String("features")
                           ? tr("Images through the network: batch %1 of %2")
                           : tr("Fitting a linear classifier: candidate %1 of %2");
  status_->setText(what.arg(step.done).arg(step.total) + etaText(step.etaSeconds));
}

void CutExplorerPanel::runFinished(bool cancelled, const QString& error) {
  const bool forAnotherModel = std::exchange(cancelledForAnotherModel_, false);
  progress_->setRange(0, 1);
  progress_->setValue(cancelled || !error.isEmpty() ? 0 : 1);
  if (!error.isEmpty()) {
    status_->setText(tr("The explorer stopped: %1").arg(error));
    Q_EMIT statusMessage(tr("Cut-point explorer: %1").arg(error));
    return;
  }
  if (cancelled) {
    status_->setText(forAnotherModel
                         ? tr("Stopped: another model was opened; explore again to measure it.")
                         : tr("Cancelled: nothing measured."));
    return;
  }
  showResult();
}

void CutExplorerPanel::showResult() {
  const auto outcome = session_->result();
  if (!outcome) return;
  const CutExplorerReport& report = outcome->report;
  QStringList layers;
  QVector<double> accuracies;
  QMap<QString, double> marks;
  table_->setRowCount(static_cast<int>(report.candidates.size()));
  double best = -1;
  for (const auto& c : report.candidates) best = std::max(best, c.valAccuracy);
  for (int row = 0; row < static_cast<int>(report.candidates.size()); ++row) {
    const CutCandidateResult& c = report.candidates[static_cast<size_t>(row)];
    const QString layer = QString::fromStdString(c.layer);
    layers << layer;
    accuracies << c.valAccuracy;
    marks.insert(layer, c.valAccuracy);
    auto* name =
        new QTableWidgetItem(c.valAccuracy == best ? layer + QStringLiteral("  ★") : layer);
    name->setData(Qt::UserRole, layer);
    table_->setItem(row, 0, name);
    table_->setItem(row, 1, numberItem(QString::number(c.valAccuracy, 'f', 3), c.valAccuracy));
    table_->setItem(row, 2,
                    numberItem(QString::number(c.featureSize), static_cast<double>(c.featureSize)));
    table_->setItem(row, 3,
                    numberItem(QString::fromStdString(withThousands(c.prefixParams)),
                               static_cast<double>(c.prefixParams)));
    table_->setItem(row, 4, numberItem(QString::number(c.msPerImage, 'f', 2), c.msPerImage));
  }
  chart_->setCandidates(layers, accuracies);
  const bool current = resultIsCurrent();
  status_->setText(
      tr("%1 candidates measured on %2 training and %3 validation images (%4 s through the "
         "network, %5 s fitting, on %6). %7")
          .arg(report.candidates.size())
          .arg(report.trainImages)
          .arg(report.validationImages)
          .arg(report.featureSeconds, 0, 'f', 1)
          .arg(report.fitSeconds, 0, 'f', 1)
          .arg(QString::fromStdString(report.device))
          .arg(current ? tr("Double-click a row or click a point to cut there with a new head "
                            "for %1 classes.")
                             .arg(outcome->classes.size())
                       : tr("The model was edited during the run: explore again to cut.")));
  Q_EMIT marksChanged(current ? marks : QMap<QString, double>());
  // Undo back to the measured model: the row still selected cuts again (its selection did not
  // change, so the selection's handler did not say so).
  cut_->setEnabled(current && !table_->selectionModel()->selectedRows().isEmpty());
}

void CutExplorerPanel::remark() {
  // Mid-run the old result would replace the run's progress: its marks come at its end.
  if (session_->result() && !session_->isRunning()) showResult();
}

bool CutExplorerPanel::resultIsCurrent() const {
  return session_->result() && document_->hasModel() &&
         session_->resultRevision() == document_->revision();
}

int CutExplorerPanel::candidateIndex(const QString& layer) const {
  if (!resultIsCurrent()) return -1;
  const auto& candidates = session_->result()->report.candidates;
  for (size_t i = 0; i < candidates.size(); ++i)
    if (candidates[i].layer == layer.toStdString()) return static_cast<int>(i);
  return -1;
}

int CutExplorerPanel::classCount() const {
  return session_->result() ? static_cast<int>(session_->result()->classes.size()) : 0;
}

void CutExplorerPanel::documentChanged() {
  if (!session_->result()) return;
  if (resultIsCurrent()) {
    // Undo (or redo) came back to the measured model: the graph dropped the marks on the
    // change, so they go back on once it has rebuilt (queued: it rebuilds on the same signal).
    QMetaObject::invokeMethod(
        this,
        [this] {
          if (resultIsCurrent()) showResult();
        },
        Qt::QueuedConnection);
    return;
  }
  // The graph dropped its marks itself; the numbers stay for reading but no longer cut.
  cut_->setEnabled(false);
  status_->setText(
      tr("The model changed since these were measured: explore again to cut "
         "from fresh numbers."));
}

bool CutExplorerPanel::cutAt(int index) {
  const auto outcome = session_->result();
  if (!outcome || index < 0 || index >= static_cast<int>(outcome->report.candidates.size()))
    return false;
  if (!resultIsCurrent()) {
    status_->setText(tr("The model changed since these were measured: explore again to cut."));
    return false;
  }
  const CutCandidateResult& candidate = outcome->report.candidates[static_cast<size_t>(index)];
  const std::string layer = candidate.layer;
  const int classes = static_cast<int>(outcome->classes.size());
  const QString text =
      tr("cut at %1 with a new head (%2 classes)").arg(QString::fromStdString(layer)).arg(classes);
  // The head's Dense starts as the classifier the explorer fitted, and the head's outputs are
  // the folder's classes in the order the explorer (and training) gives them.
  Expected<HeadCut> cut = cutWithFittedHead(document_->model(), candidate, outcome->classes);
  if (!cut) {
    showDiagnostics(this, tr("Cannot cut here"), cut.diagnostics());
    return false;
  }
  const bool fitted = cut->fromFit;
  if (!document_->commitModel(std::move(cut).value().model, text)) return false;
  // The head's classes are this folder's: a training run on another folder (the training panel
  // kept its own) met a head of the wrong size.
  const QString folder = QString::fromStdString(outcome->dataDir);
  Q_EMIT headCut(folder);
  Q_EMIT statusMessage(
      (fitted ? tr("Cut at %1 with a new head for the %2 classes of %3, starting from the "
                   "explorer's classifier (validation accuracy %4): ready to fine-tune on them.")
                    .arg(QString::fromStdString(layer))
                    .arg(classes)
                    .arg(folder)
                    .arg(candidate.valAccuracy, 0, 'f', 3)
              : tr("Cut at %1 with a new head for the %2 classes of %3: ready to fine-tune on "
                   "them.")
                    .arg(QString::fromStdString(layer))
                    .arg(classes)
                    .arg(folder)));
  return true;
}

void CutExplorerPanel::focusFirstField() {
  dataDir_->setFocus(Qt::OtherFocusReason);
}

}  // namespace graft::ui
