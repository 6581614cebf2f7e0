#include "ui/notes_banner.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QRegularExpression>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

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
  close->setAccessibleName(tr("Close message"));  // not "✕"
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
  // Trained since: downloading Keras's weights would open the model anew, without the training.
  if (!warning_) download_->setRequest(std::nullopt);
  update();
}

bool NotesBanner::setLines(const QString& weightsSource, const QStringList& notes) {
  warning_ = weightsSource.startsWith(QStringLiteral("random"));
  QStringList lines;
  QStringList whole;
  if (!weightsSource.isEmpty()) {
    lines << tr("<b>Weights:</b> %1").arg(withFileNames(weightsSource).toHtmlEscaped());
    whole << tr("Weights: %1").arg(weightsSource);
  }
  for (const QString& note : notes) lines << withFileNames(note).toHtmlEscaped();
  whole << notes;
  label_->setText(lines.join(QStringLiteral("<br>")));
  label_->setToolTip(whole.join('\n'));  // the whole paths
  return !lines.isEmpty();
}

QString NotesBanner::withFileNames(const QString& text) {
  // Files by their names: their folders, repeated on every note about them, took three lines
  // of a small screen's graph.
  static const QRegularExpression path(QStringLiteral("/[^\\s,;:()'\"]+"));
  QString shortened = text;
  QRegularExpressionMatchIterator found = path.globalMatch(text);
  QStringList files;
  while (found.hasNext()) {
    const QString candidate = found.next().captured(0);
    if (QFileInfo(candidate).isFile() && !files.contains(candidate)) files << candidate;
  }
  // Longest first: a path that begins another is not cut out of it.
  std::sort(files.begin(), files.end(),
            [](const QString& a, const QString& b) { return a.size() > b.size(); });
  for (const QString& file : files) shortened.replace(file, QFileInfo(file).fileName());
  return shortened;
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
