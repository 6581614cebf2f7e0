#include "runtime/training/trainer_probe.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstddef>

namespace graft {

torch::Tensor probabilitiesOf(const torch::Tensor& output, OutputKind kind) {
  const torch::Tensor scores = output.to(torch::kFloat32);
  if (kind == OutputKind::Logits) return torch::softmax(scores, 1);
  // Keras's rule for a non-softmax output: p / sum(p).
  const torch::Tensor clipped = scores.clamp_min(0.0);
  return clipped / clipped.sum(1, true).clamp_min(1e-7);
}

std::optional<BatchNormProbe> probeBatchNorm(GraphModule& module, const torch::Tensor& images,
                                             OutputKind kind) {
  if (images.size(0) < 2) return std::nullopt;
  torch::NoGradGuard noGrad;
  const bool wasTraining = module.isTraining();
  module.train(false);
  const torch::Tensor inference = probabilitiesOf(module.forward(images), kind);
  module.train(wasTraining);
  const torch::Tensor batch = probabilitiesOf(module.forwardWithBatchStatistics(images), kind);
  BatchNormProbe probe;
  probe.distance = (inference - batch).abs().sum(1).mul(0.5).mean().item<double>();
  probe.changed = inference.argmax(1).ne(batch.argmax(1)).to(torch::kFloat64).mean().item<double>();
  return probe;
}

void WeightMovement::start(const std::vector<torch::Tensor>& parameters) {
  torch::NoGradGuard noGrad;
  parameters_ = parameters;
  start_.clear();
  for (const auto& p : parameters) start_.push_back(p.detach().clone());
}

double WeightMovement::relativeChange() const {
  torch::NoGradGuard noGrad;
  std::vector<double> changes;
  for (size_t i = 0; i < start_.size(); ++i) {
    const double size = start_[i].norm().item<double>();
    if (size > 0.0)
      changes.push_back((parameters_[i].detach() - start_[i]).norm().item<double>() / size);
  }
  if (changes.empty()) return 0.0;
  std::nth_element(changes.begin(),
                   changes.begin() + static_cast<std::ptrdiff_t>(changes.size() / 2),
                   changes.end());
  return changes[changes.size() / 2];
}

}  // namespace graft
