#pragma once
// The validation confusion matrix of the latest epoch as a heat map: rows are the true class,
// columns the predicted one, the diagonal is what the model gets right.
#include <QStringList>
#include <QTableWidget>
#include <QVector>

namespace graft::ui {

class ConfusionMatrixView : public QTableWidget {
  Q_OBJECT
 public:
  explicit ConfusionMatrixView(QWidget* parent = nullptr);
  void setClasses(const QStringList& classes);
  void setMatrix(const QVector<QVector<qint64>>& matrix);
  qint64 valueAt(int row, int column) const;

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  // Whether "→ name" fits each column's width; else the columns are numbered.
  bool namesFitColumns() const;
  void labelHeaders();
  QStringList classes_;
};

}  // namespace graft::ui
