#pragma once
// Undo/redo as values: every applied operation keeps the model before and after it. Weights are
// shared buffers, so a snapshot costs the graph and a map of pointers, not the tensors. The GUI
// wraps each Edit in a QUndoStack command whose undo()/redo() install `before` / `after`.
#include <vector>

#include "graph/surgery/surgery.h"

namespace graft {

struct Edit {
  Json operation;  // as recorded in after.recipe
  Model before;
  Model after;
  std::vector<std::string> notes;
};

// applyOperation() packaged as an Edit.
Expected<Edit> makeEdit(const Model& model, const Json& operation, const EditOptions& options = {});

class EditHistory {
 public:
  explicit EditHistory(Model initial) : current_(std::move(initial)) {}

  const Model& current() const { return current_; }

  // Applies the operation to the current model; on success it becomes current, is pushed on the
  // undo stack and the redo stack is cleared. On failure nothing changes.
  Expected<Edit> apply(const Json& operation, const EditOptions& options = {});

  bool canUndo() const { return !done_.empty(); }
  bool canRedo() const { return !undone_.empty(); }
  size_t undoCount() const { return done_.size(); }
  size_t redoCount() const { return undone_.size(); }
  const Edit* nextUndo() const { return done_.empty() ? nullptr : &done_.back(); }
  const Edit* nextRedo() const { return undone_.empty() ? nullptr : &undone_.back(); }

  // Throw graft::Error when there is nothing to undo / redo.
  const Model& undo();
  const Model& redo();

 private:
  Model current_;
  std::vector<Edit> done_;
  std::vector<Edit> undone_;
};

}  // namespace graft
