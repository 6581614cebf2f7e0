#include "runtime/distributed/data_parallel.h"

#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef GRAFT_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>

#include "graph/diagnostic.h"

namespace graft {

struct DataParallel::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  std::chrono::milliseconds timeout{0};
#ifdef GRAFT_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;  // this rank's CUDA tensors, once it is on one
#endif

  c10::intrusive_ptr<c10d::Work> allreduce(std::vector<at::Tensor>& tensors) {
#ifdef GRAFT_NCCL
    if (nccl && tensors.front().is_cuda()) return nccl->allreduce(tensors);
#endif
    return group->allreduce(tensors);
  }

  c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& tensors,
                                           const c10d::BroadcastOptions& options) {
#ifdef GRAFT_NCCL
    if (nccl && tensors.front().is_cuda()) return nccl->broadcast(tensors, options);
#endif
    return group->broadcast(tensors, options);
  }
};

namespace {

bool isLoopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

// The network device gloo's pairs connect through. GLOO_SOCKET_IFNAME chooses an interface as
// in PyTorch; a rendezvous on loopback keeps everything on loopback (one machine); otherwise
// gloo's default: the address this machine's hostname resolves to.
std::shared_ptr<gloo::transport::Device> glooDevice(const LaunchEnvironment& environment) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  if (isLoopback(environment.masterAddress))
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// c10d's messages carry source locations and stack traces after the first line.
std::string firstLine(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

void waitFor(const c10::intrusive_ptr<c10d::Work>& work) {
  work->wait();  // throws what the collective failed with (peer gone, timeout)
}

}  // namespace

DataParallel::DataParallel(LaunchEnvironment environment, std::unique_ptr<Impl> impl)
    : environment_(std::move(environment)), impl_(std::move(impl)) {}

DataParallel::~DataParallel() = default;

std::shared_ptr<DataParallel> DataParallel::connect(const LaunchEnvironment& environment,
                                                    std::chrono::milliseconds timeout) {
  // LibTorch 1.13's TCPStore client reads without a timeout: a port that accepts connections
  // but never answers (another program on MASTER_PORT, a stopped rank 0) would hang this rank
  // for ever. The rendezvous runs on a thread of its own and is given up at a deadline: the
  // store's wait and gloo's connection may each take the whole timeout, plus a margin. A
  // thread given up stays blocked until the process ends, holding only its own objects.
  struct Attempt {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::unique_ptr<Impl> impl;
    std::exception_ptr error;
  };
  auto attempt = std::make_shared<Attempt>();
  std::thread([attempt, environment, timeout] {
    std::unique_ptr<Impl> impl;
    std::exception_ptr error;
    try {
      impl = rendezvous(environment, timeout);
    } catch (...) {
      error = std::current_exception();
    }
    const std::lock_guard<std::mutex> lock(attempt->mutex);
    attempt->impl = std::move(impl);
    attempt->error = error;
    attempt->done = true;
    attempt->finished.notify_all();
  }).detach();
  const auto deadline = 2 * timeout + std::chrono::seconds(5);
  std::unique_lock<std::mutex> lock(attempt->mutex);
  if (!attempt->finished.wait_for(lock, deadline, [&] { return attempt->done; }))
    throw Error(environment.describe() + ": the rendezvous did not answer within " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(deadline).count()) +
                " s: something accepts connections at MASTER_ADDR:MASTER_PORT but does not "
                "answer as the rendezvous store (torchrun's agent or rank 0) would: another "
                "program on that port, or a stopped or hung store?");
  if (attempt->error) std::rethrow_exception(attempt->error);
  return std::shared_ptr<DataParallel>(new DataParallel(environment, std::move(attempt->impl)));
}

std::unique_ptr<DataParallel::Impl> DataParallel::rendezvous(const LaunchEnvironment& environment,
                                                             std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>();
  impl->timeout = timeout;
  const std::string where = environment.describe();
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(environment.masterPort);
    options.isServer = environment.rank == 0 && !environment.agentStore;
    options.numWorkers = static_cast<std::size_t>(environment.worldSize);
    options.waitWorkers = true;
    options.timeout = timeout;
    impl->store = c10::make_intrusive<c10d::TCPStore>(environment.masterAddress, options);
    if (environment.agentStore)
      impl->store = c10::make_intrusive<c10d::PrefixStore>(
          "/worker/attempt_" + std::to_string(environment.restartCount), impl->store);
  } catch (const std::exception& e) {
    throw Error(where + ": the rendezvous did not complete within " +
                std::to_string(timeout.count() / 1000) + " s (" +
                (environment.rank == 0
                     ? std::string("not every rank connected; were all ") +
                           std::to_string(environment.worldSize) + " processes started?"
                     : std::string("rank 0 is not listening there; is it running, and are "
                                   "MASTER_ADDR and MASTER_PORT the same for every rank?")) +
                "): " + firstLine(e.what()));
  }
  try {
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(glooDevice(environment));
    options->threads = 2;
    impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, environment.rank,
                                                              environment.worldSize, options);
  } catch (const std::exception& e) {
    throw Error(
        where + ": could not connect the gloo process group within " +
        std::to_string(timeout.count() / 1000) + " s (not every rank joined; were all " +
        std::to_string(environment.worldSize) +
        " processes started, with the same MASTER_ADDR and MASTER_PORT?): " + firstLine(e.what()));
  }
  return impl;
}

