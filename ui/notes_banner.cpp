#include "ui/notes_banner.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/category_style.h"
#include "ui/weights_download_panel.h"

namespace graft::ui {

NotesBanner::NotesBanner(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(10, 5, 6, 5);
  label_ = new QLabel(this);
  label_->setWordWrap(true);
  label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* close = new QToolButton(this);
  close->setText(QStringLiteral("✕"));
  close->setAutoRaise(true);
  close->setToolTip(tr("Dismiss"));
  connect(close, &QToolButton::clicked, this, &QWidget::hide);
  auto* column = new QVBoxLayout;
  column->addWidget(label_);
  download_ = new WeightsDownloadPanel(this);
  column->addWidget(download_);
  connect(download_, &WeightsDownloadPanel::installed, this, &NotesBanner::weightsInstalled);
  layout->addLayout(column, 1);
  layout->addWidget(close, 0, Qt::AlignTop);
  hide();
}

void NotesBanner::showNotes(const QString& weightsSource, const QStringList& notes) {
  download_->setRequest(std::nullopt);
  // A model built in memory says nothing about its weights: no empty banner then.
  setVisible(setLines(weightsSource, notes));
  update();
}

void NotesBanner::refreshNotes(const QString& weightsSource, const QStringList& notes) {
  if (!setLines(weightsSource, notes)) hide();
  update();
}

bool NotesBanner::setLines(const QString& weightsSource, const QStringList& notes) {
  warning_ = weightsSource.startsWith(QStringLiteral("random"));
  // The weights file by its name: its folder, repeated on every note about it, took three lines
  // of a small screen's graph. The whole path stays in the tooltip.
  const QFileInfo weightsFile(weightsSource);
  const bool isFile = !weightsSource.isEmpty() && weightsFile.isFile();
  const auto shortened = [&](QString text) {
    if (isFile) text.replace(weightsSource, weightsFile.fileName());
    return text.toHtmlEscaped();
  };
  QStringList lines;
  QStringList whole;
  if (!weightsSource.isEmpty()) {
    lines << tr("<b>Weights:</b> %1").arg(shortened(weightsSource));
    whole << tr("Weights: %1").arg(weightsSource);
  }
  for (const QString& note : notes) lines << shortened(note);
  whole << notes;
  label_->setText(lines.join(QStringLiteral("<br>")));
  label_->setToolTip(isFile ? whole.join('\n') : QString());
  return !lines.isEmpty();
}

void NotesBanner::offerDownload(const std::optional<fetch::FetchRequest>& request) {
  download_->setRequest(request);
}

QString NotesBanner::text() const {
  return label_->text();
}

void NotesBanner::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  const bool dark = isDarkPalette(palette());
  QColor fill = warning_ ? QColor(0xff, 0xd5, 0x80) : palette().color(QPalette::Highlight);
  fill.setAlphaF(warning_ ? (dark ? 0.35 : 0.45) : 0.15);
  painter.fillRect(rect(), fill);
  painter.setPen(palette().color(QPalette::Mid));
  painter.drawLine(rect().bottomLeft(), rect().bottomRight());
}

}  // namespace graft::ui
