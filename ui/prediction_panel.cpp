#include "ui/prediction_panel.h"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QImageReader>
#include <QLabel>
#include <QMimeData>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <memory>
#include <numeric>

#include "graph/shape.h"
#include "runtime/data/dataset.h"
#include "runtime/prediction/predict.h"
#include "ui/device_combo.h"
#include "ui/doc/background_task.h"
#include "ui/doc/document.h"
#include "ui/error_dialog.h"
#include "ui/layer_insight_view.h"

namespace graft::ui {

// One image's result plus its thumbnail, both made on the worker thread (QImage, unlike
// QPixmap, may be used there) so a folder of large photos never stalls the window.
struct PreviewRow {
  ImagePrediction prediction;
  QImage thumbnail;
};

namespace {

constexpr int kThumbnail = 56;

QString percent(double probability) {
  return QStringLiteral("%1 %").arg(probability * 100.0, 0, 'f', 1);
}

QString entryText(const TopEntry& entry) {
  const QString name = entry.label.empty() ? QObject::tr("class %1").arg(entry.index)
                                           : QString::fromStdString(entry.label);
  return QStringLiteral("%1   %2").arg(name, percent(entry.probability));
}

// A feature map or a single unit has no classes: its shape and value range say what it is.
QString outputText(const ImagePrediction& p) {
  if (p.output.empty()) return QObject::tr("empty output");
  const auto [lo, hi] = std::minmax_element(p.output.begin(), p.output.end());
  const double mean =
      std::accumulate(p.output.begin(), p.output.end(), 0.0) / static_cast<double>(p.output.size());
  return QObject::tr("output %1: min %2, mean %3, max %4")
      .arg(QString::fromStdString(shapeToString(p.shape)))
      .arg(*lo, 0, 'g', 4)
      .arg(mean, 0, 'g', 4)
      .arg(*hi, 0, 'g', 4);
}

QStringList imageFiles(const QMimeData* mime) {
  QStringList files;
  if (!mime->hasUrls()) return files;
  for (const QUrl& url : mime->urls())
    if (url.isLocalFile() && hasImageExtension(url.toLocalFile().toStdString()))
      files << url.toLocalFile();
  return files;
}

}  // namespace

PredictionPanel::PredictionPanel(Document* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  setAcceptDrops(true);
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  auto* choose = new QPushButton(tr("Images…"), this);
  choose->setToolTip(tr("Choose images to run through the current model"));
  connect(choose, &QPushButton::clicked, this, &PredictionPanel::chooseImages);
  rerun_ = new QPushButton(tr("Run Again"), this);
  rerun_->setObjectName(QStringLiteral("prediction_rerun"));
  rerun_->setToolTip(
      tr("Run the same images through the model as it is now (after an edit or "
         "training)"));
  connect(rerun_, &QPushButton::clicked, this, [this] { predict(files_); });
  topK_ = new QSpinBox(this);
  topK_->setRange(1, 20);
  topK_->setValue(QSettings().value(QStringLiteral("prediction/topK"), 3).toInt());
  topK_->setPrefix(tr("top "));
  connect(topK_, qOverload<int>(&QSpinBox::valueChanged), this,
          [](int k) { QSettings().setValue(QStringLiteral("prediction/topK"), k); });
  device_ = makeDeviceCombo(QStringLiteral("prediction_device"), this);
  bar->addWidget(choose);
  bar->addWidget(rerun_);
  bar->addWidget(topK_);
  bar->addWidget(device_);
  bar->addStretch(1);
  layout->addLayout(bar);

  status_ =
      new QLabel(tr("Drop images on the window to see what the current model predicts."), this);
  status_->setWordWrap(true);
  layout->addWidget(status_);

  list_ = new QTreeWidget(this);
  list_->setColumnCount(2);
  list_->setHeaderLabels({tr("Image"), tr("Prediction")});
  list_->setIconSize(QSize(kThumbnail, kThumbnail));
  list_->setRootIsDecorated(true);
  list_->setUniformRowHeights(false);
  list_->header()->setSectionResizeMode(0, QHeaderView::Interactive);
  list_->header()->setStretchLastSection(true);
  list_->setColumnWidth(0, 220);
  // Room for one image with its prediction at least. Not more: the dock's minimum, even tabbed
  // behind Properties, is the right column's, and three rows (362 px) left the training dock
  // below too low for its charts. predictImages() gives the dock its room when images come.
  list_->setMinimumHeight(list_->header()->sizeHint().height() + kThumbnail + 6);
  insight_ = new LayerInsightView(document_, this);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(list_);
  // Scrolled, so the layer view's maps never make the docks beside the graph taller than the
  // window allows (the training dock below would be squeezed).
  auto* insightScroll = new QScrollArea(this);
  insightScroll->setWidgetResizable(true);
  insightScroll->setFrameShape(QFrame::NoFrame);
  insightScroll->setWidget(insight_);
  split->addWidget(insightScroll);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  layout->addWidget(split, 1);
  // The selected image (or the child row of its runner-up classes) is the one inspected.
  connect(list_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    while (item && item->parent()) item = item->parent();
    insight_->showImage(item ? item->data(0, Qt::UserRole).toString() : QString());
  });

