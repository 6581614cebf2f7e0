#include "ui/group_item.h"

#include <QApplication>
#include <QCursor>
#include <QFontMetricsF>
#include <QGraphicsSceneHoverEvent>
#include <QLocale>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

#include "ui/card_icons.h"
#include "ui/node_item.h"

namespace graft::ui {
namespace {

const QColor kFrame(0x6b, 0x7b, 0x8c);  // nested models are grey: they are no layer category
constexpr double kTitleHeight = 24;
constexpr double kCardRadius = 6.0;
constexpr double kBand = 7.0;
constexpr double kStackOffset = 3.5;  // the sheets behind a collapsed card

QFont groupTitleFont() {
  QFont font = QApplication::font();
  font.setBold(true);
  return font;
}

}  // namespace

GroupItem::GroupItem(const GroupView& view, const QRectF& rect, std::vector<QRectF> continued,
                     bool collapsed, bool compact)
    : view_(view),
      rect_(rect),
      continued_(std::move(continued)),
      bounds_(rect),
      collapsed_(collapsed),
      compact_(compact) {
  for (const QRectF& piece : continued_) bounds_ |= piece;
  if (collapsed_) bounds_.adjust(0, 0, 2 * kStackOffset + 1, 2 * kStackOffset + 1);
  // A box is behind edges and cards, inner boxes over outer ones; a card is among the cards.
  setZValue(collapsed_ ? 0 : -20 + view.depth);
  setAcceptedMouseButtons(Qt::NoButton);
  setAcceptHoverEvents(true);
  setView(view);
}

QString GroupItem::title() const {
  return QStringLiteral("%1 (%2) \u00b7 %3 params")
      .arg(view_.name, view_.className, QLocale(QLocale::English).toString(view_.params));
}

QStringList GroupItem::lines() const {
  QStringList result{view_.name, view_.className + QStringLiteral("  \u00b7  ") +
                                     compactCount(view_.params) + QStringLiteral(" params")};
  if (!compact_) {
    QString facts = QStringLiteral("%1 layers").arg(view_.layers);
    if (view_.frozen) facts += QStringLiteral("  \u00b7  frozen");
    if (!view_.shape.isEmpty()) facts += QStringLiteral("  \u00b7  ") + view_.shape;
    result << facts;
  }
  return result;
}

void GroupItem::setView(const GroupView& view) {
  view_ = view;
  setToolTip(QStringLiteral("Nested model %1\n%2\n%3 layers%4, output %5\n%6")
                 .arg(view_.path, title())
                 .arg(view_.layers)
                 .arg(view_.frozen ? QStringLiteral(", all frozen") : QString(),
                      view_.shape.isEmpty() ? QStringLiteral("unknown") : view_.shape,
                      collapsed_ ? QStringLiteral("Double-click to show its layers")
                                 : QStringLiteral("Double-click the title to collapse it")));
  update();
}

QRectF GroupItem::titleRect() const {
  return collapsed_ ? rect_ : QRectF(rect_.left(), rect_.top(), rect_.width(), kTitleHeight);
}

QRectF GroupItem::toggleRect() const {
  if (collapsed_) return QRectF(rect_.left() + kBand + 5, rect_.top() + 5, 14, 14);
  return QRectF(rect_.left() + 8, rect_.top() + 5, 15, 15);
}

QRectF GroupItem::titleTextArea() const {
  const double left = toggleRect().right() + 6;
  return QRectF(left, rect_.top() + 2, rect_.right() - 12 - left, 20);
}

QString GroupItem::shownTitle() const {
  return QFontMetricsF(groupTitleFont())
      .elidedText(title(), Qt::ElideRight, titleTextArea().width());
}

QRectF GroupItem::titleTextRect() const {
  if (collapsed_) return {};
  // From the box's border (the edge still enters the box) to the band's bottom, a few units
  // beside the button and the text.
  const QRectF text = titleTextArea();
  const double right =
      text.left() + QFontMetricsF(groupTitleFont()).horizontalAdvance(shownTitle());
  return QRectF(QPointF(toggleRect().left() - 4, rect_.top() + 1.5),
                QPointF(right + 4, rect_.top() + kTitleHeight));
}

bool GroupItem::isOnTitle(const QPointF& scenePos) const {
  return isVisible() && titleRect().contains(scenePos);
}

QPainterPath GroupItem::shape() const {
  QPainterPath path;
  path.addRect(titleRect());
  return path;
}

void GroupItem::hoverMoveEvent(QGraphicsSceneHoverEvent* event) {
  if (toggleRect().contains(event->scenePos())) {
    setCursor(Qt::PointingHandCursor);
  } else {
    unsetCursor();
  }
  QGraphicsItem::hoverMoveEvent(event);
}

void GroupItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  if (collapsed_) {
    paintCard(painter, option->levelOfDetailFromTransform(painter->worldTransform()));
  } else {
    paintBox(painter, option->levelOfDetailFromTransform(painter->worldTransform()));
  }
}

