#pragma once
// Wrapping a tall top-to-bottom layout into side-by-side columns, so that a 90-layer chain fills
// a wide window instead of being one narrow column (too small to read when fitted whole). The
// layout is cut between ranks; a connection that crosses a cut is routed down its column,
// along the gutter and in from above the next one; a nested model cut in two becomes one box
// per column.
#include <QSizeF>

#include "ui/graph_layout.h"

namespace graft::ui {

// How many columns give the layout about `aspect` (width / height); 1 when it is wide already.
int wrapColumnCount(const GraphLayout& layout, double aspect, double gutter);

// Rewrites `layout` (top to bottom, as dot produced it) into columns; leaves it alone when one
// column fits the aspect best.
void wrapIntoColumns(GraphLayout& layout, QSizeF nodeSize, double aspect);

}  // namespace graft::ui
