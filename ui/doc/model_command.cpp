#include "ui/doc/model_command.h"

#include "ui/doc/document.h"

namespace graft::ui {

ModelCommand::ModelCommand(Document* document, const QString& text, Model before, Model after)
    : QUndoCommand(text),
      document_(document),
      before_(std::move(before)),
      after_(std::move(after)) {}

void ModelCommand::undo() {
  document_->setCurrent(before_);
}
void ModelCommand::redo() {
  document_->setCurrent(after_);
}

}  // namespace graft::ui
