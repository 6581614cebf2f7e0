#pragma once
// Two stacked convolutions (with the layers between them or not), the shape every fusion test
// needs, and the pair's error after an
// edit replaced it by one layer.
#include <torch/torch.h>

#include <random>
#include <string>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "graph/surgery/surgery.h"
#include "runtime/module/graph_module.h"

namespace graft::test {

// input 10x10x3 -> a (Conv2D 6 3x3, activation) -> b (Conv2D 5 3x3, linear) -> pool -> head
inline Model pairModel(const std::string& activation, const std::string& padding) {
  GraphBuilder b("pair");
  auto x = b.input("input", {kUnknown, 10, 10, 3});
  x = b.add("Conv2D", "a", {{"filters", 6}, {"padding", padding}, {"activation", activation}}, x);
  x = b.add("Conv2D", "b", {{"filters", 5}, {"padding", padding}}, x);
  x = b.add("GlobalAveragePooling2D", "pool", {}, x);
  x = b.add("Dense", "head", {{"units", 2}}, x);
  Model m;
  m.graph = b.build({x});
  initializeWeights(m.graph, analyzeOrThrow(m.graph), m.weights, 3);
  // Non-zero biases: the ReLU then cuts at different places per channel.
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> dist(-0.3f, 0.3f);
  for (const char* layer : {"a", "b"}) {
    auto w = *m.weights.find(layer);
    std::vector<float> bias(size_t(w[1].numel()));
    for (auto& v : bias) v = dist(rng);
    w[1] = WeightTensor::fromValues(w[1].shape, std::move(bias));
    m.weights.set(layer, w);
  }
  return m;
}

// The usual Keras spelling: the nonlinearity (and a BatchNormalization) as layers of their own
// between the convolutions. input -> a (linear) -> a_bn -> a_relu -> b -> pool -> head.
inline Model chainModel() {
  Model paired = pairModel("linear", "same");
  GraphBuilder b("chain");
  auto x = b.input("input", {kUnknown, 10, 10, 3});
  x = b.add("Conv2D", "a", {{"filters", 6}, {"padding", "same"}}, x);
  x = b.add("BatchNormalization", "a_bn", {}, x);
  x = b.add("ReLU", "a_relu", {}, x);
  x = b.add("Conv2D", "b", {{"filters", 5}, {"padding", "same"}}, x);
  x = b.add("GlobalAveragePooling2D", "pool", {}, x);
  x = b.add("Dense", "head", {{"units", 2}}, x);
  Model m;
  m.graph = b.build({x});
  m.weights = paired.weights;
  // a_bn computes the identity: gamma / sqrt(variance + epsilon) = 1.
  const auto channels = [](float value) {
    return WeightTensor::fromValues({6}, std::vector<float>(6, value));
  };
  m.weights.set("a_bn", {channels(1), channels(0), channels(0), channels(1 - 0.001f)});
  return m;
}

inline double pairError(const Model& original, const Model& edited, const torch::Tensor& samples) {
  GraphModule before(original.graph, original.weights), after(edited.graph, edited.weights);
  const auto want = before.forward(samples, {"b"})[0].to(torch::kFloat64);
  const auto got = after.forward(samples, {"a"})[0].to(torch::kFloat64);
  return (got - want).norm().item<double>() / want.norm().item<double>();
}

}  // namespace graft::test
