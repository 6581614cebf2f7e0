#include "export/export_weights.h"

#include "graph/layer_helpers.h"
#include "runtime/layers/op_helpers.h"

namespace graft::exporting {

torch::Tensor fromKeras(const WeightTensor& w) {
  // from_blob only views the shared, immutable buffer; clone() gives the export its own copy.
  return torch::from_blob(const_cast<float*>(w.values()), w.shape, torch::kFloat32).clone();
}

torch::Tensor convKernel(const WeightTensor& w) {
  return fromKeras(w).permute({3, 2, 0, 1}).contiguous();
}

torch::Tensor depthwiseKernel(const WeightTensor& w) {
  torch::Tensor k = fromKeras(w).permute({2, 3, 0, 1});  // (in, mult, kh, kw)
  return k.reshape({k.size(0) * k.size(1), 1, k.size(2), k.size(3)}).contiguous();
}

torch::Tensor transposeKernel(const WeightTensor& w) {
  return fromKeras(w).permute({3, 2, 0, 1}).contiguous();
}

torch::Tensor runtimeConstant(const layers::OpOperand& operand) {
  const std::vector<int64_t> shape(operand.shape.begin(), operand.shape.end());
  return runtime::kerasToRuntime(
             torch::tensor(operand.values, torch::kFloat64).to(torch::kFloat32).reshape(shape))
      .contiguous();
}

NormalizationStatistics normalizationStatistics(const ExportLayer& layer) {
  const Shape& input = layer.inputShapes.at(0);
  const layers::NormalizationAxes axes = layers::normalizationAxes(layer.config, input);
  std::vector<int64_t> broadcast(input.size(), 1);
  for (size_t i = 0; i < axes.kept.size(); ++i)
    broadcast[static_cast<size_t>(axes.kept[i])] = axes.keptShape[i];
  torch::Tensor mean, variance;
  if (layer.weights && !layer.weights->empty()) {
    mean = fromKeras(layer.weight(0));
    variance = fromKeras(layer.weight(1));
  } else {
    const layers::NormalizationConstants k =
        layers::normalizationConstants(layer.config, axes.keptShape);
    mean = torch::tensor(k.mean, torch::kFloat64).to(torch::kFloat32);
    variance = torch::tensor(k.variance, torch::kFloat64).to(torch::kFloat32);
  }
  mean = runtime::kerasToRuntime(mean.reshape(broadcast)).contiguous();
  variance = runtime::kerasToRuntime(variance.reshape(broadcast)).contiguous();
  return {mean, torch::clamp_min(torch::sqrt(variance), 1e-7)};
}

torch::Tensor layerNormalizationWeight(const ExportLayer& layer, size_t index) {
  const Shape& input = layer.inputShapes.at(0);
  std::vector<int64_t> broadcast(input.size(), 1);
  for (int64_t axis : layers::layerNormalizationAxes(layer.config.at("axis"), input))
    broadcast[static_cast<size_t>(axis)] = input[static_cast<size_t>(axis)];
  return runtime::kerasToRuntime(fromKeras(layer.weight(index)).reshape(broadcast)).contiguous();
}

}  // namespace graft::exporting
