#include "ui/feature_map_grid.h"

#include <QImage>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "runtime/prediction/layer_maps.h"

namespace graft::ui {

namespace {

constexpr int kCell = 72;   // one channel's map
constexpr int kLabel = 16;  // its index below it
constexpr int kGap = 6;
constexpr int kBarsHeight = 160;

QImage greyImage(const ChannelMap& map, int width, int height) {
  QImage image(width, height, QImage::Format_Grayscale8);
  for (int y = 0; y < height; ++y) {
    uchar* line = image.scanLine(y);
    for (int x = 0; x < width; ++x)
      line[x] = static_cast<uchar>(std::lround(map.values[y * width + x] * 255.f));
  }
  return image;
}

}  // namespace

FeatureMapGrid::FeatureMapGrid(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("feature_map_grid"));
  setMinimumHeight(kCell + kLabel);
}
FeatureMapGrid::~FeatureMapGrid() = default;

void FeatureMapGrid::setMaps(const FeatureMaps& maps) {
  maps_ = std::make_unique<FeatureMaps>(maps);
  updateGeometry();
  update();
}

void FeatureMapGrid::clear() {
  maps_.reset();
  update();
}

int FeatureMapGrid::mapCount() const {
  return maps_ ? static_cast<int>(maps_->channels.size()) : 0;
}
int FeatureMapGrid::barCount() const {
  return maps_ && !maps_->spatial() ? static_cast<int>(maps_->values.size()) : 0;
}

int FeatureMapGrid::columns() const {
  return std::max(1, (width() - kGap) / (kCell + kGap));
}

QSize FeatureMapGrid::sizeHint() const {
  if (!maps_ || !maps_->spatial()) return {4 * (kCell + kGap), kBarsHeight};
  const int rows = (mapCount() + columns() - 1) / columns();
  return {4 * (kCell + kGap), rows * (kCell + kLabel + kGap) + kGap};
}

void FeatureMapGrid::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  // Rows follow the width: the grid asks for the height its columns need.
  if (maps_ && maps_->spatial()) {
    const int rows = (mapCount() + columns() - 1) / columns();
    setMinimumHeight(rows * (kCell + kLabel + kGap) + kGap);
  }
}

void FeatureMapGrid::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  if (!maps_) return;
  if (maps_->spatial()) {
    const int cols = columns();
    for (int i = 0; i < mapCount(); ++i) {
      const ChannelMap& m = maps_->channels[i];
      const QRect cell(kGap + (i % cols) * (kCell + kGap),
                       kGap + (i / cols) * (kCell + kLabel + kGap), kCell, kCell);
      p.drawImage(cell, greyImage(m, maps_->width, maps_->height));
      p.setPen(palette().text().color());
      p.drawText(QRect(cell.left(), cell.bottom() + 1, kCell, kLabel), Qt::AlignCenter,
                 tr("#%1").arg(m.channel));
    }
    return;
  }
  // Bars: zero at the middle when values are negative too, at the bottom otherwise.
  const auto& v = maps_->values;
  if (v.empty()) return;
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const double low = std::min(0.0, static_cast<double>(*lo));
  const double high = std::max(0.0, static_cast<double>(*hi));
  const double span = high > low ? high - low : 1.0;
  const QRectF area = QRectF(rect()).adjusted(kGap, kGap, -kGap, -kLabel);
  const double barWidth = area.width() / static_cast<double>(v.size());
  const double zeroY = area.bottom() - (0.0 - low) / span * area.height();
  p.setPen(Qt::NoPen);
  p.setBrush(palette().highlight());
  for (size_t i = 0; i < v.size(); ++i) {
    const double y = area.bottom() - (v[i] - low) / span * area.height();
    p.drawRect(QRectF(area.left() + i * barWidth, std::min(y, zeroY), std::max(barWidth - 1, 1.0),
                      std::abs(zeroY - y)));
  }
  p.setPen(palette().text().color());
  p.drawText(QRectF(area.left(), area.bottom(), area.width(), kLabel), Qt::AlignCenter,
             tr("%n value(s), %1 to %2", nullptr, static_cast<int>(v.size()))
                 .arg(*lo, 0, 'g', 3)
                 .arg(*hi, 0, 'g', 3));
}

}  // namespace graft::ui
