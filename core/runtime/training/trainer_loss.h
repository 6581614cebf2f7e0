#pragma once
// Categorical cross-entropy as Keras computes it, per sample, from what the training head
// outputs (trainer_graph.h): logits through log_softmax (stable for confident mistakes), or a
// non-softmax output normalised to sum 1 and clipped to [1e-7, 1 - 1e-7] as Keras's backend does.
#include <torch/types.h>

#include "runtime/training/trainer_graph.h"

namespace graft {

// output (N, classes), labels int64 (N) -> float32 (N). With label smoothing s the target is
// Keras's y * (1 - s) + s / classes.
torch::Tensor crossEntropyPerSample(const torch::Tensor& output, const torch::Tensor& labels,
                                    OutputKind kind, double labelSmoothing = 0.0);

}  // namespace graft
