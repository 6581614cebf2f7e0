#pragma once
// One process's membership of a data-parallel run on PyTorch's own distributed engine: a c10d
// TCPStore rendezvous (rank 0 serves it at MASTER_ADDR:MASTER_PORT) and a c10d
// ProcessGroupGloo for the collectives. The trainer takes it through TrainOptions; without one
// (a single process) nothing here runs. c10d and gloo stay inside the .cpp.
//
// Every collective waits at most the timeout given to connect(): a peer that died, hangs or
// never came turns into a graft::Error naming this rank, the rendezvous address and the
// operation, on every rank that is still alive, instead of a hang.
#include <torch/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "runtime/distributed/launch_environment.h"

namespace graft {

class DataParallel {
 public:
  // Joins the rendezvous: rank 0 listens on MASTER_PORT and waits for the others, the others
  // connect (retrying until the timeout). Throws graft::Error when the rendezvous does not
  // complete within `timeout` or the port cannot be used.
  static std::shared_ptr<DataParallel> connect(const LaunchEnvironment& environment,
                                               std::chrono::milliseconds timeout);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return environment_.rank; }
  int worldSize() const { return environment_.worldSize; }
  bool isRankZero() const { return environment_.rank == 0; }
  const LaunchEnvironment& environment() const { return environment_; }

  // The device this rank computes on (the trainer says so once it knows; the CPU until then).
  // For a CUDA device, with a LibTorch that has NCCL (GRAFT_NCCL, set by CMake after checking
  // it builds), CUDA tensors are exchanged through NCCL, directly between the GPUs; otherwise
  // Gloo stages them through host memory. CPU tensors always go through Gloo. Every rank must
  // compute on the same kind of device (the trainer compares that first).
  void computeOn(const torch::Device& device);
  // "gloo", or "nccl for CUDA tensors, gloo for the rest": for the run's notes.
  std::string exchangeName() const;

  // Overwrites the tensors on every rank with rank 0's values.
  void broadcastFromRankZero(const std::vector<torch::Tensor>& tensors, const std::string& what);
  // Replaces every tensor (float32 or float64; on the CPU or, with a LibTorch that has CUDA, a
  // GPU: Gloo stages those through host memory) by its sum over the ranks. The tensors are
  // packed into flat buckets of at most bucketBytes() each, one dtype and device a bucket (one
  // collective per bucket, all in flight at once), as DistributedDataParallel does with its
  // 25 MB buckets.
  void allReduceSum(const std::vector<torch::Tensor>& tensors, const std::string& what);
  // Sums of plain numbers (metrics, flags) over the ranks, in float64 (exact for counts).
  std::vector<double> sumOverRanks(const std::vector<double>& values, const std::string& what);
  // Returns once every rank got here.
  void barrier(const std::string& what);

  static constexpr int64_t bucketBytes() { return int64_t{25} << 20; }

 private:
  struct Impl;
  DataParallel(LaunchEnvironment environment, std::unique_ptr<Impl> impl);
  // connect()'s work, on the thread connect() watches.
  static std::unique_ptr<Impl> rendezvous(const LaunchEnvironment& environment,
                                          std::chrono::milliseconds timeout);
  [[noreturn]] void fail(const std::string& what, const std::exception& e) const;

  LaunchEnvironment environment_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace graft
