#include "ui/node_item.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>
#include <algorithm>

#include "graph/summary.h"
#include "ui/card_icons.h"
#include "ui/category_style.h"

namespace graft::ui {
namespace {

constexpr double kRadius = 6.0;
constexpr double kBand = 7.0;
constexpr double kOutline = 5.0;  // the selection outline's distance around the card

void drawWarning(QPainter* painter, const QRectF& box) {
  painter->save();
  QPainterPath triangle;
  triangle.moveTo(box.center().x(), box.top());
  triangle.lineTo(box.bottomRight());
  triangle.lineTo(box.bottomLeft());
  triangle.closeSubpath();
  painter->setPen(Qt::NoPen);
  painter->setBrush(QColor(0xd6, 0x2d, 0x20));
  painter->drawPath(triangle);
  painter->setPen(QPen(Qt::white, box.width() * 0.12, Qt::SolidLine, Qt::RoundCap));
  const double x = box.center().x();
  painter->drawLine(QPointF(x, box.top() + box.height() * 0.35),
                    QPointF(x, box.top() + box.height() * 0.65));
  painter->drawPoint(QPointF(x, box.top() + box.height() * 0.82));
  painter->restore();
}

}  // namespace

QString compactCount(qint64 value) {
  if (value >= 10'000'000) return QString::number(value / 1e6, 'f', 1) + " M";
  return QString::fromStdString(withThousands(value));
}

NodeItem::NodeItem(const NodeView& view, bool compact) : view_(view), compact_(compact) {
  setFlag(ItemIsSelectable);
  setAcceptHoverEvents(true);
  // No item cache: a cached card kept showing its old text after an edit until the view was
  // zoomed (issue #21); painting the visible cards is cheap (far out they are plain blocks).
  setCacheMode(NoCache);
  updateToolTip();
}

QString NodeItem::typeLabel() const {
  return view_.typeLabel.isEmpty() ? view_.className : view_.typeLabel;
}

QStringList NodeItem::lines() const {
  QString typeLine = view_.className;
  if (view_.params > 0)
    typeLine += QStringLiteral("  ·  ") + compactCount(view_.params) + " params";
  QStringList result{view_.name, typeLine};
  if (!compact_) result << (view_.problem.isEmpty() ? view_.shape : view_.problem);
  return result;
}

void NodeItem::setView(const NodeView& view) {
  if (view == view_) return;
  view_ = view;
  updateToolTip();
  update();
}

void NodeItem::setDropHighlight(bool on) {
  if (dropHighlight_ == on) return;
  dropHighlight_ = on;
  update();
}

void NodeItem::setFound(bool on) {
  if (found_ == on) return;
  found_ = on;
  update();
}

void NodeItem::setCandidateAccuracy(double accuracy) {
  if (accuracy < 0) accuracy = -1.0;
  if (accuracy == candidateAccuracy_) return;
  candidateAccuracy_ = accuracy;
  updateToolTip();
  update();
}

QColor NodeItem::accuracyColor(double accuracy) {
  // Hue 0 (red) to 120 (green); the value kept dark enough for white badge text.
  const double a = std::clamp(accuracy, 0.0, 1.0);
  return QColor::fromHsvF(static_cast<float>(a / 3.0), 0.85f, 0.78f);
}

void NodeItem::updateToolTip() {
  QString tip = QStringLiteral("<b>%1</b> (%2)<br>output %3<br>%4 parameters%5")
                    .arg(view_.name.toHtmlEscaped(), view_.className,
                         view_.shape.isEmpty() ? QStringLiteral("unknown") : view_.shape,
                         QString::fromStdString(withThousands(view_.params)),
                         view_.trainable ? QString() : QStringLiteral(" — <i>frozen</i>"));
  if (isMarkedCandidate())
    tip += QStringLiteral("<hr>cut point: %1% validation accuracy (cut-point explorer)")
               .arg(candidateAccuracy_ * 100, 0, 'f', 1);
  if (!view_.problem.isEmpty())
    tip += QStringLiteral("<hr><span style='color:#d62d20'>%1</span>")
               .arg(view_.problem.toHtmlEscaped());
  setToolTip(tip);
}

QRectF NodeItem::boundingRect() const {
  // The card as drawn: a compact card's full-size bounds took clicks and drops meant for the
  // edge or the card below it.
  const QSizeF size = cardSize(compact_);
  const double m = kOutline + 2;
  return QRectF(-size.width() / 2 - m, -size.height() / 2 - m, size.width() + 2 * m,
                size.height() + 2 * m);
}

QPainterPath NodeItem::shape() const {
  // Clicks on the card as drawn, without the selection outline's margin: a right-click a few
  // pixels below a card, on the arrow leaving it, opened the card's menu instead.
  const QSizeF size = cardSize(compact_);
  QPainterPath path;
  path.addRect(QRectF(-size.width() / 2, -size.height() / 2, size.width(), size.height()));
  return path;
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const QPalette palette = QApplication::palette();
  const QSizeF size = cardSize(compact_);
  const QRectF card(-size.width() / 2, -size.height() / 2, size.width(), size.height());
  const QColor accent = categoryColor(view_.category);
  const bool broken = !view_.problem.isEmpty();
  const bool frozen = !view_.trainable;
  const double lod = option->levelOfDetailFromTransform(painter->worldTransform());

  painter->setRenderHint(QPainter::Antialiasing);
  QColor fill = categoryFill(view_.category, palette);
  if (frozen) fill = fill.darker(isDarkPalette(palette) ? 115 : 106);

  // Zoomed out (a graph fitted in a small window, the overview) the card's text would be a
  // smear of a few pixels: its colour and short type instead, or a plain block further out.
  if (const CardDetail detail = cardDetail(lod, card.height()); detail != CardDetail::Full) {
    PlainCard plain{card, broken ? QColor(0xd6, 0x2d, 0x20) : accent, typeLabel(), frozen, {}};
    if (dropHighlight_) plain.marks.push_back({palette.color(QPalette::Highlight), 3});
    if (found_) plain.marks.push_back({QColor(0xff, 0xa5, 0x00), 3});
    if (isMarkedCandidate()) plain.marks.push_back({accuracyColor(candidateAccuracy_), 4});
    if (isSelected() && detail == CardDetail::Label) {
      // Inverted, as a selected chip, its colour kept as a frame: an outline as thick as the
      // full card's covered the label.
      plain.marks.insert(plain.marks.begin(), {plain.fill, 2});
      plain.fill = palette.color(QPalette::WindowText);
    } else if (isSelected()) {
      // In the text colour: the highlight blue inside a blue convolution block read as nothing.
      plain.marks.push_back({palette.color(QPalette::WindowText), 3});
    }
    paintPlainCard(painter, plain, lod);
    return;
  }

  QPainterPath shape;
  shape.addRoundedRect(card, kRadius, kRadius);
  painter->fillPath(shape, fill);
  if (frozen) {
    // Hatching in the freeze boundary's blue reads as "locked" at a glance, even without the
    // padlock (the faint grey hatching before went unseen).
    QColor tint = kIce;
    tint.setAlphaF(0.12);
    painter->fillPath(shape, tint);
    QColor hatch = kIce;
    hatch.setAlphaF(0.45);
    painter->fillPath(shape, QBrush(hatch, Qt::BDiagPattern));
  }
  // Category band on the left edge.
  painter->save();
  painter->setClipPath(shape);
  painter->fillRect(QRectF(card.left(), card.top(), kBand, card.height()),
                    frozen ? accent.darker(130) : accent);
  painter->restore();

  QColor frame = palette.color(QPalette::Mid);
  double frameWidth = 1.0;
  if (broken) {
    frame = QColor(0xd6, 0x2d, 0x20);
    frameWidth = 2.5;
  }
  if (isMarkedCandidate()) {
    frame = accuracyColor(candidateAccuracy_);
    frameWidth = 3.5;
  }
  if (found_) {
    frame = QColor(0xff, 0xa5, 0x00);
    frameWidth = 3.0;
  }
  if (dropHighlight_) {
    frame = palette.color(QPalette::Highlight);
    frameWidth = 3.0;
  }
  painter->setPen(QPen(frame, frameWidth));
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(shape);
  if (isSelected()) {
    // Around the card rather than on its frame, so it shows on red (broken) and found cards too.
    QPainterPath outline;
    const QRectF around =
        card.adjusted(-kOutline + 1.5, -kOutline + 1.5, kOutline - 1.5, kOutline - 1.5);
    outline.addRoundedRect(around, kRadius + 3, kRadius + 3);
    painter->setPen(QPen(palette.color(QPalette::Highlight), 3.0));
    painter->drawPath(outline);
  }

  const QColor text = palette.color(QPalette::Text);
  QColor muted = text;
  muted.setAlphaF(0.68);
  const double left = card.left() + kBand + 8;
  const double right = card.right() - 8;
  QFont font = painter->font();
  font.setPointSizeF(9.0);
  QFont bold = font;
  bold.setBold(true);
  const double iconSize = 14;
  const double nameRight = (frozen || broken) ? right - iconSize - 4 : right;

  const QStringList texts = lines();
  painter->setFont(bold);
  painter->setPen(text);
  const QFontMetricsF boldMetrics(bold);
  const QRectF nameRect(left, card.top() + 4, nameRight - left, boldMetrics.height());
  painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                    boldMetrics.elidedText(texts[0], Qt::ElideMiddle, nameRect.width()));

