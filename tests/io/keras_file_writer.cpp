#include "keras_file_writer.h"

namespace graft::test {

WeightTensor ramp(const Shape& shape, float offset) {
  std::vector<float> v(static_cast<size_t>(elementCount(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = 0.001f * (static_cast<float>(i) + offset);
  return WeightTensor::fromValues(shape, std::move(v));
}

namespace {

std::string storedName(const std::string& layer, const std::string& weight, KerasNaming naming) {
  switch (naming) {
    case KerasNaming::Keras1: {
      std::string k1 = weight == "kernel"            ? "W"
                       : weight == "bias"            ? "b"
                       : weight == "moving_mean"     ? "running_mean"
                       : weight == "moving_variance" ? "running_std"
                                                     : weight;
      return layer + "_" + k1 + ":0";
    }
    case KerasNaming::Keras2:
      return layer + "/" + weight + ":0";
    case KerasNaming::Keras3:
      return weight;
  }
  return weight;
}

}  // namespace

void writeKerasWeights(const std::string& path, const std::vector<LayerToWrite>& layers,
                       const KerasFileOptions& options) {
  auto file = h5::File::create(path);
  const std::string root = options.modelConfig.empty() ? "/" : "/model_weights";
  if (!options.modelConfig.empty()) {
    auto top = file.openGroup("/");
    file.writeString(top.get(), "model_config", options.modelConfig);
  }
  auto rootGroup = file.createGroup(root);
  std::vector<std::string> names;
  for (const auto& l : layers) names.push_back(l.name);
  if (options.splitLayerNames) {
    const size_t half = names.size() / 2;
    file.writeStringList(rootGroup.get(), "layer_names0",
                         std::vector<std::string>(names.begin(), names.begin() + long(half)));
    file.writeStringList(rootGroup.get(), "layer_names1",
                         std::vector<std::string>(names.begin() + long(half), names.end()));
  } else {
    file.writeStringList(rootGroup.get(), "layer_names", names);
  }
  file.writeString(rootGroup.get(), "keras_version", "2.2.4");
  file.writeString(rootGroup.get(), "backend", "tensorflow");
  for (const auto& l : layers) {
    const std::string group = (root == "/" ? "" : root) + "/" + l.name;
    auto g = file.createGroup(group);
    auto weights = l.weights;
    if (options.reverseBatchNormOrder && weights.size() == 4)
      std::reverse(weights.begin(), weights.end());
    std::vector<std::string> stored;
    for (const auto& [name, tensor] : weights) {
      stored.push_back(storedName(l.name, name, options.naming));
      file.writeFloats(group + "/" + stored.back(), tensor.shape, tensor.values());
    }
    file.writeStringList(g.get(), "weight_names", stored);
  }
}

}  // namespace graft::test
