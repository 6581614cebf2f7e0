#include "ui/training_chart.h"

#include <QChart>
#include <QFontMetrics>
#include <QLineSeries>
#include <QScatterSeries>
#include <QTimer>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "ui/axis_ticks.h"

namespace graft::ui {

QColor TrainingChart::trainingColour() {
  return QColor(0x3b, 0x7d, 0xd8);
}

QColor TrainingChart::validationColour() {
  return QColor(0xe0, 0x8a, 0x1e);
}

QString TrainingChart::legendText() {
  return tr("<span style=\"color:%1\">&#x2501;</span> training (each batch) &nbsp; "
            "<span style=\"color:%2\">&#x25cf;</span> validation (each epoch) &nbsp; "
            "x: epochs")
      .arg(trainingColour().name(), validationColour().name());
}

TrainingChart::TrainingChart(const QString& title, bool isFraction, QWidget* parent)
    : QChartView(parent), isFraction_(isFraction) {
  auto* chart = new QChart;
  chart->setTitle(title);
  // No legend and no axis title in the chart: at the height a 1280x800 window's training dock
  // gives it beside the doctor's findings, they left the plot 60 px and every epoch label "…".
  // The panel says once, above both charts, what the lines are and that x counts epochs.
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 2, 4, 2));
  chart->setBackgroundRoundness(0);
  // Follow the application's palette (light or dark) rather than a fixed chart theme.
  chart->setBackgroundBrush(palette().color(QPalette::Base));
  chart->setTitleBrush(palette().color(QPalette::Text));
  chart->legend()->setLabelColor(palette().color(QPalette::Text));
  train_ = new QLineSeries(chart);
  // Short names: two charts side by side with "training (per batch)" legends needed 800 px and
  // ran off a 1368 px window at 125 % text. The tooltip says how often each is measured.
  train_->setName(tr("training"));
  QPen trainPen(trainingColour());
  trainPen.setWidthF(1.2);
  train_->setPen(trainPen);
  validation_ = new QLineSeries(chart);
  validation_->setName(tr("validation"));
  QPen valPen(validationColour());
  valPen.setWidthF(2.2);
  validation_->setPen(valPen);
  validationPoints_ = new QScatterSeries(chart);
  validationPoints_->setMarkerSize(8);
  validationPoints_->setColor(validationColour());
  validationPoints_->setBorderColor(validationColour());
  chart->addSeries(train_);
  chart->addSeries(validation_);
  chart->addSeries(validationPoints_);
  x_ = new QValueAxis(chart);
  x_->setLabelFormat(QStringLiteral("%.0f"));
  y_ = new QValueAxis(chart);
  y_->setLabelFormat(QStringLiteral("%.2f"));
  for (QValueAxis* axis : {x_, y_}) {
    // Dynamic ticks (at round steps from 0, set by rescale), from a step that fits the range.
    axis->setRange(0, 1);
    axis->setTickInterval(0.25);
    axis->setTickAnchor(0);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setLabelsColor(palette().color(QPalette::Text));
    axis->setTitleBrush(palette().color(QPalette::Text));
    axis->setGridLineColor(palette().color(QPalette::Midlight));
  }
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  for (QAbstractSeries* s :
       std::initializer_list<QAbstractSeries*>{train_, validation_, validationPoints_}) {
    s->attachAxis(x_);
    s->attachAxis(y_);
  }
  setChart(chart);
  setToolTip(
      tr("x: epochs\ntraining: each batch, as it is trained\nvalidation: the held-out images, "
         "after each epoch (dots)"));
  setRenderHint(QPainter::Antialiasing);
  setMinimumSize(200, 150);
  flushTimer_ = new QTimer(this);
  flushTimer_->setInterval(100);
  connect(flushTimer_, &QTimer::timeout, this, &TrainingChart::flush);
  clear();
}

void TrainingChart::setEpochs(int epochs) {
  epochs_ = std::max(epochs, 1);
  rescale();
}

void TrainingChart::addTrainingPoint(double x, double y) {
  if (!std::isfinite(y)) return;
  pendingTrain_.append(QPointF(x, y));
  if (!flushTimer_->isActive()) flushTimer_->start();
}

void TrainingChart::addValidationPoint(double x, double y) {
  if (!std::isfinite(y)) return;
  flush();
  validation_->append(x, y);
  validationPoints_->append(x, y);
  if (std::isfinite(y)) maxY_ = std::max(maxY_, y);  // a diverged loss is no axis range
  rescale();
}

void TrainingChart::flush() {
  if (pendingTrain_.isEmpty()) {
    flushTimer_->stop();
    return;
  }
  for (const QPointF& p : pendingTrain_)
    if (std::isfinite(p.y())) maxY_ = std::max(maxY_, p.y());
  train_->append(QList<QPointF>(pendingTrain_.begin(), pendingTrain_.end()));
  pendingTrain_.clear();
  rescale();
}

void TrainingChart::clear() {
  pendingTrain_.clear();
  train_->clear();
  validation_->clear();
  validationPoints_->clear();
  maxY_ = 0;
  rescale();
}

void TrainingChart::rescale() {
  // Ticks at round steps from 0 (axis_ticks.h): Qt's fixed count gave 1.5-epoch steps and loss
  // labels that repeated below 0.02.
  const auto place = [](QValueAxis* axis, double top, int intervals, bool whole) {
    const AxisTicks ticks = axisTicks(top, intervals, whole);
    // Qt lays the ticks out at each change: a wide range under the small step before it (or
    // the reverse) made hundreds of thousands of tick labels, gigabytes, for a moment. The
    // larger step goes first.
    if (ticks.interval >= axis->tickInterval()) {
      axis->setTickInterval(ticks.interval);
      axis->setRange(0, top);
    } else {
      axis->setRange(0, top);
      axis->setTickInterval(ticks.interval);
    }
    axis->setLabelFormat(QStringLiteral("%.") + QString::number(ticks.decimals) +
                         QStringLiteral("f"));
  };
  // As many epoch ticks as their labels have room for side by side ("0 1 2 ... 10" on a
  // 240 px chart at a 1280x800 screen's font read "…" for every label): up to 10.
  const QFontMetrics metrics(x_->labelsFont());
  const int labelRoom = 2 * metrics.horizontalAdvance(QString::number(epochs_)) + 12;
  const double plotWidth =
      chart()->plotArea().width() > 0 ? chart()->plotArea().width() : width() - 60.0;
  place(x_, epochs_, std::clamp(static_cast<int>(plotWidth / labelRoom), 1, 10), true);
  place(y_, isFraction_ ? 1.0 : (maxY_ > 0 ? maxY_ * 1.1 : 1.0), 4, false);
}

void TrainingChart::resizeEvent(QResizeEvent* event) {
  QChartView::resizeEvent(event);
  rescale();  // the number of epoch ticks follows the width
}

QString TrainingChart::valueLabelFormat() const {
  return y_->labelFormat();
}

double TrainingChart::valueTickInterval() const {
  return y_->tickInterval();
}

int TrainingChart::trainingCount() const {
  return static_cast<int>(train_->count() + pendingTrain_.size());
}
int TrainingChart::validationCount() const {
  return static_cast<int>(validation_->count());
}

}  // namespace graft::ui