  painter->setFont(font);
  const QFontMetricsF metrics(font);
  const double line = metrics.height();
  painter->setPen(muted);
  painter->drawText(QRectF(left, nameRect.bottom() + 1, right - left, line),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    metrics.elidedText(texts[1], Qt::ElideRight, right - left));
  if (texts.size() > 2) {
    painter->setPen(broken ? QColor(0xd6, 0x2d, 0x20) : text);
    // Room for the accuracy badge on a marked cut point.
    const double width = (isMarkedCandidate() ? right - 40 : right) - left;
    painter->drawText(QRectF(left, nameRect.bottom() + 1 + line, width, line),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      metrics.elidedText(texts[2], Qt::ElideRight, width));
  }

  if (isMarkedCandidate()) {
    // The accuracy as a badge in the mark's colour at the card's lower right corner.
    const QString label = QStringLiteral("%1%").arg(qRound(candidateAccuracy_ * 100));
    QFont badgeFont = bold;
    badgeFont.setPointSizeF(8.5);
    const QFontMetricsF badgeMetrics(badgeFont);
    const double w = badgeMetrics.horizontalAdvance(label) + 10;
    const double h = badgeMetrics.height() + 2;
    const QRectF badge(card.right() - w - 4, card.bottom() - h - 3, w, h);
    painter->setPen(Qt::NoPen);
    painter->setBrush(accuracyColor(candidateAccuracy_));
    painter->drawRoundedRect(badge, h / 2, h / 2);
    painter->setFont(badgeFont);
    painter->setPen(Qt::white);
    painter->drawText(badge, Qt::AlignCenter, label);
    painter->setFont(font);
  }

  const QRectF iconBox(right - iconSize, card.top() + 5, iconSize, iconSize);
  if (broken) {
    drawWarning(painter, iconBox);
  } else if (frozen) {
    drawLock(painter, iconBox.adjusted(1.5, 0, -1.5, 0), kIce.darker(120));
  }
}

}  // namespace graft::ui
