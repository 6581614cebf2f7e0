#pragma once
// A nested Keras model (a Sequential or Functional used as a layer) drawn as a titled box behind
// its layers: the user's structure stays visible while every inner layer is edited like any
// other. Not selectable; it only shows.
#include <QGraphicsItem>
#include <QString>
#include <vector>

namespace graft::ui {

struct GroupView {
  QString path;       // "sequential_1/model1"
  QString name;       // "model1"
  QString className;  // "Functional"
  qint64 params = 0;
  int depth = 0;
};

class GroupItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 6 };
  // `continued`: further boxes of the same model when a wrapped layout splits it over columns.
  GroupItem(const GroupView& view, const QRectF& rect, std::vector<QRectF> continued = {});
  int type() const override { return Type; }
  const GroupView& view() const { return view_; }
  QString title() const;  // "model1 (Functional) · 410,208 params"
  void setView(const GroupView& view);

  QRectF boundingRect() const override { return bounds_; }
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  GroupView view_;
  QRectF rect_;
  std::vector<QRectF> continued_;
  QRectF bounds_;
};

}  // namespace graft::ui
