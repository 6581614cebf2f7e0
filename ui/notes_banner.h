#pragma once
// A strip above the graph telling where the weights came from and what the loader noticed
// (random weights because no file was found, layers left freshly initialised ...). It stays
// until dismissed, because these facts decide whether a fine-tuning run makes sense.
#include <QWidget>

class QLabel;

namespace graft::ui {

class NotesBanner : public QWidget {
  Q_OBJECT
 public:
  explicit NotesBanner(QWidget* parent = nullptr);
  // Warns (amber) when the weights are random, informs otherwise.
  void showNotes(const QString& weightsSource, const QStringList& notes);
  QString text() const;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QLabel* label_;
  bool warning_ = false;
};

}  // namespace graft::ui
