#include "ui/layer_insight_view.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QScrollArea>
#include <QSlider>
#include <QVBoxLayout>
#include <optional>

#include "runtime/prediction/layer_maps.h"
#include "ui/doc/background_task.h"
#include "ui/doc/document.h"
#include "ui/feature_map_grid.h"

namespace graft::ui {

struct InsightResult {
  FeatureMaps maps;
  std::optional<GradCamMap> cam;
  RgbImage image;  // the image as the overlay is drawn on it
  QString note;    // what the overlay shows, or why there is none
};

namespace {

constexpr int kStrongest = 16;  // channels in the grid
constexpr int kLargest = 480;   // pixels: larger images are shown scaled down
constexpr int kShown = 200;     // the overlay's box on screen

RgbImage toRgb(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  RgbImage out{rgb.width(), rgb.height(), {}};
  out.pixels.reserve(static_cast<size_t>(rgb.width()) * rgb.height() * 3);
  for (int y = 0; y < rgb.height(); ++y)
    out.pixels.insert(out.pixels.end(), rgb.constScanLine(y),
                      rgb.constScanLine(y) + rgb.width() * 3);
  return out;
}

QImage toQImage(const RgbImage& image) {
  return QImage(image.pixels.data(), image.width, image.height, image.width * 3,
                QImage::Format_RGB888)
      .copy();
}

// Runs on the worker: the feature maps of `layer`, Grad-CAM there when it has a spatial map
// (else at the model's default layer), the image scaled for the screen.
InsightResult compute(LayerMaps& maps, const std::string& file, const std::string& layer,
                      std::optional<int64_t> classIndex) {
  InsightResult r;
  r.maps = maps.featureMaps(file, layer, kStrongest);
  QImage image = toQImage(loadRgbImage(file));
  if (std::max(image.width(), image.height()) > kLargest)
    image = image.scaled(kLargest, kLargest, Qt::KeepAspectRatio, Qt::SmoothTransformation);
  r.image = toRgb(image);
  if (maps.classes() == 0) {
    r.note = QObject::tr("No Grad-CAM: the model's output is not a vector of class scores.");
    return r;
  }
  std::string camLayer = layer;
  QString elsewhere;
  try {
    maps.gradCamLayer(layer);
  } catch (const std::exception&) {
    camLayer = "auto";
    elsewhere = QObject::tr(" (%1 has no spatial map)").arg(QString::fromStdString(layer));
  }
  try {
    r.cam = maps.gradCam(file, camLayer, classIndex);
    const QString label = r.cam->label.empty()
                              ? QString()
                              : QStringLiteral(" (%1)").arg(QString::fromStdString(r.cam->label));
    r.note = QObject::tr("Grad-CAM at %1%2: class %3%4%5")
                 .arg(QString::fromStdString(r.cam->layer), elsewhere)
                 .arg(r.cam->classIndex)
                 .arg(label, r.cam->predicted ? QObject::tr(", predicted") : QString());
    if (r.cam->noEvidence)
      r.note += QObject::tr(
          " — the map is empty: no position of this layer raises the class's "
          "score (an earlier layer may show where it looks)");
  } catch (const std::exception& e) {
    r.note = QObject::tr("No Grad-CAM: %1").arg(QString::fromUtf8(e.what()));
  }
  return r;
}

}  // namespace

LayerInsightView::LayerInsightView(Document* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* form = new QFormLayout;
  layer_ = new QComboBox(this);
  layer_->setObjectName(QStringLiteral("insight_layer"));
  layer_->setToolTip(tr("The layer whose activations are shown for the selected image"));
  class_ = new QComboBox(this);
  class_->setObjectName(QStringLiteral("insight_class"));
  class_->setToolTip(tr("The class Grad-CAM explains"));
  opacity_ = new QSlider(Qt::Horizontal, this);
  opacity_->setObjectName(QStringLiteral("insight_opacity"));
  opacity_->setRange(0, 100);
  opacity_->setValue(50);
  opacity_->setToolTip(tr("Opacity of the Grad-CAM heat map over the image"));
  form->addRow(tr("Layer"), layer_);
  form->addRow(tr("Class"), class_);
  form->addRow(tr("Opacity"), opacity_);
  layout->addLayout(form);

  note_ = new QLabel(this);
  note_->setWordWrap(true);
  layout->addWidget(note_);
  overlayLabel_ = new QLabel(this);
  overlayLabel_->setObjectName(QStringLiteral("insight_overlay"));
  overlayLabel_->setAlignment(Qt::AlignCenter);
  overlayLabel_->setMinimumHeight(120);
  layout->addWidget(overlayLabel_);
  // The grid grows with its rows; in a short dock it scrolls instead of being cut off.
  grid_ = new FeatureMapGrid;
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setWidget(grid_);
  layout->addWidget(scroll, 1);

  connect(layer_, qOverload<int>(&QComboBox::activated), this, [this] { request(); });
  connect(class_, qOverload<int>(&QComboBox::activated), this, [this] { request(); });
  connect(opacity_, &QSlider::valueChanged, this, [this] { repaintOverlay(); });
  connect(document_, &Document::opened, this, [this] { modelChanged(); });
  connect(document_, &Document::changed, this, [this] { modelChanged(); });
  modelChanged();
}

LayerInsightView::~LayerInsightView() = default;

QString LayerInsightView::note() const {
  return note_->text();
}

// A new model: new layers and classes; the previous choice is kept when it still exists.
void LayerInsightView::modelChanged() {
  const QString previous = layer_->currentText();
  maps_.reset();
  layer_->clear();
  class_->clear();
  if (document_->hasModel()) {
    try {
      maps_ = std::make_shared<LayerMaps>(document_->model());
    } catch (const std::exception& e) {
      note_->setText(tr("No layer maps for this model: %1").arg(QString::fromUtf8(e.what())));
    }
  }
  if (maps_) {
    for (const std::string& name : maps_->layers()) layer_->addItem(QString::fromStdString(name));
    QString initial = previous;
    if (layer_->findText(initial) < 0) {
      try {
        initial = QString::fromStdString(maps_->defaultGradCamLayer());
      } catch (const std::exception&) {
        initial = layer_->itemText(layer_->count() - 1);
      }
    }
    layer_->setCurrentIndex(std::max(0, layer_->findText(initial)));
    class_->addItem(tr("Predicted class"), -1);
    for (int64_t c = 0; c < maps_->classes(); ++c) {
      const auto& labels = maps_->labels();
      const QString name =
          static_cast<size_t>(c) < labels.size()
              ? QStringLiteral("%1: %2").arg(c).arg(QString::fromStdString(labels[c]))
              : tr("class %1").arg(c);
      class_->addItem(name, static_cast<qlonglong>(c));
    }
  }
  class_->setEnabled(maps_ && maps_->classes() > 0);
  request();
}

void LayerInsightView::showImage(const QString& file) {
  file_ = file;
  request();
}

void LayerInsightView::request() {
  if (busy_) {
    pending_ = true;
    return;
  }
  start();
}

void LayerInsightView::start() {
  pending_ = false;
  if (!maps_ || file_.isEmpty() || layer_->count() == 0) {
    shown_.reset();
    overlay_ = QImage();
    overlayLabel_->clear();
    grid_->clear();
    if (maps_) note_->setText(tr("Select an image to see what its layers see."));
    Q_EMIT updated();
    return;
  }
  busy_ = true;
  note_->setText(tr("Computing the maps of %1…").arg(layer_->currentText()));
  auto maps = maps_;
  const std::string file = file_.toStdString();
  const std::string layer = layer_->currentText().toStdString();
  const qlonglong chosen = class_->currentData().toLongLong();
  std::optional<int64_t> classIndex;
  if (chosen >= 0) classIndex = chosen;
  auto result = std::make_shared<InsightResult>();
  runInBackground(
      this,
      [maps, file, layer, classIndex, result] {
        *result = compute(*maps, file, layer, classIndex);
      },
      [this, result](const QString& error) {
        busy_ = false;
        if (pending_) {  // the choice changed meanwhile: this result is stale
          start();
          return;
        }
        if (!error.isEmpty()) {
          shown_.reset();
          overlay_ = QImage();
          overlayLabel_->clear();
          grid_->clear();
          note_->setText(tr("Could not compute the maps: %1").arg(error));
        } else {
          showResult(*result);
        }
        Q_EMIT updated();
      });
}

void LayerInsightView::showResult(const InsightResult& result) {
  shown_ = std::make_shared<const InsightResult>(result);
  note_->setText(result.note);
  grid_->setMaps(result.maps);
  repaintOverlay();
}

void LayerInsightView::repaintOverlay() {
  if (!shown_ || !shown_->cam) {
    overlay_ = QImage();
    overlayLabel_->clear();
    return;
  }
  const GradCamMap& cam = *shown_->cam;
  overlay_ = toQImage(
      overlayHeatmap(shown_->image, cam.map, cam.width, cam.height, opacity_->value() / 100.0));
  // Shown in a fixed box, small images enlarged (a 32 x 32 input would be a speck); overlay()
  // keeps the image's own size.
  overlayLabel_->setPixmap(QPixmap::fromImage(overlay_.scaled(
      QSize(kShown, kShown), Qt::KeepAspectRatio,
      overlay_.width() < kShown ? Qt::FastTransformation : Qt::SmoothTransformation)));
}

}  // namespace graft::ui
