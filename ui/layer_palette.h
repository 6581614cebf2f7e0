#pragma once
// Every layer type the registry knows, grouped by category with its one-line summary. Drag an
// entry onto an edge of the graph to insert it there, onto a layer to add it after that layer,
// or double-click it (or press Return on it, or in the filter box for the first match) to add it
// after the selected layer.
#include <QWidget>

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace graft::ui {

class LayerPalette : public QWidget {
  Q_OBJECT
 public:
  explicit LayerPalette(QWidget* parent = nullptr);
  QTreeWidget* tree() const { return tree_; }
  QLineEdit* filterBox() const { return search_; }

 Q_SIGNALS:
  void layerActivated(const QString& className);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void filter(const QString& text);
  QTreeWidgetItem* firstMatch() const;  // the first entry the filter shows
  QLineEdit* search_;
  QTreeWidget* tree_;
};

}  // namespace graft::ui
