#pragma once
// Exporting a model so that it runs elsewhere and gives Graft's numbers (DESIGN.md "Files").
//
// TorchScript and ONNX models take a float32 batch already preprocessed, in LibTorch's layout
// (N, C, H, W) for image inputs, and return what `graft-cli predict` prints as `output`: the
// model's output in Keras's layout, so a rank-4 output (a feature map) comes out NHWC and a
// classifier's softmax comes out as probabilities (N, classes). The preprocessing and the class
// labels travel inside the file (TorchScript: module attributes and the extra file graft.json;
// ONNX: metadata_props). keras-h5 writes the weights as Keras 2's save_weights does,
// keras-weights as Keras 3's (`.weights.h5`, for load_weights onto the same model), keras the
// whole model as Keras 3's model.save writes a `.keras` archive (for keras.models.load_model).
//
// Every export is written atomically and checked before it replaces anything: the written file
// is loaded back by an independent reader (torch::jit::load, OpenCV's DNN module, Graft's Keras
// importer), run on a random preprocessed batch and compared with GraphModule. A file that does
// not reproduce Graft's output is never left behind.
#include <string>

#include "graph/model.h"

namespace graft {

enum class ExportFormat { TorchScript, Onnx, KerasH5, KerasWeights, Keras };

// "torchscript", "onnx", "keras-h5", "keras-weights", "keras"
std::string exportFormatName(ExportFormat format);
// "TorchScript", "ONNX", "Keras HDF5", "Keras 3 weights", "Keras 3 model"
std::string exportFormatTitle(ExportFormat format);
// ".pt", ".onnx", ".h5", ".weights.h5", ".keras"
std::string exportFormatSuffix(ExportFormat format);
ExportFormat exportFormatFromName(const std::string& name);  // throws graft::Error naming it
// What a reader feeds the written file and what travels in it, one or two sentences (the export
// dialog's note): TorchScript and ONNX take NCHW batches and hold the preprocessing and labels;
// a .keras model takes NHWC and Keras reads neither; weights files hold weights only.
std::string exportInputNote(const Model& model, ExportFormat format);

struct ExportReport {
  std::string path;
  ExportFormat format = ExportFormat::TorchScript;
  std::string checkedWith;     // the reader that ran the written file
  Shape sampleShape;           // the batch it ran, as fed (NCHW for images)
  double maxDifference = 0.0;  // largest |export - Graft| over the sample's outputs
  double tolerance = 0.0;      // relative to the output's scale:
  double allowed = 0.0;        // tolerance * max(1, largest |value| of Graft's output)
  // Empty, or why the check proves little though it passed: Graft's output is the same for every
  // check input, or its logits when it ends in softmax (exporting::exportCheckWarning). Front
  // ends show it apart from describe().
  std::string warning;
  std::string describe() const;  // one line for the user
  // sampleShape as the written file takes it: NHWC for Keras's formats, as fed otherwise.
  Shape sampleShapeInFile() const;
};

// Layers the format cannot express (or, for ONNX, a model without a fixed input size), one
// diagnostic each, addressed to the layer and naming the format. Empty when all can be exported.
Diagnostics exportRefusals(const Model& model, ExportFormat format);

// Writes `path` (atomically) and checks it. Throws graft::Error naming the layer and the format
// for a refused layer, naming the file when writing fails, and giving the difference when the
// written file does not reproduce Graft's output; in every such case no file is left at `path`
// (a previous file there is kept).
ExportReport exportModel(const Model& model, ExportFormat format, const std::string& path);

}  // namespace graft