void GroupItem::paintBox(QPainter* painter, double lod) {
  const QColor fill(kFrame.red(), kFrame.green(), kFrame.blue(), 18 + 10 * view_.depth);
  painter->setPen(QPen(kFrame, 1.4, Qt::DashLine));
  painter->setBrush(fill);
  painter->drawRoundedRect(rect_.adjusted(1, 1, -1, -1), 10, 10);
  for (const QRectF& piece : continued_)
    painter->drawRoundedRect(piece.adjusted(1, 1, -1, -1), 10, 10);
  paintToggle(painter);
  painter->setPen(kFrame.darker(140));
  const CardDetail detail = cardDetail(lod, kTitleHeight);
  if (detail == CardDetail::Full) {
    painter->setFont(groupTitleFont());
    painter->drawText(titleTextArea(), Qt::AlignLeft | Qt::AlignVCenter, shownTitle());
    return;
  }
  if (detail == CardDetail::Block) return;  // a band of a few pixels: the frame says enough
  // Zoomed out the title was a smear of a few pixels: the model's name in a font sized in screen
  // pixels as large as the band allows, as zoomed-out cards show their short type; within the
  // width the whole title takes, where edges pass under it.
  const QRectF area(QPointF(titleTextArea().left(), rect_.top()),
                    QPointF(titleTextRect().right() - 4, rect_.top() + kTitleHeight));
  const QRectF onScreen = painter->worldTransform().mapRect(area);
  QFont font = groupTitleFont();
  font.setPixelSize(static_cast<int>(cardLabelPixels(lod, kTitleHeight)));
  painter->save();
  painter->resetTransform();
  painter->setFont(font);
  painter->drawText(onScreen, Qt::AlignLeft | Qt::AlignVCenter,
                    QFontMetricsF(font).elidedText(view_.name, Qt::ElideRight, onScreen.width()));
  painter->restore();
}

void GroupItem::paintCard(QPainter* painter, double lod) {
  const QPalette palette = QApplication::palette();
  const QRectF card = rect_;
  QColor fill = palette.color(QPalette::Base);
  fill = QColor::fromRgbF(fill.redF() * 0.86 + kFrame.redF() * 0.14,
                          fill.greenF() * 0.86 + kFrame.greenF() * 0.14,
                          fill.blueF() * 0.86 + kFrame.blueF() * 0.14);
  if (cardDetail(lod, card.height()) != CardDetail::Full) {  // zoomed out, as the layer cards
    paintPlainCard(painter, PlainCard{card, kFrame, view_.name, view_.frozen, {}}, lod);
    return;
  }
  // Two sheets behind the card: several layers in one.
  painter->setPen(QPen(kFrame, 1.0));
  for (int sheet = 2; sheet >= 1; --sheet) {
    painter->setBrush(fill.darker(100 + 4 * sheet));
    painter->drawRoundedRect(card.translated(sheet * kStackOffset, sheet * kStackOffset),
                             kCardRadius, kCardRadius);
  }
  QPainterPath shape;
  shape.addRoundedRect(card, kCardRadius, kCardRadius);
  painter->fillPath(shape, fill);
  if (view_.frozen) {
    QColor tint = kIce;
    tint.setAlphaF(0.12);
    painter->fillPath(shape, tint);
    QColor hatch = kIce;
    hatch.setAlphaF(0.45);
    painter->fillPath(shape, QBrush(hatch, Qt::BDiagPattern));
  }
  painter->save();
  painter->setClipPath(shape);
  painter->fillRect(QRectF(card.left(), card.top(), kBand, card.height()), kFrame);
  painter->restore();
  painter->setPen(QPen(kFrame.darker(120), 1.4, Qt::DashLine));
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(shape);
  paintToggle(painter);

  const QColor text = palette.color(QPalette::Text);
  QColor muted = text;
  muted.setAlphaF(0.68);
  const double iconSize = 14;
  const double right = card.right() - 8;
  const double nameLeft = toggleRect().right() + 4;
  const double left = card.left() + kBand + 8;
  QFont font = painter->font();
  font.setPointSizeF(9.0);
  QFont bold = font;
  bold.setBold(true);
  const QStringList texts = lines();
  const QFontMetricsF boldMetrics(bold);
  const QRectF nameRect(nameLeft, card.top() + 4,
                        (view_.frozen ? right - iconSize - 4 : right) - nameLeft,
                        boldMetrics.height());
  painter->setFont(bold);
  painter->setPen(text);
  painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                    boldMetrics.elidedText(texts[0], Qt::ElideMiddle, nameRect.width()));
  painter->setFont(font);
  const QFontMetricsF metrics(font);
  const double line = metrics.height();
  painter->setPen(muted);
  for (int i = 1; i < texts.size(); ++i)
    painter->drawText(QRectF(left, nameRect.bottom() + 1 + (i - 1) * line, right - left, line),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      metrics.elidedText(texts[i], Qt::ElideRight, right - left));
  if (view_.frozen)
    drawLock(painter, QRectF(right - iconSize + 1.5, card.top() + 5, iconSize - 3, iconSize),
             kIce.darker(120));
}

void GroupItem::paintToggle(QPainter* painter) {
  // ▸ collapsed (click shows the layers), ▾ expanded.
  const QRectF box = toggleRect();
  painter->save();
  painter->setPen(QPen(kFrame, 1.0));
  painter->setBrush(QColor(kFrame.red(), kFrame.green(), kFrame.blue(), 40));
  painter->drawRoundedRect(box, 3, 3);
  QPainterPath arrow;
  const QPointF c = box.center();
  const double r = box.width() * 0.26;
  if (collapsed_) {
    arrow.moveTo(c.x() - r * 0.7, c.y() - r);
    arrow.lineTo(c.x() + r, c.y());
    arrow.lineTo(c.x() - r * 0.7, c.y() + r);
  } else {
    arrow.moveTo(c.x() - r, c.y() - r * 0.7);
    arrow.lineTo(c.x() + r, c.y() - r * 0.7);
    arrow.lineTo(c.x(), c.y() + r);
  }
  arrow.closeSubpath();
  painter->setPen(Qt::NoPen);
  painter->setBrush(kFrame.darker(140));
  painter->drawPath(arrow);
  painter->restore();
}

}  // namespace graft::ui
