#pragma once
// The approximate half of `fuse`: two stacked convolutions with a nonlinearity between them
// (Conv2D k1 x k1 relu -> Conv2D k2 x k2, stride 1; or a ReLU, BatchNormalization, ... layer
// between them: runtime/fusion/fusable_chain.h) replaced by one (k1+k2-1) convolution whose
// kernel and bias are fitted by least squares to what the pair computes on sample inputs. The
// exact fusions (nothing nonlinear between) are in the core (applyOperation "fuse"); this one
// needs activations, hence LibTorch.
#include <torch/types.h>

#include <optional>

#include "graph/surgery/surgery.h"

namespace graft {

struct ApproximateFusion {
  EditResult edit;  // `first` is the fitted convolution (keeping its name), `second` is gone
  // RMS(fused - original) / RMS(original) of the pair's output (after the second layer's
  // activation) on the samples: the number to show the user.
  double relativeError = 0;
  int64_t rows = 0;  // output positions the fit used (samples x height x width)
  // The same error of a fit to all but the last quarter of the samples, on that quarter: how
  // the fused layer does on images it was not fitted to. Unset with fewer than 4 samples.
  std::optional<double> heldOutError;
  int64_t heldOutSamples = 0;
};

// `samples`: model inputs, float32 NCHW, preprocessed (e.g. a batch of training images).
// Refused with diagnostics naming the layer when the pair is not two ungrouped, undilated,
// stride-1 Conv2D layers with equal padding ('same' needs odd kernels) and a chain between them
// that one convolution can replace (chainBetween), and when the samples give fewer output positions
// than the kernel has unknowns. The edit is recorded in the recipe as {"op": "fuse", "layers":
// [first, second], "method": "least_squares", ...}; the core cannot replay that step (it needs
// samples).
Expected<ApproximateFusion> fuseApproximately(const Model& model, const std::string& first,
                                              const std::string& second,
                                              const torch::Tensor& samples,
                                              const EditOptions& options = {});

}  // namespace graft
