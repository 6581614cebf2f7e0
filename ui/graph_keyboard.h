#pragma once
// Moving the selection along the graph with the arrow keys: Up to the layer's input, Down to
// what reads it, Left and Right to the layers beside it (those reading the same input). With a
// keyboard alone a layer could only be reached through Find or the Summary.
#include <QList>
#include <QPair>
#include <QString>

namespace graft::ui {

enum class GraphStep { Up, Down, Left, Right };

// The layer a step from `layer` reaches over `edges` (producer, consumer), in their order; ""
// when there is none (Up from an input, Down from an output, Left of the first sibling).
QString neighbourLayer(const QList<QPair<QString, QString>>& edges, const QString& layer,
                       GraphStep step);

}  // namespace graft::ui
