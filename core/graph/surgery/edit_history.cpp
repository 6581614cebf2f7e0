#include "graph/surgery/edit_history.h"

namespace graft {

Expected<Edit> makeEdit(const Model& model, const Json& operation, const EditOptions& options) {
  Expected<EditResult> result = applyOperation(model, operation, options);
  if (!result) return result.diagnostics();
  EditResult r = std::move(result).value();
  return Edit{std::move(r.operation), model, std::move(r.model), std::move(r.notes)};
}

Expected<Edit> EditHistory::apply(const Json& operation, const EditOptions& options) {
  Expected<Edit> edit = makeEdit(current_, operation, options);
  if (!edit) return edit;
  current_ = edit->after;
  done_.push_back(*edit);
  undone_.clear();
  return edit;
}

const Model& EditHistory::undo() {
  if (done_.empty()) throw Error("nothing to undo");
  current_ = done_.back().before;
  undone_.push_back(std::move(done_.back()));
  done_.pop_back();
  return current_;
}

const Model& EditHistory::redo() {
  if (undone_.empty()) throw Error("nothing to redo");
  current_ = undone_.back().after;
  done_.push_back(std::move(undone_.back()));
  undone_.pop_back();
  return current_;
}

}  // namespace graft
