#pragma once
// Shared by the export tests: small models exercising each layer type, random weights and
// inputs, Graft's reference output, and the independent readers of the exported files —
// /usr/bin/python3 (torch.jit.load, the onnx checker, h5py) and OpenCV's DNN module in C++.
#include <gtest/gtest.h>
#include <torch/types.h>

#include <string>
#include <vector>

#include "export/export.h"
#include "graph/model.h"
#include "support/test_support.h"

namespace graft::test::exports {

// The formats whose exports run the model back (TorchScript, ONNX) or read it back (Keras).
inline const ExportFormat kFormats[] = {ExportFormat::TorchScript, ExportFormat::Onnx,
                                        ExportFormat::KerasH5};

// `graph` with test::randomWeights(graph, seed): no weight is a neutral 0 or 1 that would hide
// a wrong layout.
Model randomModel(Graph graph, uint64_t seed, Preprocessing preprocessing = Preprocessing::None,
                  std::vector<std::string> labels = {});

// Small models built around one layer of `className`, in several configurations (padding,
// strides, ranks ...). Empty for a class this table does not know yet.
struct LayerSample {
  std::string label;  // "Conv2D same stride 2 (asymmetric)"
  Model model;
};
std::vector<LayerSample> layerSamples(const std::string& className);

// One graph with many layer types wired together (branches, merges, asymmetric padding,
// Flatten into Dense), ending in a softmax over 3 classes.
Model coverageModel(uint64_t seed);

// Uniform [-1, 1) input in the exports' layout ((N, C, H, W) for images), `batch` first.
torch::Tensor randomInput(const Model& model, int64_t batch, uint64_t seed);
// GraphModule's output for the input, in Keras's layout (what graft-cli predict prints).
torch::Tensor graftReference(const Model& model, const torch::Tensor& input);

// Shapes equal and |got - want| <= tol * max(1, largest finite |want|) everywhere (equal
// infinities match); reports the worst element.
::testing::AssertionResult closeTo(const torch::Tensor& got, const torch::Tensor& want, double tol);

// Empty when /usr/bin/python3 can import every module, else why not (for GTEST_SKIP).
std::string pythonMissing(const std::vector<std::string>& modules);
#define GRAFT_REQUIRE_PYTHON(...)                                                 \
  do {                                                                            \
    const std::string why = ::graft::test::exports::pythonMissing({__VA_ARGS__}); \
    if (!why.empty()) GTEST_SKIP() << why;                                        \
  } while (false)

// One file for a Python checker: its input and the output Graft computes for it.
struct PythonCase {
  std::string file;
  torch::Tensor input;     // may be undefined for checkers that run nothing
  torch::Tensor expected;  // Keras layout
};
// Runs `script` (one of the checkers below) over the cases; one JSON object per case, in order,
// with "error" when the checker failed on it.
std::vector<Json> runPython(const char* script, const std::vector<PythonCase>& cases,
                            const TempDir& scratch);

// torch.jit.load, run, compare: max_diff, scaled_diff, shape, labels, preprocessing,
// graft_json (the extra file), parameters, buffers.
extern const char* const kTorchScriptChecker;
// onnx.checker.check_model(full_check=True): opset, metadata, inputs / outputs dims.
extern const char* const kOnnxChecker;
// h5py: layer_names, backend, layers {name: [[weight_name, shape]]}.
extern const char* const kH5Inspector;

// cv::dnn::readNetFromONNX + forward on (N, C, H, W) input; output as OpenCV shapes it.
torch::Tensor runOpenCvDnn(const std::string& onnxPath, const torch::Tensor& input);

}  // namespace graft::test::exports
