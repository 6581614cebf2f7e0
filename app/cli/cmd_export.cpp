// graft-cli export MODEL --format torchscript|onnx|keras-h5|keras-weights|keras -o FILE: write
// the model for use elsewhere. The export checks itself (the written file is loaded back and run on
// a random batch) and prints the largest difference from Graft's own output; on any failure nothing
// is left at FILE and the exit status is 1. A check that proves little (the model gave one output
// for every check input) is a warning on stderr, also with --quiet and --json (and the JSON's
// "warning"), the export kept. The export is the pipeline runner's export step
// (cli/command_pipeline.h).
#include <algorithm>

#include "cli/command_pipeline.h"
#include "cli/spec_options.h"
#include "export/export.h"
#include "io/json_file.h"
#include "run/export_spec.h"

namespace graft::cli {

void registerExportCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "export",
      "write the model as TorchScript (.pt), ONNX (.onnx), Keras-layout weights (.h5, "
      ".weights.h5) or a Keras 3 model (.keras), checked against Graft's own output");
  cmd->footer(
      "TorchScript and ONNX take a float32 NCHW batch (N, C, H, W), already preprocessed, and "
      "return what `predict` prints as output (probabilities for a softmax classifier; feature "
      "maps NHWC). Preprocessing and labels are stored in the file (see README, Exports).");
  auto args = std::make_shared<ModelArguments>();
  auto spec = std::make_shared<ExportSpec>();
  auto json = std::make_shared<bool>(false);
  args->addTo(*cmd);
  addSpecOptions(*cmd, exportSpecFields(), spec);  // --format, -o/--output (run/export_spec.h)
  cmd->add_flag(
      "--json", *json,
      "print the check as one JSON object: file, format, checked_with, sample_shape (in the "
      "file's layout: NHWC for Keras formats), max_difference, allowed, warning (null, or why "
      "the check proves little: the model's output did not depend on its input)");
  cmd->callback([cmd, args, spec, json] {
    // A name that does not fit the format is a usage error (exit 2), as a bad --format is.
    if (const auto problem = validateExportSpec(*spec)) {
      std::string flag = specOptionNames(exportSpecField(problem->key));  // "-o,--output"
      std::replace(flag.begin(), flag.end(), ',', '/');
      throw CLI::ValidationError(flag + ": " + problem->message);
    }
    Pipeline pipeline = commandPipeline(*args, *cmd);
    pipeline.exports.push_back({exportFormatFromName(spec->format), spec->output});
    CliObserver notes(args->quiet);
    const ExportReport report = runCommandPipeline(pipeline, notes).exports.at(0);
    if (*json)
      std::cout << jsonText(Json{
                       {"file", report.path},
                       {"format", exportFormatName(report.format)},
                       {"checked_with", report.checkedWith},
                       {"sample_shape", report.sampleShapeInFile()},
                       {"max_difference", report.maxDifference},
                       {"allowed", report.allowed},
                       {"warning", report.warning.empty() ? Json(nullptr) : Json(report.warning)}})
                << std::endl;
    else
      std::cout << report.describe() << std::endl;
  });
}

}  // namespace graft::cli
