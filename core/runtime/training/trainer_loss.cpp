#include "runtime/training/trainer_loss.h"

#include <torch/torch.h>

namespace graft {

torch::Tensor crossEntropyPerSample(const torch::Tensor& output, const torch::Tensor& labels,
                                    OutputKind kind, double labelSmoothing) {
  torch::Tensor logp;
  if (kind == OutputKind::Logits) {
    logp = torch::log_softmax(output, 1);
  } else {
    constexpr double kEpsilon = 1e-7;  // Keras backend epsilon()
    logp = (output / output.sum(1, true)).clamp(kEpsilon, 1.0 - kEpsilon).log();
  }
  const auto picked = logp.gather(1, labels.unsqueeze(1)).squeeze(1);
  if (labelSmoothing == 0.0) return -picked;
  const double classes = static_cast<double>(output.size(1));
  return -(1.0 - labelSmoothing) * picked - (labelSmoothing / classes) * logp.sum(1);
}

}  // namespace graft
