#include "ui/doc/document.h"

#include <algorithm>

#include "ui/doc/model_command.h"
#include "ui/doc/surgery_bridge.h"

namespace graft::ui {

Document::Document(QObject* parent) : QObject(parent) {
  connect(&undo_, &QUndoStack::cleanChanged, this,
          [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
}

void Document::setProjectPath(const QString& path) {
  if (path == projectPath_) return;
  projectPath_ = path;
  Q_EMIT projectPathChanged();
}

bool Document::isModified() const {
  return hasModel_ && !undo_.isClean();
}

void Document::open(Model model, const QString& source, const QStringList& notes,
                    std::vector<std::string> freshLayers) {
  undo_.clear();
  revision_ = newRevision();
  // The loader's fresh layers are the model's untrained ones: they travel with it through
  // edits, undo and training (which takes off those it trained), so none is kept beside it.
  for (const auto& layer : freshLayers)
    if (std::find(model.untrainedLayers.begin(), model.untrainedLayers.end(), layer) ==
        model.untrainedLayers.end())
      model.untrainedLayers.push_back(layer);
  model_ = std::move(model);
  openedRecipeSize_ = model_.recipe.is_array() ? model_.recipe.size() : 0;
  analysis_ = analyze(model_.graph);
  hasModel_ = true;
  source_ = source;
  notes_ = notes;
  projectPath_.clear();
  Q_EMIT opened();
  Q_EMIT changed();
  Q_EMIT modifiedChanged(false);
}

void Document::markSaved() {
  undo_.setClean();
}

void Document::markRecovered() {
  undo_.resetClean();  // emits cleanChanged(false), hence modifiedChanged(true)
}

Diagnostics Document::apply(const Json& operations, const QString& text) {
  if (!hasModel_) return {Diagnostic{"", "no model is open"}};
  if (!canEdit()) return {Diagnostic{"", editLock_.toStdString()}};
  Expected<AppliedEdit> edited = applyOperations(model_, operations);
  if (!edited) return edited.diagnostics();
  AppliedEdit result = std::move(edited).value();
  QStringList notes;
  for (const std::string& note : result.notes) notes << QString::fromStdString(note);
  if (changesNothing(model_, result.model)) {
    // Said, but no step: a freeze of frozen layers or a cut at the output was one more Ctrl+Z
    // to press and marked the model modified.
    Q_EMIT editNotes(notes.isEmpty() ? QStringList{tr("Nothing changed: %1.").arg(text)} : notes);
    return {};
  }
  // The core's notes are recipe-level ("operations[1] (unfreeze): unfroze 0 of 82"): they stay
  // with the step in the History panel; the status bar gets them as sentences (editNotes).
  auto* command = new ModelCommand(this, text, model_, std::move(result.model));
  if (!notes.isEmpty())
    command->setText(text + QStringLiteral(" — ") + notes.join(QStringLiteral("; ")));
  // push() runs redo(), which makes the edited model current and tells the views.
  undo_.push(command);
  // An edit with nothing more to say still says what it did: the status bar kept the edit
  // before's sentence ("Cut at ...") under the layer just added.
  Q_EMIT editNotes(notes.isEmpty() ? QStringList{text} : notes);
  return {};
}

bool Document::commitModel(Model model, const QString& text, const QStringList& notes) {
  if (!hasModel_ || !canEdit()) return false;
  undo_.push(new ModelCommand(this, text, model_, std::move(model)));
  // Said as done, as apply() does: the push alone read "Redone: fine-tune 3 epochs on data".
  Q_EMIT editNotes(notes.isEmpty() ? QStringList{text} : notes);
  return true;
}

bool Document::commitResultOf(uint64_t startedFrom, Model model, const QString& text,
                              const QStringList& notes) {
  if (revision_ != startedFrom) return false;
  return commitModel(std::move(model), text, notes);
}

void Document::lockEdits(const QString& reason) {
  if (reason == editLock_) return;
  editLock_ = reason;
  Q_EMIT editLockChanged(editLock_);
}

void Document::undo() {
  if (canEdit()) undo_.undo();
}

void Document::redo() {
  if (canEdit()) undo_.redo();
}

Json Document::recipe() const {
  return Json{{"graft_recipe", 1}, {"operations", model_.recipe}};
}

Json Document::operationsSinceOpen() const {
  Json operations = Json::array();
  if (model_.recipe.is_array())
    for (size_t i = openedRecipeSize_; i < model_.recipe.size(); ++i)
      operations.push_back(model_.recipe[i]);
  return operations;
}

void Document::setCurrent(const Model& model, uint64_t revision) {
  revision_ = revision;
  model_ = model;
  analysis_ = analyze(model_.graph);
  Q_EMIT changed();
}

}  // namespace graft::ui
