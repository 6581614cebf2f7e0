#pragma once
// The open model and its edit history. Every change goes through apply(): one recipe operation
// (the same JSON graft-cli edit replays) becomes one undoable command holding the model before
// and after. Views listen to changed() and redraw from model() / analysis(); they never change
// the model themselves. Qt Core/Gui only, so a headless tool could drive it too.
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUndoStack>
#include <string>
#include <vector>

#include "graph/analysis.h"
#include "graph/model.h"

namespace graft::ui {

class Document : public QObject {
  Q_OBJECT
 public:
  explicit Document(QObject* parent = nullptr);

  bool hasModel() const { return hasModel_; }
  const Model& model() const { return model_; }
  const Graph& graph() const { return model_.graph; }
  const GraphAnalysis& analysis() const { return analysis_; }

  // Where the model came from (file path or a zoo description) and what the loader said about
  // it (which weight file, which layers got fresh weights ...).
  const QString& source() const { return source_; }
  const QStringList& notes() const { return notes_; }
  // The .graft file this document is saved in; empty until it is saved or when opened from
  // a Keras file or the zoo.
  const QString& projectPath() const { return projectPath_; }
  void setProjectPath(const QString& path);

  bool isModified() const;
  QUndoStack* undoStack() { return &undo_; }

  // Replaces the whole document (a newly opened model): the history starts empty.
  // `freshLayers`: the layers the loader gave fresh weights (a new top over no-top weights),
  // which the training advisor treats as new: they join Model::untrainedLayers, which travel
  // with the model through edits, undo and training.
  void open(Model model, const QString& source, const QStringList& notes,
            std::vector<std::string> freshLayers = {});
  // The history so far counts as saved (after writing the project file).
  void markSaved();
  // The model holds edits that were never saved (a session recovered from an autosave).
  void markRecovered();

  // Applies recipe operations ({"op": "freeze", ...}) in order through the core surgery
  // function applyOperation() as ONE undoable step named `text`. When any of them fails nothing
  // changes and the core's diagnostics come back; empty means it was applied.
  Diagnostics apply(const Json& operations, const QString& text);
  Diagnostics apply1(const Json& operation, const QString& text) {
    return apply(Json::array({operation}), text);
  }

  // A model computed elsewhere from the current one (fine-tuned weights, a least-squares fusion)
  // becomes current as one undoable step; its recipe is kept as given. `notes` go out through
  // editNotes(). Refused (false) while edits are locked.
  bool commitModel(Model model, const QString& text, const QStringList& notes = {});
  // The result of work started on revision `startedFrom` (a training run): committed as above
  // only when the model is still that revision; otherwise nothing changes and false comes back,
  // so newer edits are never overwritten silently: the caller asks the user what to keep.
  bool commitResultOf(uint64_t startedFrom, Model model, const QString& text,
                      const QStringList& notes = {});

  // Says what the last edit did in the editor's own words, in place of its operations' notes
  // (the freeze boundary's one move is a freeze and an unfreeze underneath).
  void sayEdit(const QString& sentence) { Q_EMIT editNotes({sentence}); }

  // While a run trains on the model, an edit would be overwritten when it ends (or would change
  // layers under the trainer): edits, undo and redo are refused with `reason` ("Training is
  // running: stop it to edit the model"). An empty reason lifts the lock.
  void lockEdits(const QString& reason);
  const QString& editLock() const { return editLock_; }
  bool canEdit() const { return editLock_.isEmpty(); }
  // Undo / redo one step, unless edits are locked.
  void undo();
  void redo();

  // Names the current model's state: an edit or an open gives a new one, undo and redo bring
  // back the one that state had (so work measured on a model is current again after undo
  // returns to it). Work started in the background checks it before committing its result.
  uint64_t revision() const { return revision_; }

  // Every operation that produced the model, as a graft-cli recipe: a project's own recipe
  // (from the Keras model it started as) followed by the edits made here.
  Json recipe() const;
  // Only the operations made since the model was opened: what applies to the file as opened.
  Json operationsSinceOpen() const;

 Q_SIGNALS:
  // A different model was opened: views rebuild everything and fit it into view.
  void opened();
  // The model changed (edit, undo, redo): views update, keeping their viewport.
  void changed();
  void modifiedChanged(bool modified);
  // What an edit did beyond the obvious (layers given fresh weights ...), for the status bar.
  void editNotes(const QStringList& notes);
  // Edits were locked (a reason) or unlocked (empty).
  void editLockChanged(const QString& reason);
  // The project file the model is saved to (Ctrl+S) became another one.
  void projectPathChanged();

 private:
  // Only the undo commands make a model current (a redo, an undo): every change of the model
  // is a step on the undo stack, so nothing replaces it behind the user's history.
  friend class ModelCommand;
  void setCurrent(const Model& model, uint64_t revision);
  uint64_t newRevision() { return ++lastRevision_; }

  Model model_;
  GraphAnalysis analysis_;
  bool hasModel_ = false;
  QString source_;
  QStringList notes_;
  QString projectPath_;
  QUndoStack undo_;
  uint64_t revision_ = 0;
  uint64_t lastRevision_ = 0;    // the last one handed out
  size_t openedRecipeSize_ = 0;  // the recipe the model came with
  QString editLock_;
};

}  // namespace graft::ui
