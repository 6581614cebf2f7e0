#include "ui/doc/background_task.h"

#include <QThread>
#include <exception>
#include <memory>

#include "runtime/system/error_text.h"

namespace graft::ui {

void runInBackground(QObject* context, std::function<void()> work,
                     std::function<void(const QString& error)> done) {
  auto error = std::make_shared<QString>();
  QThread* thread = QThread::create([error, work = std::move(work)] {
    try {
      work();
    } catch (const std::exception& e) {
      *error = QString::fromStdString(errorText(e));
      if (error->isEmpty()) *error = QStringLiteral("unknown error");
    }
  });
  // finished() is emitted by the worker and delivered to `context`'s thread; the connection
  // dies with `context`, so nothing runs for a window that was closed meanwhile.
  QObject::connect(thread, &QThread::finished, context,
                   [error, done = std::move(done)] { done(*error); });
  QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  thread->start();
}

}  // namespace graft::ui
