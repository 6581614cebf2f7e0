#include "runtime/layers/op_helpers.h"

#include <algorithm>

namespace graft::runtime {

torch::Tensor copyFromKeras(const WeightTensor& weight) {
  // from_blob only views the buffer; clone() makes the tensor own writable memory.
  return torch::from_blob(const_cast<float*>(weight.values()), weight.shape, torch::kFloat32)
      .clone(at::MemoryFormat::Contiguous);
}

WeightTensor copyToKeras(const torch::Tensor& tensor) {
  torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  std::vector<float> values(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  return WeightTensor::fromValues(Shape(t.sizes().begin(), t.sizes().end()), std::move(values));
}

torch::Tensor addParameter(const LayerContext& ctx, const std::string& name, torch::Tensor value) {
  return ctx.parameters.register_parameter(name, std::move(value), ctx.node.trainable);
}

torch::Tensor addBuffer(const LayerContext& ctx, const std::string& name, torch::Tensor value) {
  return ctx.parameters.register_buffer(name, std::move(value));
}

Error layerError(const Node& node, const std::string& message) {
  return Error(Diagnostic{node.name, message});
}

AxisPadding samePadding(int64_t length, int64_t kernel, int64_t stride, int64_t dilation) {
  const int64_t effective = (kernel - 1) * dilation + 1;
  const int64_t output = (length + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((output - 1) * stride + effective - length, 0);
  return {total / 2, total - total / 2};
}

bool isSamePadding(const Node& node, const Json& config) {
  const Json& p = config.at("padding");
  const std::string padding = p.is_string() ? p.get<std::string>() : "";
  if (padding == "same") return true;
  if (padding == "valid") return false;
  throw layerError(node, "padding must be 'valid' or 'same', got " + p.dump());
}

int64_t runtimeAxis(int64_t kerasAxis, int64_t rank) {
  if (rank != 4 || kerasAxis == 0) return kerasAxis;
  return kerasAxis == 3 ? 1 : kerasAxis + 1;
}

std::vector<int64_t> runtimePermutation(const std::vector<int64_t>& kerasDims) {
  std::vector<int64_t> keras{0};  // output Keras axis j takes input Keras axis keras[j]
  keras.insert(keras.end(), kerasDims.begin(), kerasDims.end());
  if (keras.size() != 4) return keras;
  // Runtime dimension i holds Keras axis toKeras[i]; Keras axis k sits at runtime toRuntime[k].
  const int64_t toKeras[4] = {0, 3, 1, 2}, toRuntime[4] = {0, 2, 3, 1};
  std::vector<int64_t> perm(4);
  for (size_t i = 0; i < 4; ++i) perm[i] = toRuntime[keras[static_cast<size_t>(toKeras[i])]];
  return perm;
}

torch::Tensor runtimeToKeras(const torch::Tensor& t) {
  return t.dim() == 4 ? t.permute({0, 2, 3, 1}) : t;
}

torch::Tensor kerasToRuntime(const torch::Tensor& t) {
  return t.dim() == 4 ? t.permute({0, 3, 1, 2}) : t;
}

}  // namespace graft::runtime
