#include "runtime/training/mixed_precision.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

namespace graft {

namespace {

// LibTorch 2.4 replaced the per-device-type functions (set_enabled for CUDA, set_cpu_enabled,
// ...) by ones taking the device type, and deprecated the old ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocastEnabled(c10::DeviceType type) {
  return at::autocast::is_autocast_enabled(type);
}
void setAutocast(c10::DeviceType type, bool on) {
  at::autocast::set_autocast_enabled(type, on);
}
at::ScalarType autocastType(c10::DeviceType type) {
  return at::autocast::get_autocast_dtype(type);
}
void setAutocastType(c10::DeviceType type, at::ScalarType scalar) {
  at::autocast::set_autocast_dtype(type, scalar);
}
#else
bool autocastEnabled(c10::DeviceType type) {
  return type == c10::DeviceType::CUDA ? at::autocast::is_enabled()
                                       : at::autocast::is_cpu_enabled();
}
void setAutocast(c10::DeviceType type, bool on) {
  if (type == c10::DeviceType::CUDA)
    at::autocast::set_enabled(on);
  else
    at::autocast::set_cpu_enabled(on);
}
at::ScalarType autocastType(c10::DeviceType type) {
  return type == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                       : at::autocast::get_autocast_cpu_dtype();
}
void setAutocastType(c10::DeviceType type, at::ScalarType scalar) {
  if (type == c10::DeviceType::CUDA)
    at::autocast::set_autocast_gpu_dtype(scalar);
  else
    at::autocast::set_autocast_cpu_dtype(scalar);
}
#endif

}  // namespace

AutocastScope::AutocastScope(const torch::Device& device, Precision precision) {
  if (precision == Precision::Float32) return;
  active_ = true;
  type_ = device.type();
  wasEnabled_ = autocastEnabled(type_);
  previousType_ = autocastType(type_);
  setAutocastType(type_, precision == Precision::BFloat16 ? at::kBFloat16 : at::kHalf);
  setAutocast(type_, true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // As torch.autocast's exit: the casts of the weights cached for this pass go with it.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  setAutocast(type_, wasEnabled_);
  setAutocastType(type_, previousType_);
}

LossScaler::LossScaler(bool enabled, LossScalerOptions options)
    : enabled_(enabled), options_(options), scale_(enabled ? options.initialScale : 1.0) {}

torch::Tensor LossScaler::scaled(const torch::Tensor& loss) const {
  return enabled_ ? loss * scale_ : loss;
}

bool LossScaler::unscale(const std::vector<torch::Tensor>& parameters) const {
  if (!enabled_) return true;
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return true;
  // One flag on the device for all gradients, read once: a read per gradient would wait for
  // the device every time.
  if (grads.front().is_cuda()) {
    // GradScaler's own kernel: checks and unscales all float32 gradients of a device in one
    // multi-tensor launch (CUDA only in LibTorch).
    const auto options = grads.front().options().dtype(torch::kFloat32);
    torch::Tensor found = torch::zeros({1}, options);
    const torch::Tensor inverse = torch::full({1}, 1.0 / scale_, options);
    at::_amp_foreach_non_finite_check_and_unscale_(grads, found, inverse);
    return found.item<float>() == 0.0f;
  }
  torch::Tensor nonFinite = torch::zeros({}, grads.front().options().dtype(torch::kBool));
  for (auto& g : grads) {
    nonFinite.logical_or_(torch::isfinite(g).logical_not().any());
    g.mul_(1.0 / scale_);
  }
  return !nonFinite.item<bool>();
}

void LossScaler::update(bool finite) {
  if (!enabled_) return;
  if (!finite) {
    scale_ *= options_.backoffFactor;
    finiteInARow_ = 0;
    ++skipped_;
    return;
  }
  if (++finiteInARow_ >= options_.growthInterval) {
    scale_ *= options_.growthFactor;
    finiteInARow_ = 0;
  }
}

}  // namespace graft
