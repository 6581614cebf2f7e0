#pragma once
// The graph view to screen readers: its layer cards, one accessible child each (a
// QGraphicsView's items have none of their own: a screen reader heard "Model graph" and the
// selection's description, never the layers one by one). A card reads as its layer's name and
// type, selected and focused as on screen.
namespace graft::ui {

// Registers the factory that gives every GraphView this interface (once; later calls do nothing).
void installGraphViewAccessibility();

}  // namespace graft::ui
