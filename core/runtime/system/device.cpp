#include "runtime/system/device.h"

#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#ifdef GRAFT_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

#include "graph/diagnostic.h"
#include "runtime/system/device_names.h"
#include "runtime/system/threads.h"

namespace graft {

namespace {

std::string libTorchName() {
  return std::string("LibTorch ") + TORCH_VERSION;
}

int cudaDevices() {
  return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

std::string cudaName(int index) {
  std::string name = "cuda:" + std::to_string(index);
#ifdef GRAFT_CUDA
  const cudaDeviceProp* properties = at::cuda::getDeviceProperties(index);
  name += std::string(" (") + properties->name + ", " +
          std::to_string(properties->totalGlobalMem >> 30) + " GiB)";
#endif
  return name;
}

// The cores a run uses (useAllCoresForTorch sets them on the thread that computes; the thread
// asking may still have LibTorch's default of one).
std::string cpuName() {
  const int cores = usableCores();
  return "CPU (" + std::to_string(cores) + (cores == 1 ? " core)" : " cores)");
}

// Why there is no CUDA device to compute on, for an error or a description.
std::string noCudaReason() {
#ifdef GRAFT_CUDA
  return libTorchName() +
         " has CUDA but sees no CUDA device (is the NVIDIA driver loaded, "
         "and CUDA_VISIBLE_DEVICES unset or naming a device?)";
#else
  return "this Graft is built with " + libTorchName() +
         " without CUDA (build it against a LibTorch with CUDA: README, \"GPU\")";
#endif
}

}  // namespace

ComputeDevice resolveDevice(const DeviceChoice& choice, const std::string& flag) {
  ComputeDevice out;
  const int devices = cudaDevices();
  switch (choice.kind) {
    case DeviceChoice::Kind::Auto:
      out.chosenByAuto = true;
      if (devices > 0) {
        out.device = torch::Device(torch::kCUDA, 0);
        out.name = cudaName(0);
      } else {
        out.name = cpuName();
      }
      return out;
    case DeviceChoice::Kind::Cpu:
      out.name = cpuName();
      return out;
    case DeviceChoice::Kind::Cuda:
      break;
  }
  const std::string asked = deviceChoiceText(choice);
  if (devices == 0) throw Error(Diagnostic{flag, asked + ": " + noCudaReason()});
  const int index = choice.index.value_or(0);
  if (index >= devices)
    throw Error(Diagnostic{flag, asked + ": there " +
                                     (devices == 1 ? std::string("is 1 CUDA device (cuda:0)")
                                                   : "are " + std::to_string(devices) +
                                                         " CUDA devices (cuda:0 to cuda:" +
                                                         std::to_string(devices - 1) + ")")});
  out.device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  out.name = cudaName(index);
  return out;
}

ComputeDevice resolveDevice(const std::string& choice, const std::string& flag) {
  const auto parsed = parseDeviceChoice(choice);
  if (!parsed) throw Error(Diagnostic{flag, deviceChoiceProblem(choice)});
  return resolveDevice(*parsed, flag);
}

void useIeeeFloat32OnCuda() {
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
}

void checkPrecisionOn(const ComputeDevice& device, Precision precision) {
  if (precision == Precision::Float16 && !device.device.is_cuda())
    throw Error(Diagnostic{"--precision", "fp16 needs a CUDA device; the run computes on " +
                                              device.name +
                                              ", where autocast computes bf16 (use --precision "
                                              "bf16 or fp32)"});
#ifdef GRAFT_CUDA
  // Before Ampere (compute capability 8) CUDA has no bfloat16 matrix units.
  if (precision == Precision::BFloat16 && device.device.is_cuda() &&
      at::cuda::getDeviceProperties(device.device.index())->major < 8)
    throw Error(Diagnostic{"--precision", "bf16 needs a GPU of compute capability 8.0 or later; " +
                                              device.name + " is older (use fp16 or fp32)"});
#endif
}

DeviceChoice rankDeviceChoice(const DeviceChoice& choice, int localRank, int localWorldSize) {
  if (choice.kind == DeviceChoice::Kind::Cpu) return choice;
  if (choice.index) {
    if (localWorldSize > 1)
      throw Error(Diagnostic{
          "--device", deviceChoiceText(choice) + " would put the " +
                          std::to_string(localWorldSize) +
                          " processes of this machine on one GPU: give cuda (each process takes "
                          "the GPU of its LOCAL_RANK), auto or cpu"});
    return choice;
  }
  DeviceChoice rank;
  if (choice.kind == DeviceChoice::Kind::Auto && cudaDevices() < localWorldSize) {
    rank.kind = DeviceChoice::Kind::Cpu;
    return rank;
  }
  rank.kind = DeviceChoice::Kind::Cuda;
  rank.index = localRank;
  return rank;
}

void makeCurrentDevice(const torch::Device& device) {
#ifdef GRAFT_CUDA
  if (device.is_cuda() && device.has_index()) c10::cuda::set_device(device.index());
#else
  (void)device;
#endif
}

void finishQueuedWork(const torch::Device& device) {
#ifdef GRAFT_CUDA
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
#else
  (void)device;
#endif
}

bool computesChannelsLast(ChannelsLast choice, const ComputeDevice& device, Precision precision,
                          const Graph& graph) {
  if (choice != ChannelsLast::Auto) return choice == ChannelsLast::On;
  if (device.device.is_cuda()) return precision != Precision::Float32;
  for (const auto& node : graph.nodes())
    if (node.className == "BatchNormalization") return true;
  return false;
}

std::vector<std::string> deviceChoicesHere() {
  std::vector<std::string> choices = {"auto", "cpu"};
  for (int i = 0; i < cudaDevices(); ++i) choices.push_back("cuda:" + std::to_string(i));
  return choices;
}

std::string deviceDescription(const std::string& choice) {
  try {
    return resolveDevice(choice).name;
  } catch (const std::exception&) {
    const auto parsed = parseDeviceChoice(choice);
    if (!parsed) return deviceChoiceProblem(choice);
    return choice + ": none (" + noCudaReason() + ")";
  }
}

std::string computeBackendSummary() {
  const int devices = cudaDevices();
#ifdef GRAFT_CUDA
  if (devices == 0) return libTorchName() + " with CUDA, no CUDA device found";
  return libTorchName() + " with CUDA, " + std::to_string(devices) + " device" +
         (devices == 1 ? "" : "s") + " (" + cudaName(0) + (devices > 1 ? ", ..." : "") + ")";
#else
  (void)devices;
  return libTorchName() + ", CPU only (built without CUDA)";
#endif
}

}  // namespace graft
