#pragma once
// What the graph's overlays (the freeze bar's handle, the output marker) draw alike: a label in
// 8.5-point bold, which a fitted graph shrank to a smear of a few pixels. Below the zoom where
// that label would be under 7 px high on screen, an overlay keeps a fixed size on screen and its
// label is drawn in screen pixels, as zoomed-out cards draw theirs (ui/card_icons.h).
#include <QFont>
#include <QRectF>
#include <QSizeF>
#include <QString>

class QPainter;

namespace graft::ui {

QFont overlayFont();  // 8.5 pt bold, zoomed with the graph
// Whether the label in overlayFont() is under 7 px high on screen at the view's zoom `scale`.
bool overlayIsCompact(double scale);
// The compact overlay's box in screen pixels: `text` in 11 px bold with padding, 18 px high.
QSizeF compactOverlaySize(const QString& text);
// Draws `text` centred on `box` (item coordinates) in screen pixels: the compact size at most,
// and nothing where it would be under 7 px (a smaller view of the scene, the overview).
void drawCompactLabel(QPainter* painter, const QRectF& box, const QString& text);

}  // namespace graft::ui
