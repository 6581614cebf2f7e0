#include "ui/event_loop_monitor.h"

#include <QTimer>
#include <algorithm>

namespace graft::ui {
namespace {
constexpr int kIntervalMs = 20;
}

EventLoopMonitor::EventLoopMonitor(QObject* parent) : QObject(parent), timer_(new QTimer(this)) {
  timer_->setTimerType(Qt::PreciseTimer);
  timer_->setInterval(kIntervalMs);
  connect(timer_, &QTimer::timeout, this, [this] {
    const qint64 now = clock_.nsecsElapsed();
    const double late = std::max(0.0, (now - last_) / 1e6 - kIntervalMs);
    last_ = now;
    maxLatency_ = std::max(maxLatency_, late);
    total_ += late;
    ++ticks_;
  });
}

void EventLoopMonitor::start() {
  reset();
  clock_.start();
  last_ = clock_.nsecsElapsed();
  timer_->start();
}

void EventLoopMonitor::stop() {
  timer_->stop();
}

void EventLoopMonitor::reset() {
  maxLatency_ = 0;
  total_ = 0;
  ticks_ = 0;
  if (clock_.isValid()) last_ = clock_.nsecsElapsed();
}

}  // namespace graft::ui
