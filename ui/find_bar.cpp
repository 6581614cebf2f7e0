#include "ui/find_bar.h"

#include <QCompleter>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QStringListModel>
#include <QToolButton>

namespace graft::ui {

FindBar::FindBar(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(6, 3, 6, 3);
  edit_ = new QLineEdit(this);
  edit_->setPlaceholderText(tr("Find layer by name…"));
  edit_->setAccessibleName(tr("Find layer by name"));  // a placeholder is not a name
  edit_->setClearButtonEnabled(true);
  completions_ = new QStringListModel(this);
  auto* completer = new QCompleter(completions_, this);
  completer->setCaseSensitivity(Qt::CaseInsensitive);
  completer->setFilterMode(Qt::MatchContains);
  edit_->setCompleter(completer);
  connect(completer, qOverload<const QString&>(&QCompleter::activated), this,
          [this](const QString& text) {
            edit_->setText(text);
            current_ = -1;
            findNext();
          });
  auto* previous = new QToolButton(this);
  previous->setArrowType(Qt::UpArrow);
  previous->setToolTip(tr("Previous match (Shift+Enter)"));
  auto* next = new QToolButton(this);
  next->setArrowType(Qt::DownArrow);
  next->setToolTip(tr("Next match (Enter)"));
  auto* close = new QToolButton(this);
  close->setText(QStringLiteral("✕"));
  close->setAutoRaise(true);
  close->setToolTip(tr("Close (Esc)"));
  status_ = new QLabel(this);
  status_->setMinimumWidth(80);
  layout->addWidget(new QLabel(tr("Find:"), this));
  layout->addWidget(edit_, 1);
  layout->addWidget(previous);
  layout->addWidget(next);
  layout->addWidget(status_);
  layout->addWidget(close);
  connect(edit_, &QLineEdit::returnPressed, this, &FindBar::findNext);
  connect(next, &QToolButton::clicked, this, &FindBar::findNext);
  connect(previous, &QToolButton::clicked, this, &FindBar::findPrevious);
  connect(close, &QToolButton::clicked, this, [this] {
    hide();
    Q_EMIT closed();
  });
  edit_->installEventFilter(this);
  connect(edit_, &QLineEdit::textChanged, this, [this] {
    current_ = -1;
    status_->clear();
  });
}

void FindBar::setLayerNames(const QStringList& names) {
  names_ = names;
  completions_->setStringList(names);
  current_ = -1;
  // An edit changed the layers: "1 of 3" counted matches fused or removed since.
  const QStringList found = matches();
  const QString text = edit_->text().trimmed();
  status_->setText(text.isEmpty()      ? QString()
                   : found.isEmpty()   ? tr("no match")
                   : found.size() == 1 ? tr("1 match")
                                       : tr("%1 matches").arg(found.size()));
}

QString FindBar::statusText() const {
  return status_->text();
}

void FindBar::activate() {
  show();
  edit_->setFocus(Qt::ShortcutFocusReason);
  edit_->selectAll();
}

QStringList FindBar::matches() const {
  const QString text = edit_->text().trimmed();
  if (text.isEmpty()) return {};
  // An exact name wins; otherwise every name containing the text, in graph order.
  if (names_.contains(text)) return {text};
  QStringList found;
  for (const QString& name : names_)
    if (name.contains(text, Qt::CaseInsensitive)) found << name;
  return found;
}

void FindBar::step(int direction) {
  const QStringList found = matches();
  if (found.isEmpty()) {
    status_->setText(edit_->text().trimmed().isEmpty() ? QString() : tr("no match"));
    return;
  }
  current_ = current_ < 0 ? (direction > 0 ? 0 : static_cast<int>(found.size()) - 1)
                          : (current_ + direction + static_cast<int>(found.size())) %
                                static_cast<int>(found.size());
  status_->setText(tr("%1 of %2").arg(current_ + 1).arg(found.size()));
  Q_EMIT layerFound(found[current_]);
}

void FindBar::findNext() {
  step(+1);
}
void FindBar::findPrevious() {
  step(-1);
}

bool FindBar::eventFilter(QObject* watched, QEvent* event) {
  // Seen before the line edit, which would otherwise treat Shift+Enter as a plain Enter.
  if (watched == edit_ && event->type() == QEvent::KeyPress) {
    const auto* key = static_cast<QKeyEvent*>(event);
    if (key->key() == Qt::Key_Escape) {
      hide();
      Q_EMIT closed();
      return true;
    }
    if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
        (key->modifiers() & Qt::ShiftModifier)) {
      findPrevious();
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

}  // namespace graft::ui
