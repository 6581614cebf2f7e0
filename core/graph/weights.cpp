#include "graph/weights.h"

#include <algorithm>
#include <cmath>

#include "graph/keras_initializers.h"

namespace graft {

WeightTensor WeightTensor::filled(Shape shape, float value) {
  auto n = static_cast<size_t>(elementCount(shape));
  return {std::move(shape), std::make_shared<const std::vector<float>>(n, value)};
}

WeightTensor WeightTensor::fromValues(Shape shape, std::vector<float> values) {
  if (static_cast<int64_t>(values.size()) != elementCount(shape))
    throw Error("weight of shape " + shapeToString(shape) + " needs " +
                std::to_string(elementCount(shape)) + " values, got " +
                std::to_string(values.size()));
  return {std::move(shape), std::make_shared<const std::vector<float>>(std::move(values))};
}

const std::vector<WeightTensor>* WeightStore::find(const std::string& layer) const {
  auto it = layers_.find(layer);
  return it == layers_.end() ? nullptr : &it->second;
}

void WeightStore::set(const std::string& layer, std::vector<WeightTensor> weights) {
  layers_[layer] = std::move(weights);
}

std::vector<std::string> WeightStore::layers() const {
  std::vector<std::string> names;
  for (const auto& [name, w] : layers_) names.push_back(name);
  return names;
}

bool WeightStore::sharesEveryBufferWith(const WeightStore& other) const {
  if (layers_.size() != other.layers_.size()) return false;
  for (auto a = layers_.begin(), b = other.layers_.begin(); a != layers_.end(); ++a, ++b) {
    if (a->first != b->first || a->second.size() != b->second.size()) return false;
    for (size_t i = 0; i < a->second.size(); ++i)
      if (a->second[i].shape != b->second[i].shape || a->second[i].data != b->second[i].data)
        return false;
  }
  return true;
}

Diagnostics checkWeights(const Graph& graph, const GraphAnalysis& analysis,
                         const WeightStore& store) {
  Diagnostics problems;
  for (const auto& node : graph.nodes()) {
    const NodeInfo* info = analysis.find(node.name);
    if (!info || info->weights.empty()) continue;
    const auto* have = store.find(node.name);
    if (!have) {
      problems.push_back({node.name, "has no weights"});
      continue;
    }
    if (have->size() != info->weights.size()) {
      problems.push_back({node.name, "expects " + std::to_string(info->weights.size()) +
                                         " weight arrays, has " + std::to_string(have->size())});
      continue;
    }
    for (size_t i = 0; i < have->size(); ++i)
      if ((*have)[i].shape != info->weights[i].shape)
        problems.push_back({node.name, "weight '" + info->weights[i].name + "' expects shape " +
                                           shapeToString(info->weights[i].shape) + ", has " +
                                           shapeToString((*have)[i].shape)});
  }
  return problems;
}

std::vector<std::string> initializeWeights(const Graph& graph, const GraphAnalysis& analysis,
                                           WeightStore& store, uint64_t seed,
                                           const std::vector<std::string>& only) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> notes;
  for (const auto& node : graph.nodes()) {
    if (!only.empty() && std::find(only.begin(), only.end(), node.name) == only.end()) continue;
    const NodeInfo* info = analysis.find(node.name);
    if (!info || info->weights.empty()) continue;
    std::vector<WeightTensor> tensors;
    for (const auto& spec : info->weights) {
      if (node.className == "LayerScale") {  // Keras: Constant(init_values)
        tensors.push_back(WeightTensor::filled(
            spec.shape, static_cast<float>(node.config.value("init_values", 1e-6))));
        continue;
      }
      const std::string key = initializerKeyOf(spec.name);
      if (const auto named = node.config.find(key);
          named != node.config.end() && !named->is_null()) {
        std::string unknown;
        if (auto tensor = drawKerasInitializer(*named, spec.shape, rng, &unknown)) {
          tensors.push_back(std::move(*tensor));
          continue;
        }
        notes.push_back(node.name + ": " + key + " " + unknown +
                        " is not one Graft draws (zeros, ones, constant, random_normal, "
                        "random_uniform, truncated_normal, glorot_*, he_*, lecun_*, "
                        "variance_scaling, orthogonal, identity); drawn as Keras's default");
      }
      const bool ones =
          spec.name == "gamma" || spec.name == "moving_variance" || spec.name == "variance";
      const bool kernel = spec.name.find("kernel") != std::string::npos;
      tensors.push_back(kernel ? *drawKerasInitializer("glorot_uniform", spec.shape, rng, nullptr)
                               : WeightTensor::filled(spec.shape, ones ? 1.0f : 0.0f));
    }
    store.set(node.name, std::move(tensors));
  }
  return notes;
}

}  // namespace graft
