#pragma once
// A strip above the graph telling where the weights came from and what the loader noticed
// (random weights because no file was found, layers left freshly initialised ...). It stays
// until dismissed, because these facts decide whether a fine-tuning run makes sense.
#include <QWidget>
#include <optional>

#include "io/fetch/fetch_weights.h"

class QLabel;

namespace graft::ui {

class WeightsDownloadPanel;

class NotesBanner : public QWidget {
  Q_OBJECT
 public:
  explicit NotesBanner(QWidget* parent = nullptr);
  // Warns (amber) when the weights are random, informs otherwise.
  void showNotes(const QString& weightsSource, const QStringList& notes);
  // The same notes as they hold after an edit: the banner stays dismissed if it was, and keeps
  // its download offer.
  void refreshNotes(const QString& weightsSource, const QStringList& notes);
  QString text() const;
  // Random weights for a zoo model whose Keras file is missing: offer to download it (nullopt
  // removes the offer; showNotes does too).
  void offerDownload(const std::optional<fetch::FetchRequest>& request);
  WeightsDownloadPanel* downloadPanel() const { return download_; }
  // `text` with each absolute path of an existing file replaced by the file's name.
  static QString withFileNames(const QString& text);

 Q_SIGNALS:
  void weightsInstalled(const QString& path);

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  // The label's lines; false when there is nothing to say.
  bool setLines(const QString& weightsSource, const QStringList& notes);
  QLabel* label_;
  WeightsDownloadPanel* download_;
  bool warning_ = false;
};

}  // namespace graft::ui
