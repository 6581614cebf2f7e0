#include "run/compute_choice.h"

#include <cctype>

namespace graft {

namespace {

constexpr const char* kCudaPrefix = "cuda:";

// A device number as LibTorch takes it: decimal digits, no sign, at most what an int holds.
std::optional<int> deviceNumber(const std::string& digits) {
  if (digits.empty() || digits.size() > 4) return std::nullopt;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  return std::stoi(digits);
}

}  // namespace

std::optional<DeviceChoice> parseDeviceChoice(const std::string& text) {
  DeviceChoice choice;
  if (text == "auto") return choice;
  if (text == "cpu") {
    choice.kind = DeviceChoice::Kind::Cpu;
    return choice;
  }
  if (text == "cuda") {
    choice.kind = DeviceChoice::Kind::Cuda;
    return choice;
  }
  if (text.rfind(kCudaPrefix, 0) == 0) {
    const auto number = deviceNumber(text.substr(std::string(kCudaPrefix).size()));
    if (!number) return std::nullopt;
    choice.kind = DeviceChoice::Kind::Cuda;
    choice.index = *number;
    return choice;
  }
  return std::nullopt;
}

std::string deviceChoiceText(const DeviceChoice& choice) {
  switch (choice.kind) {
    case DeviceChoice::Kind::Auto:
      return "auto";
    case DeviceChoice::Kind::Cpu:
      return "cpu";
    case DeviceChoice::Kind::Cuda:
      break;
  }
  return choice.index ? kCudaPrefix + std::to_string(*choice.index) : "cuda";
}

std::string deviceChoiceProblem(const std::string& text) {
  if (parseDeviceChoice(text)) return "";
  return "expected auto, cpu, cuda or cuda:N (N a device number from 0), found \"" + text + "\"";
}

const std::vector<std::string>& channelsLastNames() {
  static const std::vector<std::string> names = {"auto", "on", "off"};
  return names;
}

std::optional<ChannelsLast> parseChannelsLast(const std::string& text) {
  if (text == "auto") return ChannelsLast::Auto;
  if (text == "on") return ChannelsLast::On;
  if (text == "off") return ChannelsLast::Off;
  return std::nullopt;
}

std::string channelsLastName(ChannelsLast choice) {
  switch (choice) {
    case ChannelsLast::On:
      return "on";
    case ChannelsLast::Off:
      return "off";
    case ChannelsLast::Auto:
      break;
  }
  return "auto";
}

const std::vector<std::string>& precisionNames() {
  static const std::vector<std::string> names = {"fp32", "bf16", "fp16"};
  return names;
}

std::optional<Precision> parsePrecision(const std::string& text) {
  if (text == "fp32") return Precision::Float32;
  if (text == "bf16") return Precision::BFloat16;
  if (text == "fp16") return Precision::Float16;
  return std::nullopt;
}

std::string precisionName(Precision precision) {
  switch (precision) {
    case Precision::BFloat16:
      return "bf16";
    case Precision::Float16:
      return "fp16";
    case Precision::Float32:
      break;
  }
  return "fp32";
}

}  // namespace graft
