#include "keras_file_writer.h"

#include <zip.h>

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
  file.writeString(rootGroup.get(), "keras_version", options.kerasVersion);
  file.writeString(rootGroup.get(), "backend", options.backend);
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

void writeKerasArchive(const std::string& path, const std::string& config,
                       const std::string& kerasVersion) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!archive) throw Error(path + ": cannot create the test archive");
  const std::string metadata =
      R"({"keras_version": ")" + kerasVersion + R"(", "date_saved": "2026-01-01@00:00:00"})";
  // The sources keep pointers into the strings until zip_close.
  for (const auto& [name, text] :
       {std::pair<const char*, const std::string*>{"metadata.json", &metadata},
        std::pair<const char*, const std::string*>{"config.json", &config}}) {
    zip_source_t* source = zip_source_buffer(archive, text->data(), text->size(), 0);
    if (!source || zip_file_add(archive, name, source, ZIP_FL_OVERWRITE) < 0) {
      if (source) zip_source_free(source);
      zip_discard(archive);
      throw Error(path + ": cannot add " + name + " to the test archive");
    }
  }
  if (zip_close(archive) != 0) {
    zip_discard(archive);
    throw Error(path + ": cannot write the test archive");
  }
}

}  // namespace graft::test
