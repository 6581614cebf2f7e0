#include "ui/weights_download_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTimer>
#include <QVBoxLayout>
#include <cstdlib>

#include "ui/doc/background_task.h"

namespace graft::ui {

namespace {

QString bytesText(double bytes) {
  return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeSIFormat);
}

QString secondsText(double seconds) {
  const auto s = static_cast<qint64>(seconds + 0.5);
  if (s < 60) return QObject::tr("%1 s").arg(s);
  if (s < 3600) return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
  return QObject::tr("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
}

}  // namespace

std::string configuredWeightsBaseUrl() {
  return fetch::weightsBaseUrl(std::getenv("GRAFT_WEIGHTS_BASE_URL"),
                               QSettings().value("weights/baseUrl").toString().toStdString());
}

WeightsDownloadPanel::WeightsDownloadPanel(QWidget* parent)
    : QWidget(parent), shared_(std::make_shared<Shared>()) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* row = new QHBoxLayout;
  download_ = new QPushButton(tr("Download ImageNet weights from Keras"), this);
  download_->setObjectName(QStringLiteral("download_weights"));
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName(QStringLiteral("cancel_download"));
  cancel_->hide();
  row->addWidget(download_);
  row->addWidget(cancel_);
  row->addStretch(1);
  layout->addLayout(row);
  bar_ = new QProgressBar(this);
  bar_->hide();
  layout->addWidget(bar_);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);
  poll_ = new QTimer(this);
  poll_->setInterval(150);
  connect(poll_, &QTimer::timeout, this, &WeightsDownloadPanel::showProgress);
  connect(download_, &QPushButton::clicked, this, &WeightsDownloadPanel::start);
  connect(cancel_, &QPushButton::clicked, this, [this] { shared_->cancel = true; });
  hide();
}

WeightsDownloadPanel::~WeightsDownloadPanel() {
  // The worker sees this at its next progress call and stops; its result goes nowhere.
  shared_->cancel = true;
}

void WeightsDownloadPanel::setRequest(const std::optional<fetch::FetchRequest>& request) {
  if (running_) return;  // the form changed mid-download: finish the file being fetched
  request_ = request;
  status_->clear();
  setVisible(request.has_value());
  if (request)
    download_->setToolTip(QString::fromStdString(request->url) + tr("\ninto ") +
                          QString::fromStdString(request->cacheDir));
}

void WeightsDownloadPanel::start() {
  if (!request_ || running_) return;
  running_ = true;
  shared_ = std::make_shared<Shared>();
  download_->setEnabled(false);
  cancel_->show();
  bar_->setRange(0, 0);  // busy until the size is known
  bar_->show();
  status_->setText(tr("Connecting to %1…").arg(QString::fromStdString(request_->url)));
  poll_->start();
  auto shared = shared_;
  const fetch::FetchRequest request = *request_;
  auto path = std::make_shared<QString>();
  runInBackground(
      this,
      [shared, request, path] {
        const auto result = fetch::fetchWeights(
            request,
            [shared](const fetch::DownloadProgress& p) {
              std::lock_guard<std::mutex> lock(shared->mutex);
              shared->latest = p;
              shared->fresh = true;
            },
            &shared->cancel);
        *path = QString::fromStdString(result.path);
      },
      [this, path](const QString& error) { done(error, *path); });
}

void WeightsDownloadPanel::showProgress() {
  fetch::DownloadProgress p;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (!shared_->fresh) return;
    p = shared_->latest;
    shared_->fresh = false;
  }
  if (p.total > 0) {
    // Per mille keeps the bar's int range safe for files of any size.
    bar_->setRange(0, 1000);
    bar_->setValue(
        static_cast<int>(1000.0 * static_cast<double>(p.received) / static_cast<double>(p.total)));
  }
  QString text = p.total > 0 ? tr("%1 of %2")
                                   .arg(bytesText(static_cast<double>(p.received)),
                                        bytesText(static_cast<double>(p.total)))
                             : bytesText(static_cast<double>(p.received));
  text += tr(" — %1/s").arg(bytesText(p.bytesPerSecond));
  if (p.secondsLeft >= 0) text += tr(", %1 left").arg(secondsText(p.secondsLeft));
  if (p.resumedFrom > 0)
    text += tr(" (resumed at %1)").arg(bytesText(static_cast<double>(p.resumedFrom)));
  status_->setText(text);
}

void WeightsDownloadPanel::done(const QString& error, const QString& path) {
  running_ = false;
  poll_->stop();
  cancel_->hide();
  bar_->hide();
  download_->setEnabled(true);
  if (error.isEmpty()) {
    status_->setText(tr("Checked and installed: %1").arg(path));
    Q_EMIT installed(path);
  } else if (shared_->cancel) {
    status_->setText(
        tr("Download cancelled; the part received is kept and the next download "
           "resumes from it."));
  } else {
    status_->setText(
        tr("<span style='color:#b22222'>Download failed:</span> %1").arg(error.toHtmlEscaped()));
  }
  Q_EMIT finished();
}

}  // namespace graft::ui
