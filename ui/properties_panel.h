#pragma once
// The selected layer's properties, generated from the registry's config schema: name, type,
// trainable, output shape, weights, and one editor per Keras config key. Finishing an edit sends
// one operation (rename, freeze/unfreeze, set_config) through the document, so it is undoable
// and recorded in the recipe; a refused edit shows the core's message and changes nothing.
#include <QList>
#include <QStringList>
#include <QWidget>

#include "graph/graph.h"

class QCheckBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QScrollArea;
class QVBoxLayout;

namespace graft::ui {

class ConfigField;
class Document;

class PropertiesPanel : public QWidget {
  Q_OBJECT
 public:
  explicit PropertiesPanel(Document* document, QWidget* parent = nullptr);
  const QStringList& layers() const { return layers_; }
  // For tests and the main window: the editor of one config key, or null.
  QWidget* fieldEditor(const QString& key) const;
  QLineEdit* nameEdit() const { return nameEdit_; }
  QCheckBox* trainableBox() const { return trainable_; }
  QString headline() const;
  // Takes back text typed into a field (or the name) and not committed yet; returns the field's
  // key ("name" for the name), empty when nothing was being typed. Undo from the menu or the
  // toolbar does this first: the unfinished typing is the last change the user made, and it
  // would otherwise be committed onto the undone model when the field loses the focus.
  QString discardUnfinishedEdit();

 public Q_SLOTS:
  void showLayers(const QStringList& names);

 Q_SIGNALS:
  // The shown layer was renamed here: the graph selects it under its new name.
  void layerRenamed(const QString& from, const QString& to);

 private:
  void rebuild();
  void refreshValues(bool includeFocused = false);
  void applyOperation(const graft::Json& operation, const QString& text);
  QWidget* buildSingle(const QString& name);
  QWidget* buildMultiple();

  Document* document_;
  QStringList layers_;
  QString shownClass_;  // class of the layer whose editors exist; a rename keeps them
  QVBoxLayout* layout_;
  QScrollArea* scroll_;
  QWidget* content_ = nullptr;
  QLabel* title_ = nullptr;
  QLabel* details_ = nullptr;
  QLabel* problem_ = nullptr;
  QLineEdit* nameEdit_ = nullptr;
  QCheckBox* trainable_ = nullptr;
  QList<ConfigField*> fields_;
};

}  // namespace graft::ui
