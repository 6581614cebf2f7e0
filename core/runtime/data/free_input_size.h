#pragma once
// What size images take when a model's input size is free (None x None) and no size is given:
// one rule for predict, eval, train, probe and the cut explorer (CLI, pipelines, the GUI) and
// the training panel's text.
// A plain header (no LibTorch, no OpenCV): the UI reads it.
#include <cstdint>
#include <string>

#include "graph/model.h"

namespace graft {

// Whether the model's single input has a free height or width (None).
bool hasFreeInputSize(const Model& model);
// Whether the model's input is free and its first Resizing / CenterCrop sizes the images
// (layers::leadingImageResize): they then go in at their own size, as in Keras.
bool sizesItsOwnImages(const Model& model);
// The side images take when the model's input size is free and no size is given: 0 (their own)
// for a model that sizes its own images, else the size it was trained at, else its zoo
// architecture's default, else 224. predict, eval and train take the same.
int64_t defaultFreeInputSide(const Model& model);
// What predict, eval and train tell the user when they choose that side themselves: "the
// model's input size is free: images are resized to 224 x 224 (--input-size N chooses)"; ""
// for a fixed input.
std::string freeInputSizeNote(const Model& model);

}  // namespace graft
