#pragma once
// What Graft shows before a model is open (and under View > Start page): open a Keras .h5 or a
// .graft project, start from a Keras Applications architecture (browsed by family, with size and
// accuracy: ui/zoo_browser.h) with its options and the weight file it would use, or reopen a recent
// file. Files can also be dropped anywhere on the window.
#include <QWidget>

#include "io/model_source.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace graft::ui {

class WeightsDownloadPanel;
class ZooBrowser;

class StartPage : public QWidget {
  Q_OBJECT
 public:
  explicit StartPage(const QString& kerasCacheDir, QWidget* parent = nullptr);

  void setRecentFiles(const QStringList& paths);
  // The zoo choice as the loader takes it.
  ModelSpec zooSpec() const;
  ZooBrowser* zooBrowser() const { return zoo_; }
  QListWidget* recentList() const { return recent_; }
  QLabel* weightsLabel() const { return weights_; }
  QPushButton* openArchitectureButton() const { return openZoo_; }
  // "Open Keras model or Graft project…": where the keyboard starts on this page.
  QPushButton* openFileButton() const { return openFile_; }
  WeightsDownloadPanel* downloadPanel() const { return download_; }
  void setStatus(const QString& text);
  // Looks again for the weight file in the Keras cache (after a download elsewhere).
  void refreshWeights() { updateZooForm(); }

 Q_SIGNALS:
  void openFileRequested();                     // the file dialog
  void openPathRequested(const QString& path);  // a recent file
  void openSpecRequested(const graft::ModelSpec& spec, const QString& description);
  void sampleDataRequested();

 private:
  void updateZooForm();
  void architectureChanged(const QString& architecture);
  QWidget* buildOpenColumn();
  QWidget* buildZooColumn();
  QString kerasCacheDir_;
  ZooBrowser* zoo_ = nullptr;
  QDoubleSpinBox* alpha_ = nullptr;
  QLabel* alphaLabel_ = nullptr;
  // MobileNetV3's own options, shown only for it.
  QWidget* mobileNetV3Options_ = nullptr;
  QCheckBox* minimalistic_ = nullptr;
  QCheckBox* includePreprocessing_ = nullptr;
  QDoubleSpinBox* dropoutRate_ = nullptr;
  QSpinBox* inputSize_ = nullptr;
  QCheckBox* includeTop_ = nullptr;
  QSpinBox* classes_ = nullptr;
  QComboBox* pooling_ = nullptr;
  QLabel* weights_ = nullptr;
  WeightsDownloadPanel* download_ = nullptr;
  QPushButton* openZoo_ = nullptr;
  QPushButton* openFile_ = nullptr;
  QListWidget* recent_ = nullptr;
  QLabel* status_ = nullptr;
};

// "mobilenet α 0.25, 224×224, no top" for titles and notes.
QString describeZooSpec(const ModelSpec& spec);

}  // namespace graft::ui
