#pragma once
// Turns what the user does to the graph (drops from the palette, context-menu commands,
// keyboard shortcuts) into recipe operations applied through the document: one operation or
// group of operations = one undoable step. Refused edits show the core's diagnostics.
#include <QObject>
#include <QPointF>
#include <QStringList>
#include <functional>
#include <vector>

#include "graph/graph.h"

class QMenu;
class QWidget;

namespace graft::ui {

class Document;
class GraphView;

class GraphEditor : public QObject {
  Q_OBJECT
 public:
  GraphEditor(Document* document, GraphView* view, QWidget* dialogParent);

  // A layer name Keras would give a new layer of this class, unused in the current graph.
  QString freshName(const QString& className) const;

  // Each returns true when the edit was applied.
  bool insertOnEdge(const QString& className, const QString& from, const QString& to);
  bool addAfter(const QString& className, const QString& node);
  bool addAtOutput(const QString& className);
  bool cutAt(const QString& node);
  bool removeLayers(const QStringList& names);
  bool replaceLayers(const QStringList& names, const QString& className);
  // A fuse the core refuses because a nonlinearity sits between two convolutions is offered as
  // the least-squares fusion on sample images; it is fitted in the background and lands as its
  // own undoable step. True when the fuse was applied or the fit started.
  bool fuse(const QStringList& names);

  // Asks the user for a folder of sample images, explaining `why` (the exact fusion's refusal);
  // empty: cancelled. The default asks with a dialog; tests answer directly.
  using SampleFolderChooser = std::function<QString(const QString& why)>;
  void setSampleFolderChooser(SampleFolderChooser chooser) { chooseSamples_ = std::move(chooser); }
  // The folder the last least-squares fusion fitted to (a saved pipeline replays it there).
  const QString& lastSampleFolder() const { return lastSampleFolder_; }
  // Images the least-squares fusion fits to, spread over the folder.
  static constexpr int kFusionSamples = 16;
  bool freezeUpTo(const QString& node);
  bool unfreezeFrom(const QString& node);
  bool setTrainable(const QStringList& names, bool trainable);
  bool rename(const QString& from, const QString& to);
  // Everything above the boundary's position frozen (GraphScene::layersBefore), everything
  // below trainable, as one edit. Written as
  // "freeze upto / unfreeze from" when the layers above are a prefix of the model's order (the
  // way Keras users write layers[:k]), else with explicit layer lists.
  bool moveFreezeBoundary(const QPointF& at);

  // The BatchNormalization that directly and only follows `node`, if any (for "fuse").
  QString followingBatchNorm(const QString& node) const;
  // Fills a context menu for the current selection (right-clicked layer first).
  void populateContextMenu(QMenu* menu, const QString& node);
  // Adds entries of another panel (the cut-point explorer's "cut here with a new head") to the
  // context menu of a layer; they come first.
  using ContextMenuExtension = std::function<void(QMenu* menu, const QString& node)>;
  void addContextMenuExtension(ContextMenuExtension extension) {
    menuExtensions_.push_back(std::move(extension));
  }

 public Q_SLOTS:
  void renameInteractively(const QString& node);
  void removeSelection();
  void fuseSelection();

 private:
  bool apply(const Json& operations, const QString& text);
  void fuseBySamples(const Json& operation, const QString& folder, const QString& text);
  Json layerJson(const QString& className, const QString& name) const;
  // Keeps the new layer selected so its properties are on screen to be filled in.
  void selectAfterApply(const QString& name);
  Document* document_;
  GraphView* view_;
  QWidget* dialogParent_;
  SampleFolderChooser chooseSamples_;
  QString lastSampleFolder_;
  std::vector<ContextMenuExtension> menuExtensions_;
};

}  // namespace graft::ui
