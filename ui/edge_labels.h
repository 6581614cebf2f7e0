#pragma once
// Where compact layouts write each tensor's shape on its edge: clear of nested models' title
// bands (a label sat on "model1 (Functional)"), and where the freeze bar still crosses one (an
// edge between two cards is too short to leave the bar's line) the bar's dashed line breaks
// around the label instead of striking it through. Edges themselves break under the titles
// they cross (the line from the layer above into a box struck its title through).
#include <QList>

namespace graft::ui {

class EdgeItem;
class FreezeBoundaryItem;
class GroupItem;

void placeEdgeLabels(const QList<EdgeItem*>& edges, const QList<GroupItem*>& groups,
                     FreezeBoundaryItem* boundary);

}  // namespace graft::ui
