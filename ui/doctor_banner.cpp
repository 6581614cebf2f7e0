#include "ui/doctor_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextDocumentFragment>
#include <QVBoxLayout>

namespace graft::ui {

DoctorBanner::DoctorBanner(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("training_doctor"));
  setStyleSheet(
      QStringLiteral("#training_doctor { background: #fff4ce; border: 1px solid #e0c36a; } "
                     "#training_doctor QLabel { color: #3b2f00; }"));
  auto* column = new QVBoxLayout(this);
  column->setContentsMargins(6, 4, 6, 4);
  column->setSpacing(4);
  rowsLayout_ = new QVBoxLayout;
  rowsLayout_->setSpacing(6);
  column->addLayout(rowsLayout_);
  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("training_doctor_status"));
  status_->setWordWrap(true);
  status_->hide();
  column->addWidget(status_);
  hide();
}

bool DoctorBanner::addFinding(const QString& code, const QString& message, const QString& fix,
                              const QString& fixLabel) {
  if (rows_.contains(code)) return false;
  Row row;
  row.widget = new QWidget(this);
  auto* line = new QHBoxLayout(row.widget);
  line->setContentsMargins(0, 0, 0, 0);
  row.label = new QLabel(
      tr("<b>%1</b><br>Fix: %2").arg(message.toHtmlEscaped(), fix.toHtmlEscaped()), row.widget);
  row.label->setWordWrap(true);
  row.label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  line->addWidget(row.label, 1);
  if (!fixLabel.isEmpty()) {
    row.button = new QPushButton(fixLabel, row.widget);
    row.button->setObjectName(QStringLiteral("doctor_fix_") + code);
    row.button->setToolTip(
        tr("Stop the run if it is going, apply this fix to the settings and "
           "start again"));
    connect(row.button, &QPushButton::clicked, this, [this, code] { Q_EMIT fixRequested(code); });
    line->addWidget(row.button, 0, Qt::AlignVCenter);
  }
  rowsLayout_->addWidget(row.widget);
  rows_.insert(code, row);
  order_ << code;
  show();
  return true;
}

void DoctorBanner::clear() {
  for (const Row& row : rows_) delete row.widget;
  rows_.clear();
  order_.clear();
  setStatus(QString());
  hide();
}

void DoctorBanner::setStatus(const QString& text) {
  status_->setText(text);
  status_->setVisible(!text.isEmpty());
  if (!text.isEmpty()) show();
}

void DoctorBanner::setFixesEnabled(bool enabled) {
  for (const Row& row : rows_)
    if (row.button) row.button->setEnabled(enabled);
}

QString DoctorBanner::text() const {
  QStringList lines;
  for (const QString& code : order_)
    lines << QTextDocumentFragment::fromHtml(rows_.value(code).label->text()).toPlainText();
  if (!status_->text().isEmpty()) lines << status_->text();
  return lines.join('\n');
}

QPushButton* DoctorBanner::fixButton(const QString& code) const {
  const auto row = rows_.find(code);
  return row == rows_.end() ? nullptr : row->button;
}

}  // namespace graft::ui
