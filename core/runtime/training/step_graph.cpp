#include "runtime/training/step_graph.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <utility>

#ifdef GRAFT_CUDA
#include <ATen/autocast_mode.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

#include "graph/diagnostic.h"
#include "runtime/system/error_text.h"
#include "runtime/training/trainer_optimizer.h"

namespace graft {

std::optional<std::string> whyStepsNotCaptured(const StepGraphConditions& conditions) {
#ifndef GRAFT_CUDA
  (void)conditions;
  return std::string("this Graft is built with a LibTorch without CUDA");
#else
  if (!conditions.cuda) return std::string("the run computes on the CPU, not on a CUDA device");
  // GradScaler's check reads a flag on the host every step, and a step it skips is a branch the
  // graph cannot take.
  if (conditions.lossScaling)
    return std::string("fp16's loss scaling reads the gradients' state on the host every step");
  if (conditions.dataParallel)
    return std::string("a data-parallel run exchanges gradients between processes every step");
  if (conditions.featureCache)
    return std::string("batches from the frozen-feature cache are not captured");
  return std::nullopt;
#endif
}

#ifdef GRAFT_CUDA

namespace {

// Same shapes, types and strides: what a replay's static buffers need.
bool sameStaticLayout(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes() == b.sizes() && a.strides() == b.strides() &&
         a.scalar_type() == b.scalar_type() && a.device() == b.device();
}

// `waiting` runs what is queued on it after this point only once `on` has run what is queued on
// it now (torch.cuda.Stream.wait_stream).
void streamWaitsFor(const c10::cuda::CUDAStream& waiting, const c10::cuda::CUDAStream& on) {
  at::cuda::CUDAEvent event;
  event.record(on);
  event.block(waiting);
}

// Autocast keeps low-precision copies of the weights for a forward pass; a copy cached outside
// a capture would be read by every replay, stale (PyTorch: autocast(cache_enabled=False) around
// capture). Off for the warm-up steps and the capture.
class AutocastCacheOff {
 public:
  AutocastCacheOff() : was_(at::autocast::is_autocast_cache_enabled()) {
    at::autocast::set_autocast_cache_enabled(false);
  }
  ~AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(was_); }
  AutocastCacheOff(const AutocastCacheOff&) = delete;
  AutocastCacheOff& operator=(const AutocastCacheOff&) = delete;

 private:
  bool was_;
};

#define GRAFT_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||        \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// Hands back the private memory pool of a failed capture. capture_begin routed the side
// stream's allocations to `pool` and took a reference on it; only capture_end ends the routing,
// and CUDAGraph::reset releases the pool only after a capture that ended, so a failed one kept
// its pool (the memory the captured step allocated) reserved for the rest of the run, and the
// allocator, taking a capture to be still underway, stopped recycling the blocks other streams
// had used (it queries no events during a capture). As PyTorch's reset does for an ended capture:
// end the routing, then releasePool, which frees the pool's memory once none of its blocks is in
// use. Only for a capture that failed before capture_end: capture_end ends the routing first,
// and once its cudaStreamEndCapture succeeded the CUDAGraph's reset releases the pool itself
// (releasing it here too would release it twice). The allocator's calls are named per LibTorch
// version.
void releaseCapturePool(c10::DeviceIndex device, at::cuda::MempoolId_t pool, cudaStream_t stream,
                        unsigned long long captureId) {
  namespace allocator = c10::cuda::CUDACachingAllocator;
#if GRAFT_TORCH_AT_LEAST(2, 2)
  (void)stream;
  (void)captureId;
  allocator::endAllocateToPool(device, pool);
  allocator::releasePool(device, pool);
#elif GRAFT_TORCH_AT_LEAST(2, 1)
  (void)captureId;
  allocator::endAllocateStreamToPool(device, stream);
  allocator::releasePool(device, pool);
#else
  (void)stream;
  allocator::notifyCaptureEnd(device, captureId);
  allocator::notifyCaptureDestroy(device, pool);
#endif
}

// A capture that threw part-way may leave `stream` capturing: end it, drop what it recorded,
// hand its memory pool back (releaseCapturePool) and clear the (not sticky) error, so that the
// run goes on eagerly.
void abandonCapture(c10::DeviceIndex device, at::cuda::MempoolId_t pool, cudaStream_t stream) {
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  unsigned long long captureId = 0;
  if (cudaStreamGetCaptureInfo(stream, &status, &captureId) == cudaSuccess &&
      status != cudaStreamCaptureStatusNone) {
    cudaGraph_t recorded = nullptr;
    if (cudaStreamEndCapture(stream, &recorded) == cudaSuccess && recorded)
      cudaGraphDestroy(recorded);
  }
  try {
    releaseCapturePool(device, pool, stream, captureId);
  } catch (const c10::Error&) {
    // The allocator's bookkeeping disagrees (not expected): keeping the pool is the safe side.
  }
  (void)cudaGetLastError();
}

}  // namespace

