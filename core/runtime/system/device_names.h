#pragma once
// What this build of Graft can compute on, in words, for the GUI's device choices and the
// status bar: no LibTorch in this header (runtime/system/device.h resolves a choice).
#include <string>
#include <vector>

namespace graft {

// "auto", "cpu", then "cuda:0", "cuda:1", ... for each CUDA device found: the values a device
// choice may take here.
std::vector<std::string> deviceChoicesHere();

// One line on what a choice computes on: "CPU (2 cores)", "cuda:0 (NVIDIA H100 80GB HBM3,
// 79 GiB)"; for a choice this build cannot honour, why ("CUDA: none (LibTorch 1.13.0 built
// without CUDA)"). Never throws.
std::string deviceDescription(const std::string& choice);

// The LibTorch this program runs on and whether it has CUDA: "LibTorch 1.13.0, CPU only".
std::string computeBackendSummary();

}  // namespace graft
