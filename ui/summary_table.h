#pragma once
// The Keras model.summary() table beside the graph: every layer with its type, output shape,
// parameter count and whether it trains, and the totals underneath. A nested model has a row of
// its own with its totals, its layers indented below it (Keras's expand_nested); selecting that
// row selects its layers. It follows every edit and shares the selection with the graph view.
#include <QSet>
#include <QString>
#include <QStringList>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace graft::ui {

class Document;

class SummaryTable : public QWidget {
  Q_OBJECT
 public:
  explicit SummaryTable(Document* document, QWidget* parent = nullptr);
  QTableWidget* table() const { return table_; }
  QString totalsText() const;
  // The layers of the selected rows (a nested model's row: all of its layers), in table order.
  QStringList selectedLayers() const;

 public Q_SLOTS:
  void selectLayers(const QStringList& names);
  // The table's minimum: its header, the scroll bar and this many layers (2 unless the window
  // needs the room: a run panel in a 540 px window, main_window_docks.cpp).
  void setMinimumRows(int rows);

 Q_SIGNALS:
  void layersSelected(const QStringList& names);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void refresh();
  // The wrapped totals' height at the current width becomes their minimum.
  void fitTotals();
  // Selects exactly the rows of `names` (and of nested models all of whose layers are among
  // them) in one step; the first such row, or -1.
  int selectRows(const QSet<QString>& names);
  bool allLayersIn(const QString& group, const QSet<QString>& names) const;
  Document* document_;
  QTableWidget* table_;
  QLabel* totals_;
  bool syncing_ = false;
};

}  // namespace graft::ui
