#pragma once
// CUDA graph capture of a whole training step: forward pass, loss, backward pass and the
// optimizer's step recorded once as a CUDA graph and replayed for every later batch, so that a
// step costs one launch instead of one per kernel (hundreds for a MobileNet: small networks are
// bound by how fast the host queues kernels, #23 point 6). Opt-in and unmeasured:
// TrainOptions::cudaGraph, set by tests/bench's bench_train --cuda-graph only.
//
// PyTorch's rules for whole-network capture (torch.cuda.graph, "CUDA Graphs" in its notes),
// ported: a few eager warm-up steps on a side stream first (lazy initialisation: cuBLAS/cuDNN
// handles, autotuning, autograd's streams); capture on that side stream, never the default one;
// gradients set to none before capture so that the graph's backward allocates them from its own
// memory pool, and never zeroed between replays; static input buffers that each batch is copied
// into before a replay; the step's outputs read after the replay from the graph's static
// outputs; no host read inside (the optimizer in capturable mode, trainer_optimizer.h); autocast's
// weight cache off during capture. Batches of another shape (an epoch's last, partial batch) run
// eagerly. Where capture fails, the step that tried runs eagerly and so do the rest (failure()),
// with the failed capture's memory pool handed back to the allocator.
//
// The CUDA work sits behind GRAFT_CUDA; without it whyStepsNotCaptured() always gives a reason and
// no StepGraph is made.
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace graft {

class KerasOptimizer;

// What decides, before a run starts, whether its training steps can be captured.
struct StepGraphConditions {
  bool cuda = false;         // the run computes on a CUDA device
  bool lossScaling = false;  // fp16: the loss scaler reads on the host whether gradients are finite
  bool dataParallel = false;  // gradients are exchanged between processes every step
  bool featureCache = false;  // --cache-frozen: a first epoch computes the cache, batches vary
};

// Why the steps of a run under `conditions` cannot be captured (the one line the run logs
// before it runs them eagerly), nullopt when capture may be tried. Always a reason in a build
// without CUDA.
std::optional<std::string> whyStepsNotCaptured(const StepGraphConditions& conditions);

// The number of eager warm-up steps before capture (PyTorch's examples take 3).
constexpr int kStepGraphWarmupSteps = 3;

class StepGraph {
 public:
  // One batch's forward pass, loss and backward pass, without the optimizer's step: `inputs`
  // (the batch's tensors; the static buffers during capture) in, the tensors the caller reads
  // after the step out (on the device). No host read, no shape that depends on values.
  using Body = std::function<std::vector<torch::Tensor>(const std::vector<torch::Tensor>& inputs)>;

  // `optimizer` (made capturable here) must outlive this. Batches of `rows` rows are captured;
  // `warmupSteps` of them run eagerly on the side stream first.
  StepGraph(KerasOptimizer& optimizer, Body body, int64_t rows,
            int warmupSteps = kStepGraphWarmupSteps);
  ~StepGraph();
  StepGraph(const StepGraph&) = delete;
  StepGraph& operator=(const StepGraph&) = delete;

  // Whether run() takes these inputs: CUDA tensors with `rows` rows and, once captured, the
  // captured shapes, types and strides; never after a failed capture.
  bool takes(const std::vector<torch::Tensor>& inputs) const;
  // One whole step (the optimizer's included): eager while warming up, then captured and
  // replayed, later ones replayed. Returns the body's outputs; after a replay those are the
  // graph's static outputs, overwritten by the next replay: read or copy them before.
  std::vector<torch::Tensor> run(const std::vector<torch::Tensor>& inputs);

  bool captured() const;
  int64_t replays() const;
  // Why capture failed (the step that tried ran eagerly, as every later one must), if it did.
  const std::optional<std::string>& failure() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace graft
