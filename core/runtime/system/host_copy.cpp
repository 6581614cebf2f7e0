#include "runtime/system/host_copy.h"

#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <torch/torch.h>

#include <thread>

namespace graft {

struct HostCopyEvent {
  explicit HostCopyEvent(c10::DeviceType type) : event(type) {}
  c10::Event event;
};

HostCopy::HostCopy(const torch::Tensor& value) {
  if (!value.is_cuda()) {
    host_ = value.clone();  // a copy, as on CUDA: later in-place work on `value` is not seen
    return;
  }
  host_ = torch::empty(value.sizes(), value.options().device(torch::kCPU).pinned_memory(true));
  host_.copy_(value, /*non_blocking=*/true);
  done_ = std::make_shared<HostCopyEvent>(value.device().type());
  const c10::impl::VirtualGuardImpl guard(value.device().type());
  done_->event.record(guard.getStream(value.device()));
}

const torch::Tensor& HostCopy::get() {
  if (done_) {
    // LibTorch 1.13's c10::Event cannot block; the wait is short (the copy was queued a whole
    // backward pass earlier), so poll and let other threads run meanwhile.
    while (!done_->event.query()) std::this_thread::yield();
    done_.reset();
  }
  return host_;
}

}  // namespace graft
