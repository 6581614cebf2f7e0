#pragma once
// What layer cards and collapsed nested-model cards draw alike: the padlock of frozen weights in
// the freeze boundary's ice blue, and the simplified card of a zoomed-out view.
#include <QColor>
#include <QRectF>
#include <QString>
#include <vector>

class QPainter;

namespace graft::ui {

// The freeze boundary's colour: frozen means "above it".
inline const QColor kIce(0x3b, 0x9a, 0xd8);

// A padlock drawn with paths, so it scales crisply at every zoom level.
void drawLock(QPainter* painter, const QRectF& box, const QColor& color);

// How a card reads at a zoom (`lod`, QStyleOptionGraphicsItem::levelOfDetailFromTransform): its
// own text while that is 7 px high on screen or more; below, filled with its colour and one
// short label in a font sized in screen pixels (as Netron and yEd draw a fitted graph: the
// 9-point text at 25 % was a few-pixel smear); a card too small for even that label is a block.
enum class CardDetail { Full, Label, Block };
CardDetail cardDetail(double lod, double cardHeight);
// The label's font size in screen pixels at `lod` (Label only): as large as the card allows,
// at most the size of the card's own text.
double cardLabelPixels(double lod, double cardHeight);

// A frame drawn inside a simplified card (selection, find, drop target, cut-point mark), its
// width in screen pixels: one drawn around it would reach past the item's bounds.
struct CardMark {
  QColor color;
  double pixels = 3;
};
struct PlainCard {
  QRectF rect;
  QColor fill;
  QString label;  // drawn only at CardDetail::Label
  bool frozen = false;
  std::vector<CardMark> marks;  // outermost first
};
// Draws `card` simplified at `lod`: its fill, frozen as an ice-blue strip (Label: on the left,
// beside the label; Block: the lower half, so frozen runs read as one blue run), the marks
// (at most 2 px beside a label), and the label centred in the text colour that contrasts most
// with the fill.
void paintPlainCard(QPainter* painter, const PlainCard& card, double lod);

}  // namespace graft::ui
