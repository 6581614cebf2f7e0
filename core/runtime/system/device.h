#pragma once
// The device a run computes on, from the user's choice (run/compute_choice.h). `auto` takes the
// first CUDA device when LibTorch has one and sees a device, else the CPU; `cuda` and `cuda:N`
// are errors where there is no such device, naming what was found. CUDA-only code elsewhere
// sits behind GRAFT_CUDA (set by CMake when the LibTorch found has CUDA); this file decides at
// run time, so one binary serves machines with and without a GPU.
#include <torch/types.h>

#include <string>

#include "graph/graph.h"
#include "run/compute_choice.h"

namespace graft {

struct ComputeDevice {
  torch::Device device = torch::kCPU;
  std::string name;           // "CPU (2 cores)", "cuda:0 (NVIDIA H100 80GB HBM3, 79 GiB)"
  bool chosenByAuto = false;  // `auto` picked it (the front ends say which on stderr)
};

// The choice of one rank of a data-parallel run, one GPU per process as torchrun starts them:
// `cuda` is cuda:LOCAL_RANK; `auto` too when this machine has a GPU for each of its
// LOCAL_WORLD_SIZE processes, else the CPU (on every rank alike); `cpu` stays. `cuda:N` with
// more than one process on the machine would put them all on one GPU: refused (graft::Error
// naming --device).
DeviceChoice rankDeviceChoice(const DeviceChoice& choice, int localRank, int localWorldSize);

// Makes `device` the calling thread's current CUDA device (what LibTorch and NCCL use where no
// tensor names one); nothing for the CPU.
void makeCurrentDevice(const torch::Device& device);

// Throws graft::Error naming `flag` ("--device") and what was found when the choice cannot be
// honoured here.
ComputeDevice resolveDevice(const DeviceChoice& choice, const std::string& flag = "--device");
// The same for the text of a choice; a text that is not one is an error naming `flag`.
ComputeDevice resolveDevice(const std::string& choice, const std::string& flag = "--device");

// CUDA computes float32 as float32 from here on: LibTorch lets cuDNN's convolutions use TF32
// (10-bit mantissas) on Ampere and later by default, which moves outputs by ~1e-3 — Graft's
// fp32 must give the CPU's numbers (within 1e-4); bf16 is the fast choice. Process-wide (it is
// LibTorch's global setting); called whenever a module moves to a CUDA device.
void useIeeeFloat32OnCuda();

// The precision asked is usable on the device: fp16 needs CUDA (the CPU's autocast computes
// bfloat16 only). Throws graft::Error naming "--precision" otherwise.
void checkPrecisionOn(const ComputeDevice& device, Precision precision);

// Returns once `device` has run the work queued on it (CUDA computes asynchronously: a timing
// that ends before must wait for it). Nothing to wait for on the CPU.
void finishQueuedWork(const torch::Device& device);

// Whether a run given `choice` computes `graph` in channels-last order on `device` in
// `precision`. auto, measured with LibTorch 1.13 on 2 CPU cores (README "Training"): on the CPU
// for networks with BatchNormalization (ResNet50 and MobileNet train 18-19% faster), not for
// those without (VGG16's first blocks train 7% slower: the ReLUs of its large maps slow down);
// on CUDA for bf16 and fp16, whose tensor-core convolutions take channels-last
// (NVIDIA's advice; unmeasured here), not fp32.
bool computesChannelsLast(ChannelsLast choice, const ComputeDevice& device, Precision precision,
                          const Graph& graph);

}  // namespace graft
