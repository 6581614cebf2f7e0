#pragma once
// A live metric chart (loss or accuracy): training per batch as a thin line, validation per
// epoch as a line with points. Points arriving faster than the screen refreshes are buffered
// and drawn ten times a second, so a fast model does not turn the chart into the bottleneck.
#include <QChartView>
#include <QColor>
#include <QPointF>
#include <QVector>

class QLineSeries;
class QScatterSeries;
class QTimer;
class QValueAxis;

namespace graft::ui {

class TrainingChart : public QChartView {
  Q_OBJECT
 public:
  TrainingChart(const QString& title, bool isFraction, QWidget* parent = nullptr);
  // x is in epochs (batch 5 of 10 in epoch 2 is 1.5).
  void addTrainingPoint(double x, double y);
  void addValidationPoint(double x, double y);
  void clear();
  void setEpochs(int epochs);
  int trainingCount() const;
  int validationCount() const;
  void flush();
  // The value axis's ticks: their step and printf format ("%.3f"), for tests.
  QString valueLabelFormat() const;
  double valueTickInterval() const;

  // The charts show no legend of their own (room for the plot): what the lines are and what x
  // counts, in their colours, as rich text for one label beside them.
  static QString legendText();
  static QColor trainingColour();
  static QColor validationColour();

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void rescale();
  QLineSeries* train_;
  QLineSeries* validation_;
  QScatterSeries* validationPoints_;
  QValueAxis* x_;
  QValueAxis* y_;
  QTimer* flushTimer_;
  QVector<QPointF> pendingTrain_;
  bool isFraction_;
  int epochs_ = 1;
  double maxY_ = 0;
};

}  // namespace graft::ui
