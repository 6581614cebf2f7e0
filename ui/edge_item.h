#pragma once
// A connection between two layers, routed by the layout, with an arrowhead at the consumer.
// While a palette entry is dragged over it the edge lights up: dropping there inserts the new
// layer between its two ends.
#include <QGraphicsPathItem>
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

  // A wider shape than the visible line so the edge is easy to hit with a drop.
  QPainterPath shape() const override;
  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  QString from_;
  QString to_;
  bool dropHighlight_ = false;
};

}  // namespace graft::ui
