#include "ui/doc/background_task.h"

#include <QThread>
#include <exception>
#include <memory>
#include <mutex>
#include <set>

#include "runtime/system/error_text.h"

namespace graft::ui {
namespace {

// The workers still running (waitForBackgroundWork). Each leaves the set as it ends, on its own
// thread (finished, a direct connection), before its deleteLater could run: a pointer taken
// from the set is a thread that has not been deleted.
class RunningWorkers {
 public:
  void add(QThread* thread) {
    const std::lock_guard<std::mutex> lock(mutex_);
    threads_.insert(thread);
  }
  void remove(QThread* thread) {
    const std::lock_guard<std::mutex> lock(mutex_);
    threads_.erase(thread);
  }
  void waitForAll() {
    for (;;) {
      QThread* thread = nullptr;
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (threads_.empty()) return;
        thread = *threads_.begin();
      }
      thread->wait();
      remove(thread);  // already gone, unless it ended before its finished signal
    }
  }

 private:
  std::mutex mutex_;
  std::set<QThread*> threads_;
};

RunningWorkers& runningWorkers() {
  static RunningWorkers workers;
  return workers;
}

}  // namespace

void runInBackground(QObject* context, std::function<void()> work,
                     std::function<void(const QString& error)> done) {
  auto error = std::make_shared<QString>();
  RunningWorkers& workers = runningWorkers();
  QThread* thread = QThread::create([error, work = std::move(work)] {
    try {
      work();
    } catch (const std::exception& e) {
      *error = QString::fromStdString(errorText(e));
      if (error->isEmpty()) *error = QStringLiteral("unknown error");
    }
  });
  workers.add(thread);
  // Emitted on the worker as it ends, before the deleteLater below can run.
  QObject::connect(
      thread, &QThread::finished, thread, [&workers, thread] { workers.remove(thread); },
      Qt::DirectConnection);
  // finished() is emitted by the worker and delivered to `context`'s thread; the connection
  // dies with `context`, so nothing runs for a window that was closed meanwhile.
  QObject::connect(thread, &QThread::finished, context,
                   [error, done = std::move(done)] { done(*error); });
  QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  thread->start();
}

void waitForBackgroundWork() {
  runningWorkers().waitForAll();
}

}  // namespace graft::ui
