#pragma once
// ONNX export (opset 13), written with libonnx's protobuf classes: weights as initializers, the
// batch dimension dynamic, labels and preprocessing in metadata_props. Checked with ONNX's own
// checker and strict shape inference before it is written, and run back through OpenCV's DNN
// module after.
#include <torch/types.h>

#include <string>

#include "export/export_plan.h"

namespace graft::exporting {

constexpr int64_t kOnnxOpset = 13;

// Layers ONNX cannot express, and a model whose input size is not fixed.
Diagnostics onnxRefusals(const ExportPlan& plan);

// Writes the .onnx to `path` (not atomically: the caller passes a temporary file). Throws
// graft::Error for a refused layer or when ONNX's checker rejects the generated model.
void writeOnnx(const Model& model, const ExportPlan& plan, const std::string& path);

// Reads the file with cv::dnn::readNetFromONNX and runs it on `input` (N, C, H, W).
torch::Tensor runOnnxWithOpenCv(const std::string& path, const torch::Tensor& input);

// "OpenCV DNN 4.6.0".
std::string openCvDnnName();

}  // namespace graft::exporting
