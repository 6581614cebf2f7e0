#include "ui/doc/background_task.h"

#include <QThread>
#include <exception>
#include <memory>
#include <mutex>
#include <set>

#include "runtime/system/error_text.h"

namespace graft::ui {
namespace {

// The workers still running, waited for when the process ends: a worker (a layer map computing
// for a window already closed) that outlived main() ran while the static destructors tore down
// what it used (LibTorch, OpenMP) and the process crashed on its way out. Constructed on first
// use, after LibTorch's statics, so destroyed (and waiting) before them.
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
  ~RunningWorkers() {
    std::set<QThread*> left;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      left = threads_;
    }
    // No event loop runs any more: a finished thread's deleteLater never comes, so each pointer
    // is still a thread to wait for.
    for (QThread* thread : left) thread->wait();
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

}  // namespace graft::ui
