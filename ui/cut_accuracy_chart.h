#pragma once
// The cut-point explorer's answer as a chart: validation accuracy (y, 0..1) of each candidate
// layer in order of depth (x, labelled with the layer names), the points coloured as their
// cards on the graph. Clicking a point asks for a cut there.
#include <QChartView>
#include <QStringList>
#include <QVector>

class QCategoryAxis;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace graft::ui {

// Axis labels for layer names: what differs between them, with the prefix and suffix they all
// share (cut at a '_'): conv_pw_1_relu, conv_pw_13_relu -> "1", "13" + "conv_pw_", "_relu". The
// names as they are when nothing is shared or the short ones would clash.
struct ShortLayerNames {
  QStringList labels;
  QString prefix, suffix;
};
ShortLayerNames shortLayerNames(const QStringList& layers);

class CutAccuracyChart : public QChartView {
  Q_OBJECT
 public:
  explicit CutAccuracyChart(QWidget* parent = nullptr);
  // One point per layer, in the order given (depth); empty lists clear the chart.
  void setCandidates(const QStringList& layers, const QVector<double>& accuracies);
  int pointCount() const;
  // The candidate nearest to a chart x value, or -1 without candidates.
  int candidateAt(double x) const;
  // The x axis labels' angle: across (0) for short labels, upright (-90) for names, which at a
  // slant were all cut to "bloc…" on MobileNetV2's block_N_add / block_N_expand_relu.
  int labelsAngle() const;
  // What hovering point `index` shows: the layer's full name and its accuracy.
  QString pointToolTip(int index) const;

 Q_SIGNALS:
  void candidateClicked(int index);

 private:
  void updateLabelsAngle();
  QLineSeries* line_;
  QScatterSeries* points_;
  QCategoryAxis* x_;
  QValueAxis* y_;
  QStringList layers_;
};

}  // namespace graft::ui
