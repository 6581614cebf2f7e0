#pragma once
// Where and in what precision a run computes, as the user writes it: `--device auto|cpu|cuda|
// cuda:N` and `--precision fp32|bf16|fp16` on the command line, "device" / "precision" in a
// pipeline, the GUI's choices. Plain data and its parser, no LibTorch: runtime/system/device.h
// turns a choice into the device a run uses (and says what was found when it cannot).
#include <optional>
#include <string>
#include <vector>

namespace graft {

struct DeviceChoice {
  enum class Kind {
    Auto,  // the first CUDA device when LibTorch has one, else the CPU
    Cpu,
    Cuda,  // `index` unset: the first (current) CUDA device
  };
  Kind kind = Kind::Auto;
  std::optional<int> index;  // cuda:N

  bool operator==(const DeviceChoice& other) const {
    return kind == other.kind && index == other.index;
  }
};

// What --device takes, for every command's help and the pipelines' manual page.
inline constexpr const char kDeviceChoiceHelp[] =
    "where it computes: auto (the first CUDA device when there is one, else the CPU), cpu, "
    "cuda or cuda:N (default auto)";

// "auto", "cpu", "cuda", "cuda:0", ...; nullopt for anything else (case matters: LibTorch's
// and PyTorch's spelling).
std::optional<DeviceChoice> parseDeviceChoice(const std::string& text);
// What the user would write for it ("cuda:1").
std::string deviceChoiceText(const DeviceChoice& choice);
// "" when `text` is a device choice, else what was expected, in the words of the other checks
// ("expected auto, cpu, cuda or cuda:N (N a device number from 0), found \"gpu\"").
std::string deviceChoiceProblem(const std::string& text);

// The arithmetic of a training step's forward pass. Weights, optimizer state and the loss stay
// float32 in every case (mixed precision, as PyTorch's autocast): the lower precisions only
// change what the matrix work inside the forward pass computes in.
enum class Precision {
  Float32,
  BFloat16,  // autocast to bfloat16: the range of float32, no loss scaling needed
  Float16,   // autocast to float16 with dynamic loss scaling (CUDA only)
};

// The memory order of rank-4 tensors (images, feature maps, convolution kernels) while a run
// computes: NCHW as LibTorch's default, or channels-last (NHWC strides, same shapes, same
// results up to rounding), which oneDNN's and cuDNN's convolutions run faster on.
enum class ChannelsLast {
  Auto,  // channels-last where it was measured to help (runtime/system/device.h)
  On,
  Off,
};

// "auto", "on", "off" (what `--channels-last` takes), in that order.
const std::vector<std::string>& channelsLastNames();
std::optional<ChannelsLast> parseChannelsLast(const std::string& text);
std::string channelsLastName(ChannelsLast choice);

// "fp32", "bf16", "fp16" (the names `--precision` takes), in that order.
const std::vector<std::string>& precisionNames();
std::optional<Precision> parsePrecision(const std::string& text);
std::string precisionName(Precision precision);

}  // namespace graft
