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
  y_->setTitleText(tr("val accuracy"));
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

void CutAccuracyChart::setCandidates(const QStringList& layers, const QVector<double>& accuracies) {
  line_->clear();
  points_->clear();
  for (const QString& label : x_->categoriesLabels()) x_->remove(label);
  for (int i = 0; i < layers.size() && i < accuracies.size(); ++i) {
    line_->append(i, accuracies[i]);
    points_->append(i, accuracies[i]);
    points_->setPointConfiguration(
        i, {{QXYSeries::PointConfiguration::Color, NodeItem::accuracyColor(accuracies[i])}});
    x_->append(layers[i], i);
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
