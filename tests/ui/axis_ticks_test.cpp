// The training charts' ticks: round steps whose labels are all different (a loss below 0.02 read
// "0.00 0.00 0.01 0.01", and 15 epochs were ticked every 1.5 epochs printed as whole numbers).
#include <gtest/gtest.h>

#include <QApplication>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QSet>
#include <QString>

#include "ui/axis_ticks.h"
#include "ui/training_chart.h"
#include "ui_test_support.h"

namespace graft {
namespace {

// The labels an axis from 0 to `top` shows with these ticks.
QSet<QString> labels(double top, const ui::AxisTicks& ticks) {
  QSet<QString> shown;
  for (double v = 0; v <= top * (1 + 1e-9); v += ticks.interval)
    shown.insert(QString::number(v, 'f', ticks.decimals));
  return shown;
}

TEST(AxisTicks, EveryTickOfALossAxisReadsDifferently) {
  for (const double top : {0.0033, 0.011, 0.02, 0.3, 0.77, 1.0, 1.1, 2.6, 7.3, 48.0, 1234.0}) {
    const ui::AxisTicks ticks = ui::axisTicks(top, 4, false);
    const int count = static_cast<int>(top / ticks.interval + 1e-9) + 1;
    EXPECT_GE(count, 2) << top;
    EXPECT_LE(count, 5) << top;
    EXPECT_EQ(labels(top, ticks).size(), count) << top << ": step " << ticks.interval;
  }
  EXPECT_DOUBLE_EQ(ui::axisTicks(1.0, 4, false).interval, 0.25);
  EXPECT_EQ(ui::axisTicks(1.0, 4, false).decimals, 2);
  EXPECT_DOUBLE_EQ(ui::axisTicks(0.011, 4, false).interval, 0.005);
  EXPECT_EQ(ui::axisTicks(0.011, 4, false).decimals, 3);
}

TEST(AxisTicks, EpochTicksAreWholeSteps) {
  EXPECT_DOUBLE_EQ(ui::axisTicks(3, 10, true).interval, 1);
  EXPECT_DOUBLE_EQ(ui::axisTicks(15, 10, true).interval, 2);
  EXPECT_DOUBLE_EQ(ui::axisTicks(25, 10, true).interval, 5);  // not 2.5
  EXPECT_DOUBLE_EQ(ui::axisTicks(60, 10, true).interval, 10);
  EXPECT_DOUBLE_EQ(ui::axisTicks(250, 10, true).interval, 25);
  EXPECT_EQ(ui::axisTicks(15, 10, true).decimals, 0);
  // Nothing measured yet: still a usable axis.
  EXPECT_GT(ui::axisTicks(0, 4, false).interval, 0);
}

TEST(AxisTicks, TheLossChartLabelsASmallLossWithEnoughDecimals) {
  test::guiApp();
  ui::TrainingChart chart(QStringLiteral("loss"), false);
  chart.setEpochs(15);
  chart.addTrainingPoint(0.5, 0.009);
  chart.addTrainingPoint(1.0, 0.004);
  chart.flush();
  EXPECT_EQ(chart.valueLabelFormat(), QStringLiteral("%.4f"));  // 0.0025, 0.0050
  EXPECT_DOUBLE_EQ(chart.valueTickInterval(), 0.0025);
}

// What the chart shows as text: its title, tick labels, axis titles.
QStringList shownTexts(ui::TrainingChart& chart) {
  QStringList texts;
  for (QGraphicsItem* item : chart.scene()->items())
    if (auto* text = dynamic_cast<QGraphicsTextItem*>(item); text && text->isVisible())
      texts << text->toPlainText();
    else if (auto* simple = dynamic_cast<QGraphicsSimpleTextItem*>(item);
             simple && simple->isVisible())
      texts << simple->text();
  return texts;
}

// At the height a training dock of 1280x800 gives the charts beside the doctor's findings (about
// 190 px), every epoch label and the axis title read "…" under the chart's title and legend.
TEST(AxisTicks, TheChartsKeepTheirLabelsWhenLow) {
  test::guiApp();
  const QFont before = QApplication::font();
  struct Case {
    QSize size;
    double font;  // the VNC tester's screen font was a third larger than offscreen's
    int epochs;
  };
  for (const Case& c : {Case{QSize(260, 180), 1.0, 60}, Case{QSize(240, 150), 1.0, 60},
                        Case{QSize(400, 200), 1.33, 60}, Case{QSize(240, 190), 1.33, 10},
                        Case{QSize(200, 190), 1.33, 100}}) {
    const QSize size = c.size;
    QFont larger = before;
    larger.setPointSizeF(before.pointSizeF() * c.font);
    QApplication::setFont(larger);
    ui::TrainingChart chart(QStringLiteral("Loss"), false);
    chart.setEpochs(c.epochs);
    for (int i = 0; i < 50; ++i) chart.addTrainingPoint(i / 10.0, 1.0 / (1 + i));
    chart.addValidationPoint(1, 0.4);
    chart.flush();
    chart.resize(size);
    chart.show();
    QApplication::processEvents();
    const QStringList texts = shownTexts(chart);
    EXPECT_TRUE(texts.contains(QString::number(c.epochs))) << texts.join(" | ").toStdString();
    for (const QString& text : texts)
      EXPECT_FALSE(text.contains(QChar(0x2026)) || text.contains(QStringLiteral("...")))
          << "at " << size.width() << "x" << size.height() << ": "
          << texts.join(" | ").toStdString();
    test::screenshot(&chart, QStringLiteral("chart_%1x%2").arg(size.width()).arg(size.height()));
  }
  QApplication::setFont(before);
}

}  // namespace
}  // namespace graft
