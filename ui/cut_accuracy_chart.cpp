#include "ui/cut_accuracy_chart.h"

#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>
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
  x_->setLabelsAngle(-35);
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
  // Half a step of room on both sides, so the first and last points are not on the frame.
  x_->setRange(-0.5, std::max<double>(0.5, layers.size() - 0.5));
  x_->setStartValue(-0.5);
}

int CutAccuracyChart::pointCount() const {
  return static_cast<int>(points_->count());
}

int CutAccuracyChart::candidateAt(double x) const {
  if (points_->count() == 0) return -1;
  const long index = std::lround(x);
  return static_cast<int>(std::clamp<long>(index, 0, points_->count() - 1));
}

}  // namespace graft::ui
