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
#include "ui/sample_images_dialog.h"

class QMenu;
namespace graft {
struct LayerType;
}
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

  // Asks the user for a folder of sample images and the device the fit computes on, explaining
  // `why` (the exact fusion's refusal); an empty folder: cancelled. The default asks with
  // SampleImagesDialog; tests answer directly.
  using SampleImagesChooser = std::function<SampleImages(const QString& why)>;
  void setSampleImagesChooser(SampleImagesChooser chooser) { chooseSamples_ = std::move(chooser); }
  // A least-squares fusion whose relative RMS error (on images it did not see, when some were
  // held out) passes kLargeFusionError is applied only when the user agrees: the model then
  // computes something else until it is fine-tuned. `question` says the error and what it
  // means; the default asks with a message box; tests answer directly.
  using LargeErrorConfirmer = std::function<bool(const QString& question)>;
  void setLargeErrorConfirmer(LargeErrorConfirmer confirm) {
    confirmLargeError_ = std::move(confirm);
  }
  // 5 % of the outputs' spread: beyond it the following layers see visibly different features.
  static constexpr double kLargeFusionError = 0.05;
  // The images the last least-squares fusion fitted to and where (a saved pipeline replays it
  // there); an empty folder before any.
  const SampleImages& lastSamples() const { return lastSamples_; }
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
  // A nested model's menu (its title or collapsed card): collapse or expand it, cut after it,
  // freeze or unfreeze all its layers (Keras's `base.trainable = False`).
  void populateGroupMenu(QMenu* menu, const QString& path);
  // An arrow's menu: insert a layer of any type on it, cut after its source.
  void populateEdgeMenu(QMenu* menu, const QString& from, const QString& to);
  // The canvas's menu: add a layer at the model's output, fit the model in the window.
  void populateSpaceMenu(QMenu* menu);
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
  void fuseBySamples(const Json& operation, const SampleImages& samples, const QString& text);
  Json layerJson(const QString& className, const QString& name) const;
  // layerJson for a layer put after `from`, its channels kept (Conv2D, Dense: filters, units).
  Json layerJsonAfter(const QString& className, const QString& name, const QString& from) const;
  // One submenu per layer category (as the palette groups them) under `parent`, with the
  // classes `offered` lets through; choosing one calls `chosen` with its class name.
  void addLayerClassMenus(QMenu* parent, const std::function<bool(const LayerType&)>& offered,
                          const std::function<void(const QString&)>& chosen);
  // Keeps the new layer selected so its properties are on screen to be filled in.
  void selectAfterApply(const QString& name);
  Document* document_;
  GraphView* view_;
  QWidget* dialogParent_;
  SampleImagesChooser chooseSamples_;
  LargeErrorConfirmer confirmLargeError_;
  SampleImages lastSamples_;
  std::vector<ContextMenuExtension> menuExtensions_;
};

}  // namespace graft::ui
