#pragma once
// The freeze boundary: a line across the graph with a handle. Everything above it is frozen
// (not trained), everything below trains. Drag it up or down; on release the scene reports
// where it was let go and the editor applies the matching freeze/unfreeze as one edit.
#include <QGraphicsObject>

namespace graft::ui {

class FreezeBoundaryItem : public QGraphicsObject {
  Q_OBJECT
 public:
  enum { Type = UserType + 3 };
  FreezeBoundaryItem(double left, double right);
  int type() const override { return Type; }
  void setSpan(double left, double right);
  // The label tells how many layers the boundary freezes.
  void setFrozenCount(int count);
  QRectF handleRect() const;
  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 Q_SIGNALS:
  void released(double y);
  void dragged(double y);

 protected:
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
  void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
  void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

 private:
  double left_;
  double right_;
  int frozen_ = 0;
  bool hover_ = false;
};

}  // namespace graft::ui
