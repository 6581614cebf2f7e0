#pragma once
// A nested Keras model (a Sequential or Functional used as a layer) drawn as a titled box behind
// its layers: the user's structure stays visible while every inner layer is edited like any
// other. Collapsed, it is one card instead (name, class, parameters, frozen when all its weights
// are), standing for its layers in the layout. The ▸/▾ button in the title (and a double click
// on the title or card) toggles that; the view handles the clicks (toggleRect(), isOnTitle()),
// the scene keeps the state. Never selected: it only shows.
#include <QGraphicsItem>
#include <QString>
#include <QStringList>
#include <vector>

namespace graft::ui {

struct GroupView {
  QString path;       // "sequential_1/model1"
  QString name;       // "model1"
  QString className;  // "Functional"
  qint64 params = 0;
  int depth = 0;
  int layers = 0;       // layers inside, those of nested groups included
  bool frozen = false;  // it has weights and every one is frozen
  QString shape;        // its output's shape, "(None, 7, 7, 1280)"; empty when unknown
};

class GroupItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 6 };
  // `rect`: the box, or the card when `collapsed` (`compact`: a compact layout's card size).
  // `continued`: further boxes of the same model when a wrapped layout splits it over columns.
  GroupItem(const GroupView& view, const QRectF& rect, std::vector<QRectF> continued = {},
            bool collapsed = false, bool compact = false);
  int type() const override { return Type; }
  const GroupView& view() const { return view_; }
  bool isCollapsed() const { return collapsed_; }
  QRectF rect() const { return rect_; }
  QString title() const;  // "model1 (Functional) · 410,208 params"
  // The collapsed card's lines, whole (painting elides them): name, class with parameters, and
  // (full-size cards) the layer count, frozen state and output shape.
  QStringList lines() const;
  void setView(const GroupView& view);

  // Scene coordinates (the item stays at the origin).
  QRectF toggleRect() const;                      // the ▸/▾ button
  bool isOnTitle(const QPointF& scenePos) const;  // the box's title band or the whole card
  // An expanded box's ▸/▾ button and title as drawn (elided to the box), the band's height;
  // empty for a card. Edges are not drawn there (ui/edge_labels.h): the line from the layer
  // above into the box struck the title through.
  QRectF titleTextRect() const;

  QRectF boundingRect() const override { return bounds_; }
  // Only the title band (or the card) is the item: the box's inside belongs to the canvas, so
  // pressing there pans as on empty space.
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 protected:
  void hoverMoveEvent(QGraphicsSceneHoverEvent* event) override;

 private:
  QRectF titleRect() const;
  QRectF titleTextArea() const;  // where the title may go, right of the button
  QString shownTitle() const;    // elided to that area
  void paintBox(QPainter* painter, double lod);
  void paintCard(QPainter* painter, double lod);
  void paintToggle(QPainter* painter);
  GroupView view_;
  QRectF rect_;
  std::vector<QRectF> continued_;
  QRectF bounds_;
  bool collapsed_ = false;
  bool compact_ = false;
};

}  // namespace graft::ui
