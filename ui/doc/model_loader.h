#pragma once
// Loads a model off the GUI thread: reading VGG16's 500 MB of weights takes seconds, and the
// window must keep painting meanwhile. The result comes back as a queued signal.
#include <QObject>
#include <QString>
#include <QThread>
#include <memory>

#include "io/model_source.h"

namespace graft::ui {

class ModelLoader : public QObject {
  Q_OBJECT
 public:
  explicit ModelLoader(QObject* parent = nullptr);
  ~ModelLoader() override;

  // Starts loading; false while a previous load is still running.
  bool start(const ModelSpec& spec, const QString& description);
  bool isBusy() const { return thread_ != nullptr; }
  // Blocks until the current load has finished and its signal was delivered (tests, quit).
  void wait();

 Q_SIGNALS:
  void loaded(std::shared_ptr<graft::LoadedModel> model, const QString& description);
  void failed(const QString& message, const QString& description);
  void busyChanged(bool busy);

 private:
  QThread* thread_ = nullptr;
};

}  // namespace graft::ui
