#pragma once
// The "output" tag under each model output. Drag it onto another layer to make that layer the
// model's output (cut everything after it); the scene reports where it was dropped.
#include <QGraphicsObject>

namespace graft::ui {

class OutputMarkerItem : public QGraphicsObject {
  Q_OBJECT
 public:
  enum { Type = UserType + 4 };
  explicit OutputMarkerItem(const QString& output);
  int type() const override { return Type; }
  const QString& output() const { return output_; }
  // The main view's zoom: zoomed out the tag keeps a readable size on screen
  // (ui/overlay_label.h), growing downwards from where it starts under the layer (rightwards
  // from where it starts beside the layer).
  void setViewScale(double scale);
  // Left to right layouts: the tag sits right of the layer, its notch pointing left at it (it
  // was centred on the layer's right edge, over the card's end, pointing up).
  void setBesideLayer(bool beside);
  bool isCompact() const;
  QString text() const;
  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 Q_SIGNALS:
  void dropped(const QString& output, const QPointF& scenePos);

 protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;

 private:
  QRectF box() const;  // the tag without its notch
  QString output_;
  QPointF home_;
  double scale_ = 1.0;
  bool beside_ = false;
};

}  // namespace graft::ui
