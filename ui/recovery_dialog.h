#pragma once
// After a crash: offers the sessions the autosave kept (ui/doc/autosave_store.h) one by one,
// newest first, to recover (open with its unsaved edits), discard (delete) or keep for later.
#include <QDialog>

#include "ui/doc/autosave_store.h"

class QPushButton;

namespace graft::ui {

class AutosaveController;

class RecoveryDialog : public QDialog {
  Q_OBJECT
 public:
  enum class Choice { Recover, Discard, Later };
  RecoveryDialog(const AutosaveSession& session, QWidget* parent = nullptr);
  Choice choice() const { return choice_; }
  QPushButton* recoverButton() const { return recover_; }
  QPushButton* discardButton() const { return discard_; }

 private:
  Choice choice_ = Choice::Later;
  QPushButton* recover_;
  QPushButton* discard_;
};

// Asks about every session left by a Graft that is gone; true when one was recovered into the
// controller's document. Sessions kept for later are offered again at the next start.
bool offerAutosaveRecovery(QWidget* parent, AutosaveController& autosave);

}  // namespace graft::ui
