#pragma once
// A small tensor on its way to the host, copied now and read later. Reading a CUDA tensor on
// the host waits for everything queued on the GPU before it: a training step that read its loss
// right after the forward pass left the GPU idle while the host went on to queue the backward
// pass (for small networks, whose steps are bound by how fast kernels are queued, that is most
// of the step; PyTorch scripts that print the loss every step pay it too). A HostCopy made right
// after the forward pass copies behind it, into pinned memory, and records an event; read once
// the backward pass is queued, it finds the copy done and the GPU never waits for the host.
// On the CPU the tensor is there at once.
#include <torch/types.h>

#include <memory>

namespace graft {

struct HostCopyEvent;

class HostCopy {
 public:
  HostCopy() = default;
  // Starts copying `value` (any device) to the host, behind the work queued so far.
  explicit HostCopy(const torch::Tensor& value);

  bool empty() const { return !host_.defined(); }
  // The values on the host, waiting for the copy where it has not finished yet.
  const torch::Tensor& get();

 private:
  torch::Tensor host_;
  std::shared_ptr<HostCopyEvent> done_;  // CUDA only: marks the end of the copy
};

}  // namespace graft
