#pragma once
// "Download the ImageNet weights" for a zoo model that has none in the Keras cache: a button, then
// a progress bar with speed and time left and a Cancel button while core's fetchWeights() runs on
// a worker thread. A cancelled or failed download resumes from its .part file on the next click.
#include <QWidget>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "io/fetch/fetch_weights.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace graft::ui {

// The base address for downloads: GRAFT_WEIGHTS_BASE_URL, else the "weights/baseUrl" setting,
// else Keras's own hosts.
std::string configuredWeightsBaseUrl();

class WeightsDownloadPanel : public QWidget {
  Q_OBJECT
 public:
  explicit WeightsDownloadPanel(QWidget* parent = nullptr);
  ~WeightsDownloadPanel() override;

  // What the button downloads; hides the panel when there is nothing Keras publishes.
  void setRequest(const std::optional<fetch::FetchRequest>& request);
  bool isDownloading() const { return running_; }

  QPushButton* downloadButton() const { return download_; }
  QPushButton* cancelButton() const { return cancel_; }
  QProgressBar* progressBar() const { return bar_; }
  QLabel* statusLabel() const { return status_; }

 Q_SIGNALS:
  void installed(const QString& path);
  void finished();  // after success, failure or cancel

 private:
  // Shared with the worker thread, which outlives nothing: it only writes here.
  struct Shared {
    std::atomic<bool> cancel{false};
    std::mutex mutex;
    fetch::DownloadProgress latest;
    bool fresh = false;
  };
  void start();
  void showProgress();
  void done(const QString& error, const QString& path);

  std::optional<fetch::FetchRequest> request_;
  std::shared_ptr<Shared> shared_;
  bool running_ = false;
  QPushButton* download_;
  QPushButton* cancel_;
  QProgressBar* bar_;
  QLabel* status_;
  QTimer* poll_;
};

}  // namespace graft::ui
