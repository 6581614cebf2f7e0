#pragma once
// One undoable edit: the model before and after. Models share their weight buffers, so holding
// both costs the graph and a map of pointers, not the tensors.
#include <QUndoCommand>

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
};

}  // namespace graft::ui
