#pragma once
// Asked when two layers cannot be fused exactly: says why and what the least-squares fusion
// does, and takes the folder of sample images it fits to and the device it computes on (the
// same choices as the prediction panel's and the cut explorer's).
#include <QDialog>
#include <QString>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace graft::ui {

// What the user chose; an empty folder means cancelled.
struct SampleImages {
  QString folder;
  QString device = QStringLiteral("auto");  // what --device takes (run/compute_choice.h)
};

class SampleImagesDialog : public QDialog {
  Q_OBJECT
 public:
  // `why`: the exact fusion's refusal, shown under "Details". `images`: how many images of
  // the folder the fit reads.
  SampleImagesDialog(const QString& why, int images, QWidget* parent = nullptr);

  // The folder and device as filled in (the folder is checked to exist before OK is enabled).
  SampleImages choice() const;
  QLineEdit* folderEdit() const { return folder_; }
  QComboBox* deviceCombo() const { return device_; }

  // Shows the dialog; an empty folder when the user cancelled. The folder starts at the last
  // one chosen (or the training images) and is remembered.
  static SampleImages ask(QWidget* parent, const QString& why, int images);

 private:
  void browse();
  void check();

  QLineEdit* folder_ = nullptr;
  QComboBox* device_ = nullptr;
  QLabel* problem_ = nullptr;
  QDialogButtonBox* buttons_ = nullptr;
};

}  // namespace graft::ui
