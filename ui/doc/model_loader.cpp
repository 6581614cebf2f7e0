#include "ui/doc/model_loader.h"

#include <QCoreApplication>
#include <QEventLoop>

namespace graft::ui {

ModelLoader::ModelLoader(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::shared_ptr<graft::LoadedModel>>();
}

ModelLoader::~ModelLoader() {
  if (thread_) thread_->wait();
}

bool ModelLoader::start(const ModelSpec& spec, const QString& description) {
  if (thread_) return false;
  thread_ = QThread::create([this, spec, description] {
    // The worker only computes; the results are handed to the GUI thread as queued calls.
    try {
      auto result = std::make_shared<LoadedModel>(loadModel(spec));
      QMetaObject::invokeMethod(
          this, [this, result, description] { Q_EMIT loaded(result, description); },
          Qt::QueuedConnection);
    } catch (const std::exception& e) {
      const QString message = QString::fromStdString(e.what());
      QMetaObject::invokeMethod(
          this, [this, message, description] { Q_EMIT failed(message, description); },
          Qt::QueuedConnection);
    }
  });
  connect(thread_, &QThread::finished, this, [this] {
    thread_->deleteLater();
    thread_ = nullptr;
    Q_EMIT busyChanged(false);
  });
  Q_EMIT busyChanged(true);
  thread_->start();
  return true;
}

void ModelLoader::wait() {
  while (thread_) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

}  // namespace graft::ui