  // A changed model makes the rows on screen stale: a few run again (as the maps below follow
  // the model); many say so and Run Again updates them.
  refresh_ = new QTimer(this);
  refresh_->setSingleShot(true);
  refresh_->setInterval(250);
  connect(refresh_, &QTimer::timeout, this, [this] {
    if (files_.isEmpty() || !document_->hasModel()) return;
    if (isRunning()) {
      refresh_->start();  // one run at a time: after the one still going
      return;
    }
    if (!document_->analysis().ok()) {
      status_->setText(tr("The model changed and cannot run as it is: fix the marked layers."));
      return;
    }
    predict(files_, true);
  });
  connect(document_, &Document::changed, this, [this] {
    if (files_.isEmpty() || !document_->hasModel()) return;
    ++generation_;  // a run of the model before is not wanted any more
    if (files_.size() <= kLiveImages) {
      status_->setText(tr("The model changed: predicting again…"));
      refresh_->start();
      return;
    }
    status_->setText(tr("The model changed since these predictions: Run Again to update."));
  });
  connect(document_, &Document::opened, this, [this] {
    refresh_->stop();
    ++generation_;  // results of the previous model are not wanted any more
    files_.clear();
    list_->clear();
    insight_->showImage(QString());
    status_->setText(tr("Drop images on the window to see what the current model predicts."));
    updateButtons();
  });
  updateButtons();
}

QString PredictionPanel::status() const {
  return status_->text();
}

void PredictionPanel::updateButtons() {
  rerun_->setEnabled(!files_.isEmpty() && document_->hasModel());
}

void PredictionPanel::chooseImages() {
  const QString folder =
      QSettings().value(QStringLiteral("prediction/lastDirectory"), QDir::homePath()).toString();
  const QStringList files = QFileDialog::getOpenFileNames(
      this, tr("Images to predict"), folder,
      tr("Images (*.jpg *.jpeg *.png *.gif *.bmp *.ppm *.pgm *.tif *.tiff *.webp)"));
  if (files.isEmpty()) return;
  QSettings().setValue(QStringLiteral("prediction/lastDirectory"),
                       QFileInfo(files.front()).absolutePath());
  predict(files);
}

void PredictionPanel::predict(const QStringList& files) {
  predict(files, false);
}

