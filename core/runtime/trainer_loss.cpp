#include "runtime/trainer_loss.h"

#include <torch/torch.h>

namespace graft {

torch::Tensor crossEntropyPerSample(const torch::Tensor& output, const torch::Tensor& labels,
                                    OutputKind kind) {
  const auto index = labels.unsqueeze(1);
  if (kind == OutputKind::Logits) return -torch::log_softmax(output, 1).gather(1, index).squeeze(1);
  constexpr double kEpsilon = 1e-7;  // Keras backend epsilon()
  const auto p = (output / output.sum(1, true)).clamp(kEpsilon, 1.0 - kEpsilon);
  return -p.log().gather(1, index).squeeze(1);
}

}  // namespace graft
