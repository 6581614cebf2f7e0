#include "ui/card_icons.h"

#include <QApplication>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace graft::ui {
namespace {

constexpr double kMinLabelPixels = 7.0;
constexpr double kCardPoints = 9.0;  // the full card's text

// The card's own text height (9 pt) in screen pixels per unit of zoom.
double cardTextHeight() {
  QFont font = QApplication::font();
  font.setPointSizeF(kCardPoints);
  return QFontMetricsF(font).height();
}

// WCAG's relative luminance, to choose black or white text on a category colour.
double luminance(const QColor& color) {
  const auto linear = [](double c) {
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF()) +
         0.0722 * linear(color.blueF());
}

QColor textOn(const QColor& fill) {
  const double l = luminance(fill);
  return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? Qt::white : QColor(0x16, 0x16, 0x16);
}

}  // namespace

CardDetail cardDetail(double lod, double cardHeight) {
  if (lod * cardTextHeight() >= kMinLabelPixels) return CardDetail::Full;
  if (cardLabelPixels(lod, cardHeight) >= kMinLabelPixels) return CardDetail::Label;
  return CardDetail::Block;
}

double cardLabelPixels(double lod, double cardHeight) {
  // The label's line (about 1.2 times the pixel size) fills at most the card's height.
  QFont font = QApplication::font();
  font.setPointSizeF(kCardPoints);
  const double own = QFontInfo(font).pixelSize();
  return std::min(own, cardHeight * lod / 1.2);
}

void paintPlainCard(QPainter* painter, const PlainCard& card, double lod) {
  const bool label = cardDetail(lod, card.rect.height()) == CardDetail::Label;
  const double pixel = 1.0 / std::max(lod, 0.01);  // one screen pixel in item units
  painter->save();
  painter->setPen(Qt::NoPen);
  painter->setBrush(card.fill);
  painter->drawRect(card.rect);
  QRectF textArea = card.rect;
  if (card.frozen) {
    painter->setBrush(kIce);
    if (label) {
      const double strip = std::min(4 * pixel, card.rect.width() / 4);
      painter->drawRect(QRectF(card.rect.topLeft(), QSizeF(strip, card.rect.height())));
      textArea.setLeft(card.rect.left() + strip);
    } else {
      painter->drawRect(card.rect.adjusted(0, card.rect.height() / 2, 0, 0));
    }
  }
  painter->setBrush(Qt::NoBrush);
  QRectF inside = card.rect;
  for (const CardMark& mark : card.marks) {
    // Thin beside a label, which needs the card's height.
    const double pixels = label ? std::min(mark.pixels, 2.0) : mark.pixels;
    const double width = std::min(pixels * pixel, inside.height() / 3);
    painter->setPen(QPen(mark.color, width));
    painter->drawRect(inside.adjusted(width / 2, width / 2, -width / 2, -width / 2));
    inside.adjust(width, width, -width, -width);
  }
  if (label && !card.label.isEmpty()) {
    // In screen pixels, so the label keeps its size whatever the zoom.
    // Centred on the card's height: the frames inside are thin enough to pass through.
    const double left = std::max(textArea.left(), inside.left());
    const QRectF area(left, card.rect.top(), std::min(textArea.right(), inside.right()) - left,
                      card.rect.height());
    const QRectF onScreen = painter->worldTransform().mapRect(area);
    painter->resetTransform();
    // As large as fits: smaller, then regular weight, down to the floor; elided only there.
    const double room = onScreen.width() - 4;
    QFont font = QApplication::font();
    QString text = card.label;
    bool fits = false;
    for (const bool bold : {true, false}) {
      font.setBold(bold);
      for (int size = static_cast<int>(cardLabelPixels(lod, card.rect.height()));
           size >= kMinLabelPixels && !fits; --size) {
        font.setPixelSize(size);
        fits = QFontMetricsF(font).horizontalAdvance(text) <= room;
      }
      if (fits) break;
    }
    if (!fits) text = QFontMetricsF(font).elidedText(text, Qt::ElideRight, room);
    painter->setFont(font);
    painter->setPen(textOn(card.fill));
    painter->drawText(onScreen.adjusted(2, 0, -2, 0), Qt::AlignCenter | Qt::TextDontClip, text);
  }
  painter->restore();
}

void drawLock(QPainter* painter, const QRectF& box, const QColor& color) {
  painter->save();
  painter->setPen(QPen(color, box.width() * 0.14, Qt::SolidLine, Qt::RoundCap));
  painter->setBrush(Qt::NoBrush);
  const QRectF shackle(box.left() + box.width() * 0.22, box.top(), box.width() * 0.56,
                       box.height() * 0.7);
  painter->drawArc(shackle, 0, 180 * 16);
  painter->drawLine(QPointF(shackle.left(), shackle.center().y()),
                    QPointF(shackle.left(), box.top() + box.height() * 0.45));
  painter->drawLine(QPointF(shackle.right(), shackle.center().y()),
                    QPointF(shackle.right(), box.top() + box.height() * 0.45));
  painter->setPen(Qt::NoPen);
  painter->setBrush(color);
  painter->drawRoundedRect(
      QRectF(box.left(), box.top() + box.height() * 0.42, box.width(), box.height() * 0.58),
      box.width() * 0.12, box.width() * 0.12);
  painter->restore();
}

}  // namespace graft::ui
