#pragma once
// A connection between two layers, routed by the layout, with an arrowhead at the consumer and
// (compact layouts, as Netron does) the tensor's shape written on it.
// While a palette entry is dragged over it the edge lights up: dropping there inserts the new
// layer between its two ends.
#include <QGraphicsPathItem>
#include <QList>
#include <QRectF>
#include <QString>

namespace graft::ui {

class EdgeItem : public QGraphicsPathItem {
 public:
  enum { Type = UserType + 2 };
  EdgeItem(const QString& from, const QString& to, const QPainterPath& path);
  int type() const override { return Type; }
  const QString& from() const { return from_; }
  const QString& to() const { return to_; }
  void setDropHighlight(bool on);
  // The producer's output shape; drawn on the edge only when `visible`, always in the tooltip.
  void setLabel(const QString& label, bool visible);
  const QString& label() const { return label_; }
  bool isLabelVisible() const { return labelVisible_; }
  QRectF labelRect() const;  // where the label is drawn (empty when hidden)
  // The label's box centred at `percent` of the edge's length (0.5 by default: its middle).
  QRectF labelRectAt(double percent) const;
  void setLabelAt(double percent);
  // Where the edge is not drawn (scene rectangles): nested models' titles it would cross.
  void setGaps(QList<QRectF> gaps);
  const QList<QRectF>& gaps() const { return gaps_; }

  // A wider shape than the visible line so the edge is easy to hit with a drop.
  QPainterPath shape() const override;
  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  QString from_;
  QString to_;
  bool dropHighlight_ = false;
  QString label_;
  bool labelVisible_ = false;
  double labelAt_ = 0.5;
  QList<QRectF> gaps_;
};

}  // namespace graft::ui
