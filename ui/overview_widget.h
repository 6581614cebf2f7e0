#pragma once
// A bird's-eye view of the whole graph with a frame showing what the main view shows. Click or
// drag in it to move the main view there: the way around InceptionV3's 300 layers.
#include <QGraphicsView>

namespace graft::ui {

class GraphView;

class OverviewWidget : public QGraphicsView {
  Q_OBJECT
 public:
  explicit OverviewWidget(GraphView* main, QWidget* parent = nullptr);
  QSize sizeHint() const override { return {220, 260}; }

 public Q_SLOTS:
  void refit();

 protected:
  void drawForeground(QPainter* painter, const QRectF& rect) override;
  void drawBackground(QPainter* painter, const QRectF& rect) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;

 private:
  void moveMainTo(const QPoint& pos);
  GraphView* main_;
  bool dragging_ = false;
};

}  // namespace graft::ui
