#pragma once
// Every layer type the registry knows, grouped by category with its one-line summary. Drag an
// entry onto an edge of the graph to insert it there, onto a layer to add it after that layer,
// or double-click it to add it after the selected layer.
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

 Q_SIGNALS:
  void layerActivated(const QString& className);

 private:
  void filter(const QString& text);
  QLineEdit* search_;
  QTreeWidget* tree_;
};

}  // namespace graft::ui
