#pragma once
// Where compact layouts write each tensor's shape on its edge: clear of nested models' title
// bands (a label sat on "model1 (Functional)"), and where the freeze bar still crosses one (an
// edge between two cards is too short to leave the bar's line) the bar's dashed line breaks
// around the label instead of striking it through.
#include <QList>

namespace graft::ui {

class EdgeItem;
class FreezeBoundaryItem;
class GroupItem;

void placeEdgeLabels(const QList<EdgeItem*>& edges, const QList<GroupItem*>& groups,
                     FreezeBoundaryItem* boundary);

}  // namespace graft::ui
