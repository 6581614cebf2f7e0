#include "ui/doctor_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTextDocumentFragment>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/gui_wording.h"

namespace graft::ui {

DoctorBanner::DoctorBanner(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("training_doctor"));
  setStyleSheet(
      QStringLiteral("#training_doctor { background: #fff4ce; border: 1px solid #e0c36a; } "
                     "#training_doctor QLabel { color: #3b2f00; }"));
  auto* column = new QVBoxLayout(this);
  column->setContentsMargins(6, 4, 6, 4);
  column->setSpacing(4);
  scroll_ = new QScrollArea(this);
  scroll_->setFrameShape(QFrame::NoFrame);
  scroll_->setWidgetResizable(true);
  scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll_->setStyleSheet(
      QStringLiteral("QScrollArea, QScrollArea > QWidget > QWidget { "
                     "background: transparent; }"));
  rowsWidget_ = new QWidget(scroll_);
  rowsLayout_ = new QVBoxLayout(rowsWidget_);
  rowsLayout_->setContentsMargins(0, 0, 0, 0);
  rowsLayout_->setSpacing(6);
  scroll_->setWidget(rowsWidget_);
  column->addWidget(scroll_);
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
  row.widget = new QWidget(rowsWidget_);
  auto* line = new QHBoxLayout(row.widget);
  line->setContentsMargins(0, 0, 0, 0);
  // The doctor's words name command-line flags; here the form's fields are meant.
  const QString said = inWindowTerms(message).toHtmlEscaped();
  row.label = new QLabel(
      fix.isEmpty() ? tr("<b>%1</b>").arg(said)
                    : tr("<b>%1</b><br>Fix: %2").arg(said, inWindowTerms(fix).toHtmlEscaped()),
      row.widget);
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
  fitHeight();
  return true;
}

void DoctorBanner::resizeEvent(QResizeEvent* event) {
  QFrame::resizeEvent(event);
  fitHeight();
}

void DoctorBanner::fitHeight() {
  const int width =
      scroll_->viewport()->width() > 0 ? scroll_->viewport()->width() : scroll_->width();
  const int needed = rowsWidget_->layout()->hasHeightForWidth()
                         ? rowsWidget_->layout()->totalHeightForWidth(width)
                         : rowsWidget_->sizeHint().height();
  const int cap = parentWidget() ? std::max(80, parentWidget()->height() / 3) : needed;
  const int height = std::min(needed, cap);
  // The scroll area would otherwise squeeze the rows into its viewport rather than scroll.
  rowsWidget_->setMinimumHeight(needed);
  if (scroll_->height() != height || scroll_->minimumHeight() != height)
    scroll_->setFixedHeight(height);
}

bool DoctorBanner::removeFinding(const QString& code) {
  const auto row = rows_.find(code);
  if (row == rows_.end()) return false;
  delete row->widget;
  rows_.erase(row);
  order_.removeAll(code);
  if (rows_.isEmpty() && status_->text().isEmpty()) {
    scroll_->setFixedHeight(0);
    hide();
  } else {
    fitHeight();
  }
  return true;
}

void DoctorBanner::clear() {
  for (const Row& row : rows_) delete row.widget;
  rows_.clear();
  order_.clear();
  scroll_->setFixedHeight(0);
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