void DataParallel::computeOn(const torch::Device& device) {
#ifdef GRAFT_NCCL
  if (device.is_cuda() && !impl_->nccl) {
    // A collective's wait() then blocks and throws at the timeout (NCCL's default only orders
    // the streams, and a dead peer would leave this rank waiting for NCCL's watchdog); older
    // LibTorch reads the name without TORCH_. A value the user set stays.
    setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
    setenv("NCCL_BLOCKING_WAIT", "1", 0);
    // Its own key space in the rendezvous store; NCCL makes its communicator at the first
    // exchange, on the device of the tensors exchanged.
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = impl_->timeout;
    impl_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(
        c10::make_intrusive<c10d::PrefixStore>("nccl", impl_->store), environment_.rank,
        environment_.worldSize, options);
  }
#else
  (void)device;
#endif
}

std::string DataParallel::exchangeName() const {
#ifdef GRAFT_NCCL
  if (impl_->nccl) return "nccl for CUDA tensors, gloo for the rest";
#endif
  return "gloo";
}

void DataParallel::fail(const std::string& what, const std::exception& e) const {
  throw Error(environment_.describe() + ": " + what +
              " failed; another rank died, hung or stopped with an error (its own message says "
              "why): " +
              firstLine(e.what()));
}

void DataParallel::broadcastFromRankZero(const std::vector<torch::Tensor>& tensors,
                                         const std::string& what) {
  try {
    for (const auto& tensor : tensors) {
      std::vector<at::Tensor> one{tensor.is_contiguous() ? tensor : tensor.contiguous()};
      c10d::BroadcastOptions options;
      options.rootRank = 0;
      waitFor(impl_->broadcast(one, options));
      if (!tensor.is_contiguous()) tensor.copy_(one[0]);
    }
  } catch (const std::exception& e) {
    fail(what, e);
  }
}

void DataParallel::allReduceSum(const std::vector<torch::Tensor>& tensors,
                                const std::string& what) {
  torch::NoGradGuard noGrad;
  // Buckets of consecutive tensors of one dtype on one device, up to bucketBytes() each (the
  // step's counts are on the CPU, a CUDA rank's gradients on its GPU).
  std::vector<std::vector<torch::Tensor>> buckets;
  int64_t bytes = 0;
  for (const auto& tensor : tensors) {
    const int64_t size = tensor.numel() * static_cast<int64_t>(tensor.element_size());
    if (buckets.empty() || bytes + size > bucketBytes() ||
        buckets.back().front().scalar_type() != tensor.scalar_type() ||
        buckets.back().front().device() != tensor.device()) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().push_back(tensor);
    bytes += size;
  }
  try {
    std::vector<std::vector<at::Tensor>> flats;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (const auto& bucket : buckets) {
      std::vector<torch::Tensor> pieces;
      for (const auto& t : bucket) pieces.push_back(t.reshape({-1}));
      flats.push_back({torch::cat(pieces)});
      works.push_back(impl_->allreduce(flats.back()));
    }
    for (size_t b = 0; b < buckets.size(); ++b) {
      waitFor(works[b]);
      int64_t offset = 0;
      for (const auto& t : buckets[b]) {
        t.copy_(flats[b][0].slice(0, offset, offset + t.numel()).view_as(t));
        offset += t.numel();
      }
    }
  } catch (const std::exception& e) {
    fail(what, e);
  }
}

std::vector<double> DataParallel::sumOverRanks(const std::vector<double>& values,
                                               const std::string& what) {
  auto tensor = torch::tensor(values, torch::kFloat64);
  allReduceSum({tensor}, what);
  const double* data = tensor.data_ptr<double>();
  return std::vector<double>(data, data + tensor.numel());
}

void DataParallel::barrier(const std::string& what) {
  try {
    waitFor(impl_->group->barrier());
  } catch (const std::exception& e) {
    fail(what, e);
  }
}

}  // namespace graft
