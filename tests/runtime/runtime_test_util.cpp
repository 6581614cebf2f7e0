#include "runtime_test_util.h"

#include <random>

#include "graph/analysis.h"

namespace graft::test {

Graph oneLayer(const std::string& className, const Json& config, const Shape& input,
               bool trainable) {
  GraphBuilder b("one_layer");
  std::string x = b.input("input_1", input);
  x = b.add(className, "layer", config, x);
  b.setTrainable("layer", trainable);
  return b.build({x});
}

WeightStore randomWeights(const Graph& graph, uint64_t seed, float lo, float hi) {
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  std::mt19937_64 rng(seed);
  WeightStore store;
  for (const auto& node : graph.nodes()) {
    const NodeInfo* info = analysis.find(node.name);
    if (!info || info->weights.empty()) continue;
    std::vector<WeightTensor> weights;
    for (const auto& spec : info->weights) {
      const bool variance = spec.name == "moving_variance" || spec.name == "variance";
      std::uniform_real_distribution<float> dist(variance ? 0.5f : lo, variance ? 1.5f : hi);
      std::vector<float> values(static_cast<size_t>(elementCount(spec.shape)));
      for (auto& v : values) v = dist(rng);
      weights.push_back(WeightTensor::fromValues(spec.shape, std::move(values)));
    }
    store.set(node.name, std::move(weights));
  }
  return store;
}

torch::Tensor randomTensor(const std::vector<int64_t>& shape, uint64_t seed) {
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  return torch::rand(shape, gen, torch::kFloat32) * 2.0 - 1.0;
}

torch::Tensor runKeras(GraphModule& module, const torch::Tensor& kerasInput) {
  torch::Tensor x =
      kerasInput.dim() == 4 ? kerasInput.permute({0, 3, 1, 2}).contiguous() : kerasInput;
  return toKerasLayout(module.forward(x)).contiguous();
}

torch::Tensor runLayer(const Graph& graph, const WeightStore& weights, const torch::Tensor& input) {
  GraphModule module(graph, weights);
  return runKeras(module, input);
}

torch::Tensor kerasWeight(const WeightStore& store, const std::string& layer, size_t i) {
  const WeightTensor& w = store.find(layer)->at(i);
  return torch::from_blob(const_cast<float*>(w.values()), w.shape, torch::kFloat32);
}

::testing::AssertionResult allClose(const torch::Tensor& got, const torch::Tensor& want,
                                    double tol) {
  if (got.sizes() != want.sizes())
    return ::testing::AssertionFailure()
           << "shape " << got.sizes() << " differs from expected " << want.sizes();
  torch::Tensor g = got.to(torch::kFloat64).contiguous().flatten();
  torch::Tensor w = want.to(torch::kFloat64).contiguous().flatten();
  torch::Tensor err = (g - w).abs() / w.abs().clamp_min(1.0);
  if (err.numel() == 0) return ::testing::AssertionSuccess();
  const int64_t worst = err.argmax().item<int64_t>();
  const double e = err[worst].item<double>();
  if (!(e <= tol))
    return ::testing::AssertionFailure()
           << "element " << worst << " of " << got.sizes() << ": got " << g[worst].item<double>()
           << ", expected " << w[worst].item<double>() << " (error " << e << " > " << tol << ")";
  return ::testing::AssertionSuccess() << "max error " << e;
}

}  // namespace graft::test
