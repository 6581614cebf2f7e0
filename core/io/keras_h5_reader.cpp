#include "io/keras_h5_reader.h"

namespace graft {

KerasH5Reader::KerasH5Reader(const std::string& path) : file_(h5::File::openReadOnly(path)) {
  if (auto config = file_.string(file_.id(), "model_config")) modelConfig_ = *config;
  root_ = file_.exists("model_weights") ? "/model_weights" : "";
  h5::Handle root = file_.openGroup(root_.empty() ? "/" : root_);
  auto names = file_.stringList(root.get(), "layer_names");
  if (!names)
    throw Error(path + ": not a Keras weights file (no 'layer_names' attribute" +
                std::string(root_.empty() ? "" : " in /model_weights") + ")");
  if (auto version = file_.string(root.get(), "keras_version")) kerasVersion_ = *version;
  for (const auto& name : *names) {
    KerasH5Layer layer{name, {}};
    const std::string group = root_ + "/" + name;
    if (file_.exists(group)) {
      h5::Handle g = file_.openGroup(group);
      if (auto weights = file_.stringList(g.get(), "weight_names")) layer.weightNames = *weights;
    } else {
      // Keras writes a group for every layer; a missing one means a damaged file unless the
      // layer has no weights, which is all we can assume here.
      layer.weightNames = {};
    }
    layers_.push_back(std::move(layer));
  }
}

const KerasH5Layer* KerasH5Reader::find(const std::string& layer) const {
  for (const auto& l : layers_)
    if (l.name == layer) return &l;
  return nullptr;
}

std::vector<const KerasH5Layer*> KerasH5Reader::layersWithWeights() const {
  std::vector<const KerasH5Layer*> result;
  for (const auto& l : layers_)
    if (!l.weightNames.empty()) result.push_back(&l);
  return result;
}

std::string KerasH5Reader::datasetPath(const KerasH5Layer& layer, size_t weight) const {
  return root_ + "/" + layer.name + "/" + layer.weightNames.at(weight);
}

Shape KerasH5Reader::shape(const KerasH5Layer& layer, size_t weight) const {
  return file_.datasetShape(datasetPath(layer, weight));
}

WeightTensor KerasH5Reader::read(const KerasH5Layer& layer, size_t weight,
                                 const Shape& expected) const {
  const Shape actual = shape(layer, weight);
  if (actual != expected)
    throw Error(Diagnostic{layer.name, "weight '" + layer.weightNames[weight] + "' in " + path() +
                                           " has shape " + shapeToString(actual) +
                                           ", the model expects " + shapeToString(expected)});
  auto values = std::make_shared<std::vector<float>>(static_cast<size_t>(elementCount(expected)));
  file_.readFloats(datasetPath(layer, weight), values->data(), values->size());
  return {expected, std::move(values)};
}

std::string weightBaseName(const std::string& storedName, const std::string& layerName) {
  std::string base = storedName.substr(storedName.rfind('/') + 1);
  if (auto colon = base.rfind(':'); colon != std::string::npos) base = base.substr(0, colon);
  if (base.rfind(layerName + "_", 0) == 0) base = base.substr(layerName.size() + 1);
  // Keras 1 suffixes a counter when names clash: W_1, b_1.
  if (auto underscore = base.rfind('_');
      underscore != std::string::npos && underscore + 1 < base.size() &&
      base.find_first_not_of("0123456789", underscore + 1) == std::string::npos)
    base = base.substr(0, underscore);
  return base;
}

}  // namespace graft
