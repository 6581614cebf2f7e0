#pragma once
// One colour per LayerCategory, shared by graph nodes, palette entries and the legend, so a
// convolution looks the same everywhere. Fills are mixed with the palette's base colour, which
// keeps cards readable in both the light and the dark system palette.
#include <QColor>
#include <QIcon>
#include <QPalette>
#include <QString>

#include "graph/layer_registry.h"

namespace graft::ui {

QColor categoryColor(LayerCategory category);
// A soft card background for `category` on the given palette.
QColor categoryFill(LayerCategory category, const QPalette& palette);
// A small rounded swatch (palette entries, legend).
QIcon categoryIcon(LayerCategory category);
QString categoryLabel(LayerCategory category);  // "Convolution"
// Category of a class name; Reshape for names the registry does not know.
LayerCategory categoryOf(const std::string& className);
bool isDarkPalette(const QPalette& palette);

}  // namespace graft::ui
