#include "ui/confusion_matrix_view.h"

#include <QHeaderView>
#include <QStyle>
#include <algorithm>

namespace graft::ui {

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent) : QTableWidget(parent) {
  setEditTriggers(NoEditTriggers);
  setSelectionMode(NoSelection);
  horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  setToolTip(tr("Validation confusion matrix: rows are the true class, columns the prediction"));
  setAccessibleName(tr("Validation confusion matrix"));
  // Tab leaves the matrix, as it leaves the Summary: once it had cells Tab moved cell by cell
  // and never left the training panel.
  setTabKeyNavigation(false);
}

void ConfusionMatrixView::setClasses(const QStringList& classes) {
  classes_ = classes;
  clear();
  setRowCount(static_cast<int>(classes.size()));
  setColumnCount(static_cast<int>(classes.size()));
  for (int i = 0; i < classes.size(); ++i) {
    auto* predicted = new QTableWidgetItem;
    predicted->setToolTip(tr("predicted %1").arg(classes[i]));
    setHorizontalHeaderItem(i, predicted);
    auto* truth = new QTableWidgetItem;
    truth->setToolTip(tr("true class %1").arg(classes[i]));
    setVerticalHeaderItem(i, truth);
  }
  labelHeaders();
}

bool ConfusionMatrixView::namesFitColumns() const {
  if (classes_.isEmpty()) return true;
  const QFontMetrics metrics(horizontalHeader()->font());
  const int column = viewport()->width() / static_cast<int>(classes_.size());
  const int margins = 2 * style()->pixelMetric(QStyle::PM_HeaderMargin) + 4;
  for (const QString& name : classes_)
    if (metrics.horizontalAdvance(tr("→ %1").arg(name)) + margins > column) return false;
  return true;
}

void ConfusionMatrixView::labelHeaders() {
  // Columns too narrow for "→ name" are numbered, and each row's name carries its number:
  // the names were cut to "→ ci…" in the training dock's corner.
  const bool names = namesFitColumns();
  for (int i = 0; i < classes_.size() && i < columnCount(); ++i) {
    if (QTableWidgetItem* predicted = horizontalHeaderItem(i))
      predicted->setText(names ? tr("→ %1").arg(classes_[i]) : QString::number(i + 1));
    if (QTableWidgetItem* truth = verticalHeaderItem(i))
      truth->setText(names ? classes_[i] : tr("%1  %2").arg(i + 1).arg(classes_[i]));
  }
}

void ConfusionMatrixView::resizeEvent(QResizeEvent* event) {
  QTableWidget::resizeEvent(event);
  labelHeaders();
}

void ConfusionMatrixView::setMatrix(const QVector<QVector<qint64>>& matrix) {
  if (matrix.size() != rowCount()) setClasses(classes_.isEmpty() ? QStringList() : classes_);
  const QColor good(0x2e, 0x8b, 0x57);
  const QColor bad(0xd6, 0x2d, 0x20);
  for (int r = 0; r < matrix.size() && r < rowCount(); ++r) {
    qint64 rowTotal = 0;
    for (qint64 v : matrix[r]) rowTotal += v;
    for (int c = 0; c < matrix[r].size() && c < columnCount(); ++c) {
      const qint64 value = matrix[r][c];
      auto* item = new QTableWidgetItem(QString::number(value));
      item->setTextAlignment(Qt::AlignCenter);
      // Shade by the share of the true class's images that land in this cell.
      const double share = rowTotal > 0 ? static_cast<double>(value) / rowTotal : 0.0;
      QColor tint = r == c ? good : bad;
      tint.setAlphaF(std::clamp(share, 0.0, 1.0) * 0.75);
      item->setBackground(tint);
      setItem(r, c, item);
    }
  }
}

qint64 ConfusionMatrixView::valueAt(int row, int column) const {
  const QTableWidgetItem* cell = item(row, column);
  return cell ? cell->text().toLongLong() : 0;
}

}  // namespace graft::ui