struct StepGraph::Impl {
  Impl(KerasOptimizer& o, Body b, int64_t r, int w)
      : optimizer(o), body(std::move(b)), rows(r), warmupSteps(w) {}

  // A warm-up step (or the step of a failed capture): eager, on the side stream.
  std::vector<torch::Tensor> eager(const std::vector<torch::Tensor>& inputs);
  // Records the step with `inputs` copied into the static buffers and replays it once; nullopt
  // when capture failed (failure says why).
  std::optional<std::vector<torch::Tensor>> capture(const std::vector<torch::Tensor>& inputs);
  std::vector<torch::Tensor> replay(const std::vector<torch::Tensor>& inputs);

  KerasOptimizer& optimizer;
  Body body;
  int64_t rows;
  int warmupSteps;
  int stepsSeen = 0;
  int64_t replays = 0;
  std::optional<std::string> failure;
  c10::DeviceIndex device = 0;
  std::optional<c10::cuda::CUDAStream> side;
  std::unique_ptr<at::cuda::CUDAGraph> graph;  // set once captured
  std::vector<torch::Tensor> staticInputs;
  std::vector<torch::Tensor> staticOutputs;
};

std::vector<torch::Tensor> StepGraph::Impl::eager(const std::vector<torch::Tensor>& inputs) {
  const c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream(device);
  // The batch was copied on the current stream; what follows on it waits for the step.
  streamWaitsFor(*side, current);
  std::vector<torch::Tensor> outputs;
  {
    c10::cuda::CUDAStreamGuard onSide(*side);
    AutocastCacheOff cacheOff;
    optimizer.zeroGrad();
    outputs = body(inputs);
    optimizer.step();
  }
  streamWaitsFor(current, *side);
  return outputs;
}

std::optional<std::vector<torch::Tensor>> StepGraph::Impl::capture(
    const std::vector<torch::Tensor>& inputs) {
  // As torch.cuda.graph: nothing of the eager steps is still running when capture starts.
  c10::cuda::device_synchronize();
  staticInputs.clear();
  for (const auto& t : inputs) staticInputs.push_back(t.clone());  // strides kept (channels-last)
  // Gradients set to none: the captured backward allocates them in the graph's pool, and every
  // replay writes them there anew instead of adding to the last step's.
  optimizer.zeroGrad();
  const c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream(device);
  streamWaitsFor(*side, current);
  auto recorded = std::make_unique<at::cuda::CUDAGraph>();
  // Named here, not left to capture_begin, so that a failed capture can release it.
  const at::cuda::MempoolId_t pool = at::cuda::graph_pool_handle();
  bool began = false;
  bool stepped = false;  // optimizer.step() counted a step (only then is there one to uncount)
  bool ending = false;   // capture_end was called: the CUDAGraph owns the pool
  try {
    c10::cuda::CUDAStreamGuard onSide(*side);
    AutocastCacheOff cacheOff;
    began = true;  // before: capture_begin may fail after routing allocations to the pool
#if GRAFT_TORCH_AT_LEAST(2, 2)
    // Thread-local: the loader threads pin host memory meanwhile (event queries), which global
    // mode would count as unsafe calls and fail the capture for.
    recorded->capture_begin(pool, cudaStreamCaptureModeThreadLocal);
#else
    recorded->capture_begin(pool);
#endif
    std::vector<torch::Tensor> outputs = body(staticInputs);
    optimizer.step();
    stepped = true;
    // An invalidated capture (an operation not allowed while capturing) would fail inside
    // capture_end after it ended the routing but before the CUDAGraph owns the pool, where
    // neither it nor abandonCapture could tell who releases the pool: refused here, before
    // capture_end, it is abandoned as any failure during the step. From capture_end on, the
    // CUDAGraph releases its pool when `recorded` goes.
    cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
    C10_CUDA_CHECK(cudaStreamGetCaptureInfo(side->stream(), &status, nullptr));
    TORCH_CHECK(status == cudaStreamCaptureStatusActive,
                "the capture was invalidated by an operation CUDA graphs do not allow");
    ending = true;
    recorded->capture_end();
    staticOutputs = std::move(outputs);
  } catch (const std::exception& e) {
    if (began && !ending) abandonCapture(device, pool, side->stream());
    if (stepped) optimizer.uncountStep();  // the step() recorded in the failed capture ran nothing
    optimizer.zeroGrad();                  // gradients of a capture hold nothing
    staticInputs.clear();
    staticOutputs.clear();
    failure = errorText(e);
    return std::nullopt;
  }
  graph = std::move(recorded);
  // Nothing ran during capture: this replay is the step (optimizer.step() counted it).
  graph->replay();
  return staticOutputs;
}

