#pragma once
// Secondary text (a hint under a button, a layer type's description, a note under a form): set
// apart from the main text by a lighter colour that still reads. These labels used to be
// disabled to look grey, which draws them at 1.6:1 contrast in Fusion (#bebebe on #efefef, far
// below the 4.5:1 WCAG asks of body text) and tells assistive technology they are inactive.
#include <QColor>
#include <QPalette>

class QLabel;

namespace graft::ui {

// WCAG 2's contrast ratio of two colours (1 to 21).
double contrastRatio(const QColor& a, const QColor& b);

// The palette's text colour moved toward its window colour as far as a 4.5:1 contrast allows
// (light and dark palettes alike).
QColor secondaryTextColor(const QPalette& palette);

// Draws `label` in secondaryTextColor; it stays enabled (selectable, readable by a screen
// reader).
void showAsSecondaryText(QLabel* label);

}  // namespace graft::ui
