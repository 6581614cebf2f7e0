#pragma once
// What layer cards and collapsed nested-model cards draw alike: the padlock of frozen weights in
// the freeze boundary's ice blue.
#include <QColor>
#include <QRectF>

class QPainter;

namespace graft::ui {

// The freeze boundary's colour: frozen means "above it".
inline const QColor kIce(0x3b, 0x9a, 0xd8);

// A padlock drawn with paths, so it scales crisply at every zoom level.
void drawLock(QPainter* painter, const QRectF& box, const QColor& color);

}  // namespace graft::ui
