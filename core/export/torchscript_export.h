#pragma once
// TorchScript export: a torch::jit::Module built in C++ — one submodule per layer with weights
// (parameters in LibTorch's layout, BatchNormalization statistics as buffers) and a forward()
// generated from the graph and compiled with define() — saved as a .pt that Python's
// torch.jit.load runs without Graft.
#include <torch/types.h>

#include <string>

#include "export/export_plan.h"

namespace graft::exporting {

// Layers TorchScript cannot express (none today; a class without an emitter would be one).
Diagnostics torchScriptRefusals(const ExportPlan& plan);

// Writes the .pt to `path` (not atomically: the caller passes a temporary file). The metadata
// goes in as module attributes (preprocessing, labels, metadata) and as the extra file
// graft.json.
void writeTorchScript(const Model& model, const ExportPlan& plan, const std::string& path);

// Loads a .pt with torch::jit::load and runs it on `input` (inference, no autograd).
torch::Tensor runTorchScript(const std::string& path, const torch::Tensor& input);

}  // namespace graft::exporting
