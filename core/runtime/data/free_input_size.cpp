#include "runtime/data/free_input_size.h"

#include "graph/image_resize.h"
#include "io/zoo/zoo.h"

namespace graft {

bool hasFreeInputSize(const Model& model) {
  return layers::hasFreeImageSide(model.graph);
}

bool sizesItsOwnImages(const Model& model) {
  return layers::leadingImageResize(model.graph).has_value();
}

int64_t defaultFreeInputSide(const Model& model) {
  if (sizesItsOwnImages(model)) return 0;
  if (model.trainedInputSize > 0) return model.trainedInputSize;
  return zoo::isArchitecture(model.graph.name()) ? zoo::defaultInputSize(model.graph.name()) : 224;
}

std::string freeInputSizeNote(const Model& model) {
  if (!hasFreeInputSize(model)) return "";
  if (const auto own = layers::leadingImageResize(model.graph))
    return "the model's input size is free: images go in at their own size and its first "
           "layers size them (" +
           std::to_string(own->height) + " x " + std::to_string(own->width) +
           "), as in Keras (--input-size N resizes them first)";
  const std::string side = std::to_string(defaultFreeInputSide(model));
  return "the model's input size is free: images are resized to " + side + " x " + side +
         (model.trainedInputSize > 0 ? ", the size it was trained at" : "") +
         " (--input-size N chooses)";
}

}  // namespace graft
