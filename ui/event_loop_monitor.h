#pragma once
// Measures how responsive the GUI thread is: a timer asks to run every 20 ms and records how
// late it actually ran. During training the panel shows the worst delay, which is the evidence
// that the window never freezes.
#include <QElapsedTimer>
#include <QObject>

class QTimer;

namespace graft::ui {

class EventLoopMonitor : public QObject {
  Q_OBJECT
 public:
  explicit EventLoopMonitor(QObject* parent = nullptr);
  void start();
  void stop();
  void reset();
  double maxLatencyMs() const { return maxLatency_; }
  double meanLatencyMs() const { return ticks_ ? total_ / ticks_ : 0.0; }
  int ticks() const { return ticks_; }

 private:
  QTimer* timer_;
  QElapsedTimer clock_;
  qint64 last_ = 0;
  double maxLatency_ = 0;
  double total_ = 0;
  int ticks_ = 0;
};

}  // namespace graft::ui
