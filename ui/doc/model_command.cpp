#include "ui/doc/model_command.h"

#include "ui/doc/document.h"

namespace graft::ui {

ModelCommand::ModelCommand(Document* document, const QString& text, Model before, Model after)
    : QUndoCommand(text),
      document_(document),
      before_(std::move(before)),
      after_(std::move(after)),
      beforeRevision_(document->revision()) {}

void ModelCommand::undo() {
  document_->setCurrent(before_, beforeRevision_);
}
void ModelCommand::redo() {
  if (afterRevision_ == 0) afterRevision_ = document_->newRevision();
  document_->setCurrent(after_, afterRevision_);
}

}  // namespace graft::ui
