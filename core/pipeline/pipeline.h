#pragma once
// A pipeline: one versioned JSON file that rebuilds and checks a fine-tuned model headless
// (docs/pipelines.md). It names the model source, a recipe, training settings, exports, an
// optional evaluation and the checks a CI job relies on. Relative paths are resolved against
// the pipeline file's folder when the file is read.
#include <optional>
#include <string>
#include <vector>

#include "export/export.h"
#include "io/model_source.h"
#include "run/eval_spec.h"
#include "run/export_spec.h"
#include "run/train_spec.h"

namespace graft {

constexpr int kPipelineFormatVersion = 1;

// Images the recipe's least-squares fusions fit to (runtime/fusion/fuse_with_samples.h).
struct PipelineSamples {
  std::string folder;
  int64_t count = 16;
  std::string device = "auto";  // where the fits compute (run/compute_choice.h)
};

// One object of "exports": an ExportSpec (run/export_spec.h) with its format resolved, so a
// pipeline with an unknown format is refused when it is read.
struct PipelineExport {
  ExportFormat format = ExportFormat::TorchScript;
  std::string output;
};
ExportSpec exportSpecOf(const PipelineExport& e);

// The "eval" object (run/eval_spec.h).
using PipelineEval = EvalSpec;

enum class CheckOp { Less, LessEqual, Greater, GreaterEqual, Equal, Is };

struct PipelineCheck {
  std::string text;    // how the user wrote it, e.g. "val_accuracy >= 0.9" (the report's name)
  std::string metric;  // e.g. "val_accuracy", "export_max_difference", "prediction"
  CheckOp op = CheckOp::GreaterEqual;
  double value = 0.0;
  std::optional<size_t> exportIndex;  // export_max_difference of one export (default: largest)
  std::string file;                   // prediction: the image
  std::string label;                  // prediction: the expected class name (or index)
};

struct Pipeline {
  std::string path;         // the file it came from ("" for one built in memory)
  std::string description;  // free text for people
  ModelSpec model;
  std::optional<Json> recipe;  // the operations; absent: no surgery
  std::string recipeFile;      // the file they came from, for its errors; "" when inline
  // For the recipe's least-squares fusions; absent: the training folder when there is one.
  std::optional<PipelineSamples> samples;
  // The "train" object (pipeline_train.h); its seed, when unset, is the model's.
  std::optional<TrainSpec> train;
  std::vector<PipelineExport> exports;
  std::optional<PipelineEval> eval;
  std::string output;  // a .graft project saved after training (optional)
  std::vector<PipelineCheck> checks;
};

// The metrics a check may name, with what they need ("train", "eval", "exports" or "").
struct MetricInfo {
  const char* name;
  const char* needs;
};
const std::vector<MetricInfo>& pipelineMetrics();

// Reads a pipeline document. Throws graft::Error starting with `source` and the JSON path of the
// problem, e.g. "ci.json: checks[2].metric: unknown metric 'val_acc' (expected one of ...)".
// Relative paths are taken relative to `baseDir`.
Pipeline parsePipeline(const Json& document, const std::string& baseDir,
                       const std::string& source = "pipeline");
Pipeline readPipelineFile(const std::string& path);

// The document parsePipeline reads back to the same pipeline. Paths inside `baseDir` (the
// folder the file will be in) are written relative to it, so the pipeline moves with its data;
// others stay absolute. Options at their defaults are left out.
Json pipelineToJson(const Pipeline& pipeline, const std::string& baseDir);
// pipelineToJson, pretty-printed, written atomically to `path`.
void writePipelineFile(const Pipeline& pipeline, const std::string& path);

// "val_accuracy >= 0.9", "export max difference <= 1e-4", "prediction of a.png is cat".
// Throws graft::Error naming `where` when the text is not a check.
PipelineCheck parseCheckText(const std::string& text, const std::string& where);
std::string checkOpSymbol(CheckOp op);
// A check's number as its report shows it: whole numbers in full (4253863, not 4.25386e+06),
// others in the fewest digits that read back to the same double, so that a failing check never
// reads "0.458333, expected == 0.458333".
std::string checkNumberText(double value);

}  // namespace graft
