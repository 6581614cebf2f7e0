#include "ui/edge_labels.h"

#include <QRectF>
#include <utility>
#include <vector>

#include "ui/edge_item.h"
#include "ui/freeze_boundary_item.h"
#include "ui/group_item.h"

namespace graft::ui {

void placeEdgeLabels(const QList<EdgeItem*>& edges, const QList<GroupItem*>& groups,
                     FreezeBoundaryItem* boundary) {
  QList<QRectF> titles;
  QList<QRectF> titleTexts;
  for (const GroupItem* group : groups)
    if (!group->isCollapsed()) {
      titles << group->mapRectToScene(group->shape().boundingRect());
      if (group->isVisible()) titleTexts << group->titleTextRect();
    }
  QRectF line;  // the bar's line, in scene coordinates
  if (boundary) line = boundary->mapRectToScene(boundary->lineRect());
  const auto clear = [](const QRectF& label, const QList<QRectF>& obstacles) {
    for (const QRectF& obstacle : obstacles)
      if (label.intersects(obstacle)) return false;
    return true;
  };
  std::vector<std::pair<double, double>> gaps;
  for (EdgeItem* edge : edges) {
    QList<QRectF> under;  // titles near the edge; it is not drawn where it meets them
    // Widened: a straight vertical edge's rect has no width, and meets nothing.
    const QRectF span = edge->mapRectToScene(edge->path().boundingRect()).adjusted(-2, -2, 2, 2);
    for (const QRectF& text : titleTexts)
      if (span.intersects(text)) under << text;
    edge->setGaps(std::move(under));
    if (!edge->isLabelVisible() || edge->label().isEmpty()) continue;
    // The middle first, then further towards either end in steps of 5 %.
    double chosen = 0.5;
    bool found = false;
    for (const bool avoidLine : {true, false}) {
      QList<QRectF> obstacles = titles;
      if (avoidLine && !line.isEmpty()) obstacles << line;
      for (int step = 0; step <= 18 && !found; ++step) {
        const double at = 0.5 + (step % 2 == 0 ? 1 : -1) * 0.05 * ((step + 1) / 2);
        if (clear(edge->mapRectToScene(edge->labelRectAt(at)), obstacles)) {
          chosen = at;
          found = true;
        }
      }
      if (found) break;
    }
    edge->setLabelAt(chosen);
    const QRectF label = edge->mapRectToScene(edge->labelRect());
    if (!line.isEmpty() && label.intersects(line)) {
      const QRectF inBar = boundary->mapRectFromScene(label);
      gaps.emplace_back(inBar.left() - 2, inBar.right() + 2);
    }
  }
  if (boundary) boundary->setLineGaps(std::move(gaps));
}

}  // namespace graft::ui
