#pragma once
// The freeze boundary: a line across the graph with a handle. Everything above it is frozen
// (not trained), everything below trains. Drag it up or down (in a layout wrapped into columns,
// also to another column: everything in the columns before it counts as above); on release the
// scene reports where it was let go and the editor applies the matching freeze/unfreeze as one
// edit.
#include <QGraphicsObject>
#include <QList>
#include <optional>
#include <utility>
#include <vector>

namespace graft::ui {

class FreezeBoundaryItem : public QGraphicsObject {
  Q_OBJECT
 public:
  enum { Type = UserType + 3 };
  FreezeBoundaryItem(double left, double right);
  int type() const override { return Type; }
  // Wrapped layouts: the boundary may sit in any of `count` columns `step` apart (x snaps to
  // them); 0 keeps it in place horizontally.
  void setColumns(double step, int count);
  // The label tells how many layers the boundary freezes, and how many more are frozen below
  // it on their own (an unticked layer inside the frozen block moved the bar up, and the label
  // read 21 frozen with 43 frozen).
  void setFrozenCount(int count, int elsewhere = 0);
  int frozenCount() const { return frozen_; }
  int frozenElsewhere() const { return elsewhere_; }
  // The main view's zoom (1.0 = 100 %). Below the zoom where the handle's own text would be
  // smaller than 7 px on screen (a fitted graph: it was a few-pixel smear), the handle keeps a
  // fixed size on screen and shows its short text ("▲ 21"), as zoomed-out cards show their
  // short type; the tooltip says the rest.
  void setViewScale(double scale);
  bool isCompact() const;
  QString handleText() const;  // what the handle shows at the view's zoom
  QRectF handleRect() const;
  QRectF lineRect() const;  // the line's band, in item coordinates
  // Puts the handle where it covers none of the cards (scene rects): left of the line where
  // that is clear, else the nearest clear place on the line or just after its end, else above
  // the cards over the line's start, a dashed leader down to the line. In a layout wrapped into
  // columns the fitted handle, many times wider than the gutter left of the line, covered the
  // right end of the previous column's cards. Kept while dragged.
  void placeHandleClearOf(const QList<QRectF>& cards);
  bool handleIsRaised() const { return handleOffset_.y() < 0; }
  // Where the line breaks for labels it crosses (x ranges in item coordinates), kept only while
  // the bar stays where they were measured: a dragged bar is drawn whole.
  void setLineGaps(std::vector<std::pair<double, double>> gaps);
  const std::vector<std::pair<double, double>>& lineGaps() const { return gaps_; }
  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 Q_SIGNALS:
  void released(const QPointF& at);
  void dragged(const QPointF& at);

 protected:
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;
  void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
  void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
  void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

 private:
  double left_;
  double right_;
  std::vector<std::pair<double, double>> gaps_;
  QPointF gapsAt_;
  int frozen_ = 0;
  int elsewhere_ = 0;
  double scale_ = 1.0;
  QPointF handleOffset_;  // from the handle's place left of the line
  bool hover_ = false;
  double columnStep_ = 0;
  int columns_ = 1;
  // While dragging: the pointer's scene x, which picks the column (the column under the pointer,
  // its gutter on the left included, where the handle sits).
  std::optional<double> pointerX_;
  int columnUnder(double sceneX) const;
  QRectF handleHome() const;  // left of the line, unshifted
  double handleGap() const;   // between the handle and the line
};

}  // namespace graft::ui