std::vector<torch::Tensor> StepGraph::Impl::replay(const std::vector<torch::Tensor>& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i)
    staticInputs[i].copy_(inputs[i], /*non_blocking=*/true);
  graph->replay();
  ++replays;
  optimizer.countReplayedStep();
  return staticOutputs;
}

StepGraph::StepGraph(KerasOptimizer& optimizer, Body body, int64_t rows, int warmupSteps)
    : impl_(std::make_unique<Impl>(optimizer, std::move(body), rows, warmupSteps)) {
  optimizer.makeCapturable();
}

bool StepGraph::takes(const std::vector<torch::Tensor>& inputs) const {
  if (impl_->failure || inputs.empty() || !inputs.front().is_cuda() || inputs.front().dim() < 1 ||
      inputs.front().size(0) != impl_->rows)
    return false;
  if (!impl_->graph) return true;
  if (inputs.size() != impl_->staticInputs.size()) return false;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!sameStaticLayout(inputs[i], impl_->staticInputs[i])) return false;
  return true;
}

std::vector<torch::Tensor> StepGraph::run(const std::vector<torch::Tensor>& inputs) {
  Impl& s = *impl_;
  if (!takes(inputs)) throw Error("internal: a batch the step graph does not take");
  s.device = inputs.front().device().index();
  // Capture and replay on the run's GPU, whatever device the thread had current.
  const c10::cuda::CUDAGuard onDevice(s.device);
  if (!s.side) s.side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, s.device);
  if (s.graph) return s.replay(inputs);
  if (s.stepsSeen++ < s.warmupSteps) return s.eager(inputs);
  if (auto outputs = s.capture(inputs)) return *outputs;
  return s.eager(inputs);  // capture failed: this step, and the later ones, eagerly
}

#else  // no CUDA: whyStepsNotCaptured() refuses every run, so nothing here is ever reached

struct StepGraph::Impl {
  std::optional<std::string> failure =
      std::string("this Graft is built with a LibTorch without CUDA");
};

StepGraph::StepGraph(KerasOptimizer& /*optimizer*/, Body /*body*/, int64_t /*rows*/,
                     int /*warmupSteps*/)
    : impl_(std::make_unique<Impl>()) {}

bool StepGraph::takes(const std::vector<torch::Tensor>& /*inputs*/) const {
  return false;
}

std::vector<torch::Tensor> StepGraph::run(const std::vector<torch::Tensor>& /*inputs*/) {
  throw Error(*impl_->failure);
}

#endif

StepGraph::~StepGraph() = default;

bool StepGraph::captured() const {
#ifdef GRAFT_CUDA
  return impl_->graph != nullptr;
#else
  return false;
#endif
}

int64_t StepGraph::replays() const {
#ifdef GRAFT_CUDA
  return impl_->replays;
#else
  return 0;
#endif
}

const std::optional<std::string>& StepGraph::failure() const {
  return impl_->failure;
}

}  // namespace graft

// Not for the files compiled after this one in a unity unit.
#ifdef GRAFT_TORCH_AT_LEAST
#undef GRAFT_TORCH_AT_LEAST
#endif
