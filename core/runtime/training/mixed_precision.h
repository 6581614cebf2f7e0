#pragma once
// Mixed precision as PyTorch does it (torch.autocast, torch.amp.GradScaler): the forward pass
// computes its matrix work in bfloat16 or float16 while the weights, the optimizer's state and
// the loss stay float32. With float16, whose range is small, the loss is multiplied by a scale
// before backward so that small gradients do not flush to zero; the gradients are divided by it
// before the step, and a step whose gradients overflowed is skipped and the scale lowered.
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "run/compute_choice.h"

namespace graft {

// Autocast on the device's type for the scope's life (nothing for fp32), restored after, as
// `with torch.autocast(...)`. Autocast state is per thread: open it on the thread that computes.
class AutocastScope {
 public:
  AutocastScope(const torch::Device& device, Precision precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType type_ = c10::DeviceType::CPU;
  bool wasEnabled_ = false;
  at::ScalarType previousType_ = at::kFloat;
};

struct LossScalerOptions {
  double initialScale = 65536.0;  // PyTorch's defaults
  double growthFactor = 2.0;
  double backoffFactor = 0.5;
  int64_t growthInterval = 2000;  // finite steps in a row before the scale grows
};

// Dynamic loss scaling for fp16 (a no-op scaler otherwise: scale 1, every step taken).
class LossScaler {
 public:
  explicit LossScaler(bool enabled, LossScalerOptions options = {});

  bool enabled() const { return enabled_; }
  double scale() const { return scale_; }
  int64_t skippedSteps() const { return skipped_; }

  // What to call backward() on: the loss times the scale.
  torch::Tensor scaled(const torch::Tensor& loss) const;
  // Divides the gradients of `parameters` by the scale, in place; true when every one is
  // finite. Parameters without a gradient are passed over.
  bool unscale(const std::vector<torch::Tensor>& parameters) const;
  // After each step: a step with non-finite gradients (skipped by the caller) lowers the scale;
  // growthInterval finite steps in a row raise it.
  void update(bool finite);

 private:
  bool enabled_;
  LossScalerOptions options_;
  double scale_;
  int64_t finiteInARow_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace graft
