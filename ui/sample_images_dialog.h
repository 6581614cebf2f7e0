#pragma once
// Asked when two layers cannot be fused exactly: says why and what the least-squares fusion
// does, and takes the folder of sample images it fits to, how many of them, and the device it
// computes on (the same choices as the prediction panel's and the cut explorer's).
#include <QDialog>
#include <QString>

class QComboBox;
class QSpinBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace graft::ui {

// What the user chose; an empty folder means cancelled.
struct SampleImages {
  QString folder;
  QString device = QStringLiteral("auto");  // what --device takes (run/compute_choice.h)
  int count = 16;  // how many of the folder's images the fit reads (edit --sample-count)
};

class SampleImagesDialog : public QDialog {
  Q_OBJECT
 public:
  // `why`: the exact fusion's refusal, shown under "Details". `images`: how many images of
  // the folder the fit reads unless the user asks for another number (a large pair of
  // convolutions has more unknowns than 16 images pin down well).
  SampleImagesDialog(const QString& why, int images, QWidget* parent = nullptr);

  // The folder and device as filled in (the folder is checked to exist before OK is enabled).
  SampleImages choice() const;
  QLineEdit* folderEdit() const { return folder_; }
  QComboBox* deviceCombo() const { return device_; }
  QSpinBox* countBox() const { return count_; }

  // Shows the dialog; an empty folder when the user cancelled. The folder starts at the last
  // one chosen (or the training images) and is remembered.
  static SampleImages ask(QWidget* parent, const QString& why, int images);

 private:
  void browse();
  void check();

  QLineEdit* folder_ = nullptr;
  QComboBox* device_ = nullptr;
  QSpinBox* count_ = nullptr;
  QLabel* problem_ = nullptr;
  QDialogButtonBox* buttons_ = nullptr;
};

}  // namespace graft::ui
