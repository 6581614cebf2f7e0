#pragma once
// Prediction preview: images dropped on the window (or chosen here) run through the current
// model off the GUI thread, through the same core Predictor as `graft-cli predict`, and show
// their top-K classes with a thumbnail. After an edit or a training run a few images run again
// by themselves, as the feature maps and Grad-CAM below them follow the model (a list kept
// from the model before beside a map of the new one disagreed); many say they are stale and
// "Run again" updates them. Below the list, the selected image's feature maps and Grad-CAM for a
// chosen layer (ui/layer_insight_view.h).
#include <QStringList>
#include <QWidget>
#include <vector>

class QLabel;
class QPushButton;
class QComboBox;
class QSpinBox;
class QTimer;
class QTreeWidget;

namespace graft::ui {

class Document;
class LayerInsightView;
struct PreviewRow;

class PredictionPanel : public QWidget {
  Q_OBJECT
 public:
  explicit PredictionPanel(Document* document, QWidget* parent = nullptr);
  // Up to this many images on screen run again by themselves when the model changes.
  static constexpr int kLiveImages = 16;

  // Runs the current model on `files` (replacing what is shown); results arrive later.
  void predict(const QStringList& files);
  bool isRunning() const { return running_ > 0; }
  QTreeWidget* results() const { return list_; }
  LayerInsightView* insight() const { return insight_; }
  QString status() const;
  // Asks for image files and predicts them.
  void chooseImages();

 Q_SIGNALS:
  // The rows for the last predict() are on screen (or the run failed as a whole).
  void finished();

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  // `afterEdit`: the model changed under images on screen; a failure is said, not a dialog.
  void predict(const QStringList& files, bool afterEdit);
  void showRows(const std::vector<PreviewRow>& rows, const QString& modelDescription);
  void updateButtons();

  Document* document_;
  QLabel* status_;
  QSpinBox* topK_;
  QComboBox* device_;  // auto, cpu, cuda:N found here
  QPushButton* rerun_;
  QTreeWidget* list_;
  LayerInsightView* insight_;
  QStringList files_;  // the images on screen, for "Run again"
  QTimer* refresh_;    // the re-run after an edit, once a burst of edits (undo held) settles
  int running_ = 0;
  int generation_ = 0;  // only the newest run's results are shown
};

}  // namespace graft::ui
