#include "export/export.h"

#include <torch/version.h>

#include <sstream>

#include "export/export_check.h"
#include "export/keras_h5_export.h"
#include "export/onnx_export.h"
#include "export/torchscript_export.h"
#include "io/atomic_file.h"
#include "io/keras3_config_writer.h"
#include "io/keras3_weights_writer.h"
#include "io/keras_archive_writer.h"
#include "io/keras_h5_writer.h"
#include "run/export_spec.h"
#include "runtime/prediction/predict_output.h"

namespace graft {

using namespace exporting;

namespace {

// Allowed |export - Graft| per element, times max(1, |Graft's value|): TorchScript runs the
// very same LibTorch ops; OpenCV has its own kernels (and sums in its own order).
constexpr double kTorchScriptTolerance = 1e-5;
constexpr double kOnnxTolerance = 1e-4;

}  // namespace

std::string exportFormatName(ExportFormat format) {
  switch (format) {
    case ExportFormat::TorchScript:
      return "torchscript";
    case ExportFormat::Onnx:
      return "onnx";
    case ExportFormat::KerasH5:
      return "keras-h5";
    case ExportFormat::KerasWeights:
      return "keras-weights";
    case ExportFormat::Keras:
      break;
  }
  return "keras";
}

std::string exportFormatTitle(ExportFormat format) {
  switch (format) {
    case ExportFormat::TorchScript:
      return "TorchScript";
    case ExportFormat::Onnx:
      return "ONNX";
    case ExportFormat::KerasH5:
      return "Keras HDF5";
    case ExportFormat::KerasWeights:
      return "Keras 3 weights";
    case ExportFormat::Keras:
      break;
  }
  return "Keras 3 model";
}

std::string exportFormatSuffix(ExportFormat format) {
  return exportFileSuffix(exportFormatName(format));  // run/export_spec.h's one table
}

ExportFormat exportFormatFromName(const std::string& name) {
  for (ExportFormat f : {ExportFormat::TorchScript, ExportFormat::Onnx, ExportFormat::KerasH5,
                         ExportFormat::KerasWeights, ExportFormat::Keras})
    if (exportFormatName(f) == name) return f;
  throw Error("unknown export format '" + name +
              "'; expected torchscript, onnx, keras-h5, keras-weights or keras");
}

namespace {

bool isKerasFormat(ExportFormat format) {
  return format == ExportFormat::KerasH5 || format == ExportFormat::KerasWeights ||
         format == ExportFormat::Keras;
}

// An image batch fed as NCHW, in the layout a Keras user knows it by (N, H, W, C).
Shape channelsLast(const Shape& nchw) {
  if (nchw.size() != 4) return nchw;
  return {nchw[0], nchw[2], nchw[3], nchw[1]};
}

}  // namespace

std::string exportInputNote(const Model& model, ExportFormat format) {
  const std::string preprocessing =
      model.preprocessing == Preprocessing::None
          ? "pixels 0..255 as they are"
          : "preprocessed as '" + preprocessingName(model.preprocessing) + "'";
  switch (format) {
    case ExportFormat::TorchScript:
    case ExportFormat::Onnx:
      return "Inputs: float32 NCHW batches (N, C, H, W), " + preprocessing +
             "; the preprocessing and class labels are stored in the file.";
    case ExportFormat::Keras:
      return "Inputs: float32 NHWC batches (N, H, W, C), " + preprocessing +
             "; Keras reads the model, not the preprocessing or class labels (Graft keeps them "
             "in the archive's metadata.json and reads them back).";
    case ExportFormat::KerasH5:
    case ExportFormat::KerasWeights:
      break;
  }
  return "Weights only: load them onto the same architecture (Keras's load_weights, or Graft's "
         "--weights with the model they came from); the preprocessing (" +
         preprocessingName(model.preprocessing) + ") and class labels are not in the file.";
}

Shape ExportReport::sampleShapeInFile() const {
  return isKerasFormat(format) ? channelsLast(sampleShape) : sampleShape;
}

std::string ExportReport::describe() const {
  std::ostringstream s;
  s << "wrote " << path << " (" << exportFormatTitle(format) << "); " << checkedWith
    << " ran it on a random batch " << shapeToString(sampleShapeInFile())
    << ": largest difference from Graft's output " << maxDifference << " (allowed " << allowed
    << ")";
  return s.str();
}

Diagnostics exportRefusals(const Model& model, ExportFormat format) {
  // A model no format can take (several inputs or outputs, weights that do not fit) is a
  // refusal like a layer's: the export dialog lists it instead of failing later.
  ExportPlan plan;
  try {
    plan = makeExportPlan(model);
  } catch (const Error& e) {
    return e.diagnostics().empty() ? Diagnostics{Diagnostic{"", e.what()}} : e.diagnostics();
  }
  switch (format) {
    case ExportFormat::TorchScript:
      return torchScriptRefusals(plan);
    case ExportFormat::Onnx:
      return onnxRefusals(plan);
    case ExportFormat::KerasH5:
    case ExportFormat::KerasWeights:
      break;  // weights only: every layer's weights have a Keras layout
    case ExportFormat::Keras:
      return keras3Refusals(model.graph);
  }
  return {};
}

ExportReport exportModel(const Model& model, ExportFormat format, const std::string& path) {
  const ExportPlan plan = makeExportPlan(model);
  if (Diagnostics refused = exportRefusals(model, format); !refused.empty()) throw Error(refused);
  // The export carries the class names (ONNX metadata, .keras metadata.json): never another
  // model's.
  if (!model.labels.empty() && model.graph.outputs().size() == 1) {
    const GraphAnalysis analysis = analyzeOrThrow(model.graph);
    const Shape& out = analysis.find(model.graph.outputs().front())->outputShape;
    checkLabelsFitOutput(model.labels, model.graph, Shape(out.begin() + 1, out.end()));
  }
  // A free input is checked at the size the model was trained at, when it was.
  const torch::Tensor input =
      sampleInput(model, plan, model.trainedInputSize > 0 ? model.trainedInputSize : 224);
  const torch::Tensor want = graftOutput(model, input);

  ExportReport report;
  report.path = path;
  report.format = format;
  report.sampleShape = Shape(input.sizes().begin(), input.sizes().end());
  // Checked on the temporary file, before it replaces anything at `path`.
  writeAtomically(path, [&](const std::string& temp) {
    torch::Tensor got;
    switch (format) {
      case ExportFormat::TorchScript:
        writeTorchScript(model, plan, temp);
        report.checkedWith = std::string("torch::jit::load (LibTorch ") + TORCH_VERSION + ")";
        report.tolerance = kTorchScriptTolerance;
        got = runTorchScript(temp, input);
        break;
      case ExportFormat::Onnx:
        writeOnnx(model, plan, temp);
        report.checkedWith = openCvDnnName();
        report.tolerance = kOnnxTolerance;
        got = runOnnxWithOpenCv(temp, input);
        // OpenCV's blobs may carry extra unit axes; the values and their order must match.
        if (got.numel() == want.numel()) got = got.reshape(want.sizes());
        break;
      case ExportFormat::KerasH5:
        writeKerasWeightsFile(model, temp);
        report.checkedWith = "Graft's Keras importer";
        report.tolerance = 0.0;  // the same weights, bit for bit, in the same runtime
        got = runKerasH5(model, temp, input);
        break;
      case ExportFormat::KerasWeights:
        writeKeras3WeightsFile(model, temp);
        report.checkedWith = "Graft's Keras 3 weights importer";
        report.tolerance = 0.0;
        got = runKerasH5(model, temp, input);  // the reader tells the two layouts apart
        break;
      case ExportFormat::Keras:
        writeKerasArchiveFile(model, temp, path);
        report.checkedWith = "Graft's .keras reader";
        report.tolerance = 0.0;
        got = runKerasArchive(model, temp, input);
        break;
    }
    const Comparison c = compareWithGraft(got, want, report.tolerance, path, report.checkedWith);
    report.maxDifference = c.maxDifference;
    report.allowed = c.allowed;
    report.warning = exportCheckWarning(model, input, want, report.tolerance);
  });
  return report;
}

}  // namespace graft
