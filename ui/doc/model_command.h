#pragma once
// One undoable edit: the model before and after, each with its document revision. Models share
// their weight buffers, so holding both costs the graph and a map of pointers, not the tensors.
#include <QUndoCommand>
#include <cstdint>

#include "graph/model.h"

namespace graft::ui {

class Document;

class ModelCommand : public QUndoCommand {
 public:
  ModelCommand(Document* document, const QString& text, Model before, Model after);
  void undo() override;
  void redo() override;

 private:
  Document* document_;
  Model before_;
  Model after_;
  uint64_t beforeRevision_;
  uint64_t afterRevision_ = 0;  // given on the first redo (the push)
};

}  // namespace graft::ui
