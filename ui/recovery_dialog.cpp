#include "ui/recovery_dialog.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include "graph/diagnostic.h"
#include "ui/doc/autosave_controller.h"
#include "ui/error_dialog.h"

namespace graft::ui {

RecoveryDialog::RecoveryDialog(const AutosaveSession& session, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Recover unsaved work"));
  auto* icon = new QLabel;
  icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(48, 48));
  icon->setAlignment(Qt::AlignTop);

  auto* headline = new QLabel(tr("<b>Graft did not close normally.</b>"));
  const QString belongsTo = session.info.projectPath.isEmpty()
                                ? tr("not yet saved as a project")
                                : tr("project %1").arg(session.info.projectPath.toHtmlEscaped());
  const QString source =
      session.info.source.isEmpty() ? QFileInfo(session.modelPath).fileName() : session.info.source;
  auto* text = new QLabel(
      tr("Unsaved edits to <b>%1</b> (%2) were kept when they were autosaved on %3.<br><br>"
         "<b>Recover</b> opens them, still unsaved; <b>Discard</b> deletes them; <b>Later</b> "
         "asks again at the next start.")
          .arg(source.toHtmlEscaped(), belongsTo,
               QLocale().toString(session.savedAt.toLocalTime(), QLocale::LongFormat)));
  text->setWordWrap(true);
  text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  text->setMinimumWidth(420);

  auto* buttons = new QDialogButtonBox;
  recover_ = buttons->addButton(tr("&Recover"), QDialogButtonBox::AcceptRole);
  recover_->setObjectName(QStringLiteral("recover"));
  discard_ = buttons->addButton(tr("&Discard"), QDialogButtonBox::DestructiveRole);
  discard_->setObjectName(QStringLiteral("discard"));
  QPushButton* later = buttons->addButton(tr("&Later"), QDialogButtonBox::RejectRole);
  later->setObjectName(QStringLiteral("later"));
  recover_->setDefault(true);
  connect(recover_, &QPushButton::clicked, this, [this] {
    choice_ = Choice::Recover;
    accept();
  });
  connect(discard_, &QPushButton::clicked, this, [this] {
    choice_ = Choice::Discard;
    accept();
  });
  connect(later, &QPushButton::clicked, this, &QDialog::reject);

  auto* body = new QVBoxLayout;
  body->addWidget(headline);
  body->addWidget(text);
  auto* top = new QHBoxLayout;
  top->addWidget(icon);
  top->addLayout(body, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(buttons);
}

bool offerAutosaveRecovery(QWidget* parent, AutosaveController& autosave) {
  for (const AutosaveSession& session : autosave.store().claimOrphans()) {
    RecoveryDialog dialog(session, parent);
    dialog.exec();
    switch (dialog.choice()) {
      case RecoveryDialog::Choice::Recover:
        try {
          autosave.recover(session);
          return true;  // the rest stay for the next start: one session is open at a time
        } catch (const std::exception& e) {
          showError(parent, QObject::tr("Cannot recover the session"),
                    QString::fromStdString(e.what()));
        }
        break;
      case RecoveryDialog::Choice::Discard:
        autosave.discard(session);
        break;
      case RecoveryDialog::Choice::Later:
        break;
    }
  }
  return false;
}

}  // namespace graft::ui