void PredictionPanel::predict(const QStringList& files, bool afterEdit) {
  if (!document_->hasModel() || files.isEmpty()) return;
  files_ = files;
  const int generation = ++generation_;
  ++running_;
  updateButtons();
  status_->setText(tr("Predicting %n image(s)…", nullptr, static_cast<int>(files.size())));

  // The worker gets its own copy of the model (weights are shared, not copied), so edits made
  // while it runs cannot reach it.
  auto model = std::make_shared<const Model>(document_->model());
  std::vector<std::string> paths;
  for (const QString& f : files) paths.push_back(f.toStdString());
  auto rows = std::make_shared<std::vector<PreviewRow>>();
  auto elapsed = std::make_shared<qint64>(0);
  auto deviceName = std::make_shared<std::string>();
  const DeviceChoice device =
      parseDeviceChoice(device_->currentText().toStdString()).value_or(DeviceChoice{});
  PredictOptions options;
  options.topK = topK_->value();
  runInBackground(
      this,
      [model, paths, rows, elapsed, deviceName, device, options] {
        QElapsedTimer timer;
        timer.start();
        Predictor predictor(*model, device);
        *deviceName = predictor.deviceName();
        for (ImagePrediction& p : predictor.run(paths, options)) {
          QImage thumbnail;
          if (p.ok()) {
            QImageReader reader(QString::fromStdString(p.file));
            reader.setAutoTransform(false);  // pixels as stored, as the predictor reads them
            // Decoded at thumbnail size: a 12000 x 9000 photo is over Qt's 128 MB image limit
            // and came out blank.
            const QSize full = reader.size();
            if (full.isValid() && (full.width() > 4 * kThumbnail || full.height() > 4 * kThumbnail))
              reader.setScaledSize(
                  full.scaled(4 * kThumbnail, 4 * kThumbnail, Qt::KeepAspectRatio));
            thumbnail = reader.read().scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio,
                                             Qt::SmoothTransformation);
          }
          rows->push_back({std::move(p), std::move(thumbnail)});
        }
        *elapsed = timer.elapsed();
      },
      [this, generation, rows, elapsed, deviceName, afterEdit](const QString& error) {
        --running_;
        updateButtons();
        if (generation != generation_) return;  // a newer run or another model replaced it
        if (!error.isEmpty()) {
          status_->setText(tr("Could not run the model on these images."));
          // A dialog after every edit would stand in the way of the edits: the status says it.
          if (afterEdit) {
            status_->setText(
                tr("The model changed and could not run on these images: %1").arg(error));
          } else {
            showError(this, tr("Prediction failed"), error);
          }
        } else {
          showRows(*rows, tr("%n image(s) in %1 s on %2", nullptr, static_cast<int>(rows->size()))
                              .arg(static_cast<double>(*elapsed) / 1000.0, 0, 'f', 2)
                              .arg(QString::fromStdString(*deviceName)));
        }
        Q_EMIT finished();
      });
}

void PredictionPanel::showRows(const std::vector<PreviewRow>& rows, const QString& summary) {
  list_->clear();
  int failed = 0;
  for (const PreviewRow& row : rows) {
    const ImagePrediction& p = row.prediction;
    auto* item = new QTreeWidgetItem(list_);
    item->setText(0, QFileInfo(QString::fromStdString(p.file)).fileName());
    item->setToolTip(0, QString::fromStdString(p.file));
    if (p.ok()) item->setData(0, Qt::UserRole, QString::fromStdString(p.file));
    if (!row.thumbnail.isNull()) item->setIcon(0, QPixmap::fromImage(row.thumbnail));
    if (!p.ok()) {
      ++failed;
      // The first column names the file: the cell gives the reason, not the path again (a
      // long path left only "/tmp/…" visible).
      QString reason = QString::fromStdString(p.error);
      const QString path = QString::fromStdString(p.file);
      if (reason.startsWith(path + QStringLiteral(": "))) reason.remove(0, path.size() + 2);
      item->setText(1, reason);
      item->setForeground(1, QColor(0xc0, 0x39, 0x2b));
      item->setToolTip(1, QString::fromStdString(p.error));
      continue;
    }
    if (p.top.empty()) {
      item->setText(1, outputText(p));
      continue;
    }
    QFont best = item->font(1);
    best.setBold(true);
    item->setFont(1, best);
    item->setText(1, entryText(p.top.front()));
    for (size_t i = 1; i < p.top.size(); ++i) {
      auto* child = new QTreeWidgetItem(item);
      child->setText(1, entryText(p.top[i]));
    }
  }
  list_->expandAll();
  if (list_->topLevelItemCount() > 0) list_->setCurrentItem(list_->topLevelItem(0));
  status_->setText(failed == 0 ? summary
                               : tr("%1; %n could not be read", nullptr, failed).arg(summary));
}

void PredictionPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  // The image column gives way in a narrow panel: at a fixed 220 px the percentages were cut
  // to "100.…" while file names kept their room (a file's tooltip names it in full).
  const int room = list_->viewport()->width();
  list_->setColumnWidth(0, std::clamp(room / 2, kThumbnail + 48, 220));
}

void PredictionPanel::dragEnterEvent(QDragEnterEvent* event) {
  if (!imageFiles(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void PredictionPanel::dropEvent(QDropEvent* event) {
  const QStringList files = imageFiles(event->mimeData());
  if (files.isEmpty()) return;
  event->acceptProposedAction();
  predict(files);
}

}  // namespace graft::ui
