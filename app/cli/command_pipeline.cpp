#include "cli/command_pipeline.h"

#include <exception>

#include "cli/interrupt.h"
#include "pipeline/pipeline_outputs.h"

namespace graft::cli {

Pipeline commandPipeline(const ModelArguments& args, const CLI::App& command) {
  Pipeline pipeline;
  pipeline.model = args.spec(command);
  return pipeline;
}

void CliObserver::onNote(const std::string& text) {
  if (!quiet_) std::cerr << "graft-cli: " << text << "\n";
}

void CliObserver::onWarning(const std::string& text) {
  std::cerr << "graft-cli: warning: " << text << "\n";
}

namespace {

// The options a command's pipeline fields come from, for checkPipelineOutputs' messages.
std::string optionOf(const std::string& jsonPath) {
  if (jsonPath == "model.source") return "MODEL";
  if (jsonPath == "model.weights") return "--weights";
  if (jsonPath == "model.labels") return "--labels";
  if (jsonPath == "train.output" || jsonPath.rfind("exports[", 0) == 0) return "-o/--output";
  if (jsonPath == "train.log") return "--log";
  if (jsonPath == "train.plan") return "--plan";
  if (jsonPath == "train.data" || jsonPath == "eval.data") return "--data";
  if (jsonPath == "train.val_dir") return "--val-dir";
  return jsonPath;
}

}  // namespace

PipelineResult runCommandPipeline(const Pipeline& pipeline, PipelineObserver& observer,
                                  const std::atomic<bool>* cancel,
                                  const PipelineRunOptions& options) {
  // What `graft-cli run` checks before a pipeline file's first step: no output over an input
  // (train MODEL.h5 -o MODEL.h5 replaced a whole model by its weights), over another output or
  // inside the images the run reads (--log over a training image).
  checkPipelineOutputs(pipeline, {}, optionOf);
  const TemporaryFileSweep sweep(pipelineOutputFiles(pipeline));  // Ctrl-C leaves no temp file
  PipelineResult result = runPipeline(pipeline, &observer, cancel, options);
  for (const StepResult& step : result.steps)
    if (step.status == StepStatus::Error) {
      if (step.error) std::rethrow_exception(step.error);
      throw Error(step.message);
    }
  return result;
}

}  // namespace graft::cli
