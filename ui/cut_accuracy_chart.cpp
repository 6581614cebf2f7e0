#include "ui/cut_accuracy_chart.h"

#include <QCategoryAxis>
#include <QChart>
#include <QCursor>
#include <QLineSeries>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "ui/node_item.h"

namespace graft::ui {

CutAccuracyChart::CutAccuracyChart(QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart();
  chart->setTitle(tr("Validation accuracy by cut point (deeper to the right)"));
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 4, 4));
  line_ = new QLineSeries(chart);
  points_ = new QScatterSeries(chart);
  points_->setMarkerSize(11);
  chart->addSeries(line_);
  chart->addSeries(points_);
  x_ = new QCategoryAxis(chart);
  x_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  y_ = new QValueAxis(chart);
  y_->setRange(0, 1);
  y_->setTickCount(6);  // 0, 0.2, ... 1
  y_->setLabelFormat(QStringLiteral("%.1f"));
  y_->setTitleText(tr("accuracy"));  // the title says validation; a long one was elided
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  for (QXYSeries* s : {static_cast<QXYSeries*>(line_), static_cast<QXYSeries*>(points_)}) {
    s->attachAxis(x_);
    s->attachAxis(y_);
  }
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(220);
  connect(points_, &QScatterSeries::clicked, this, [this](const QPointF& at) {
    const int index = candidateAt(at.x());
    if (index >= 0) Q_EMIT candidateClicked(index);
  });
  // The labels may be short or cut: the point says whose it is.
  connect(points_, &QScatterSeries::hovered, this, [this](const QPointF& at, bool entered) {
    if (entered)
      QToolTip::showText(QCursor::pos(), pointToolTip(candidateAt(at.x())), this);
    else
      QToolTip::hideText();
  });
}

ShortLayerNames shortLayerNames(const QStringList& layers) {
  ShortLayerNames names{layers, {}, {}};
  if (layers.size() < 2) return names;
  // The longest prefix and suffix every name shares, ending / starting at a '_'.
  QString prefix = layers.front(), suffix = layers.front();
  for (const QString& layer : layers) {
    int p = 0;
    while (p < prefix.size() && p < layer.size() && prefix[p] == layer[p]) ++p;
    prefix.truncate(p);
    int s = 0;
    while (s < suffix.size() && s < layer.size() &&
           suffix[suffix.size() - 1 - s] == layer[layer.size() - 1 - s])
      ++s;
    suffix = suffix.right(s);
  }
  prefix.truncate(prefix.lastIndexOf(QLatin1Char('_')) + 1);
  const int cut = suffix.indexOf(QLatin1Char('_'));
  suffix = cut < 0 ? QString() : suffix.mid(cut);
  QStringList shortened;
  for (const QString& layer : layers) {
    const QString middle = layer.mid(prefix.size(), layer.size() - prefix.size() - suffix.size());
    if (middle.isEmpty() || layer.size() < prefix.size() + suffix.size()) return names;
    shortened << middle;
  }
  if (shortened.removeDuplicates() > 0) return names;
  names.labels = shortened;
  names.prefix = prefix;
  names.suffix = suffix;
  return names;
}

void CutAccuracyChart::setCandidates(const QStringList& layers, const QVector<double>& accuracies) {
  line_->clear();
  points_->clear();
  for (const QString& label : x_->categoriesLabels()) x_->remove(label);
  layers_ = layers;
  // MobileNet's conv_pw_1_relu ... conv_pw_13_relu all read "co…" at the axis: the part that
  // differs is the label, the shared part the axis title (the table has the full names).
  const ShortLayerNames names = shortLayerNames(layers);
  x_->setTitleText(names.prefix.isEmpty() && names.suffix.isEmpty()
                       ? QString()
                       : tr("layer %1…%2").arg(names.prefix, names.suffix));
  for (int i = 0; i < layers.size() && i < accuracies.size(); ++i) {
    line_->append(i, accuracies[i]);
    points_->append(i, accuracies[i]);
    points_->setPointConfiguration(
        i, {{QXYSeries::PointConfiguration::Color, NodeItem::accuracyColor(accuracies[i])}});
    x_->append(names.labels[i], i);
  }
  updateLabelsAngle();
  // Half a step of room on both sides, so the first and last points are not on the frame.
  x_->setRange(-0.5, std::max<double>(0.5, layers.size() - 0.5));
  x_->setStartValue(-0.5);
}

int CutAccuracyChart::pointCount() const {
  return static_cast<int>(points_->count());
}

void CutAccuracyChart::updateLabelsAngle() {
  // Across for short labels (MobileNet's "1", "13"); upright for names, which at a slant were
  // all cut to "bloc…" on MobileNetV2's block_N_add / block_N_expand_relu. Set once per set of
  // candidates: changing it as the chart resized fed back into the explorer's layout.
  int longest = 0;
  for (const QString& label : x_->categoriesLabels())
    longest = std::max(longest, int(label.size()));
  x_->setLabelsAngle(longest <= 4 ? 0 : -90);
}

int CutAccuracyChart::labelsAngle() const {
  return x_->labelsAngle();
}

QString CutAccuracyChart::pointToolTip(int index) const {
  if (index < 0 || index >= layers_.size() || index >= points_->count()) return {};
  return tr("%1: validation accuracy %2")
      .arg(layers_[index])
      .arg(points_->at(index).y(), 0, 'f', 3);
}

int CutAccuracyChart::candidateAt(double x) const {
  if (points_->count() == 0) return -1;
  const long index = std::lround(x);
  return static_cast<int>(std::clamp<long>(index, 0, points_->count() - 1));
}

}  // namespace graft::ui
