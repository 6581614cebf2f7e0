#pragma once
// A layer drawn as a card: category colour band, name, type, output shape and parameter count
// (compact cards leave the shape to the edges, as Netron does). Frozen layers are hatched in the
// freeze boundary's ice blue with a padlock; the selection gets an outline around the card; a
// layer whose shape cannot be inferred gets a red frame and the core's message as tooltip. The
// tooltip always holds the whole text, which the card may have to elide. Zoomed out, where that
// text would be under 7 px on screen, the card is filled with its category colour and shows its
// short type in a font sized in screen pixels (card_icons.h). Cards are selectable
// but not movable: positions come from the layout, which follows the document. A cut point
// the explorer measured gets a frame and an accuracy badge in a red-to-green colour.
#include <QColor>
#include <QGraphicsObject>
#include <QString>

#include "graph/layer_registry.h"

namespace graft::ui {

struct NodeView {
  QString name;
  QString className;
  QString typeLabel;  // short, for a zoomed-out card ("BN", "relu"); empty: the class name
  LayerCategory category = LayerCategory::Reshape;
  QString shape;  // "(None, 7, 7, 1024)" or empty when unknown
  qint64 params = 0;
  bool trainable = true;
  bool hasWeights = false;  // frozen matters visually only for layers with weights
  QString problem;          // the diagnostic for this layer, empty when fine
  bool operator==(const NodeView& o) const {
    return name == o.name && className == o.className && typeLabel == o.typeLabel &&
           shape == o.shape && params == o.params && trainable == o.trainable &&
           hasWeights == o.hasWeights && problem == o.problem;
  }
};

class NodeItem : public QGraphicsObject {
  Q_OBJECT
 public:
  enum { Type = UserType + 1 };
  static QSizeF cardSize(bool compact = false) {
    return compact ? QSizeF(168, 40) : QSizeF(216, 62);
  }

  explicit NodeItem(const NodeView& view, bool compact = false);
  int type() const override { return Type; }
  const NodeView& view() const { return view_; }
  QString name() const { return view_.name; }
  void setView(const NodeView& view);
  bool isCompact() const { return compact_; }
  // The card's lines, whole (painting elides them to fit): name, type with parameter count,
  // and (full-size cards) the output shape or the problem.
  QStringList lines() const;
  // What the card shows zoomed out: the short type ("Conv", "BN").
  QString typeLabel() const;
  // Drop target feedback while a palette entry is dragged over the card.
  void setDropHighlight(bool on);
  // Briefly emphasised after "find layer".
  void setFound(bool on);
  // The cut-point explorer's validation accuracy here (0..1); negative: not a measured cut.
  void setCandidateAccuracy(double accuracy);
  double candidateAccuracy() const { return candidateAccuracy_; }
  bool isMarkedCandidate() const { return candidateAccuracy_ >= 0; }
  // The mark's colour: red (chance, 0) through amber to green (1).
  static QColor accuracyColor(double accuracy);

  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  void updateToolTip();
  NodeView view_;
  bool dropHighlight_ = false;
  bool found_ = false;
  double candidateAccuracy_ = -1.0;
  bool compact_ = false;
};

// "1,792" / "23.6 M" for the card's compact parameter line.
QString compactCount(qint64 value);

}  // namespace graft::ui
