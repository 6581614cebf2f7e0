#include "cli/command_pipeline.h"

#include <exception>

namespace graft::cli {

Pipeline commandPipeline(const ModelArguments& args, const CLI::App& command) {
  Pipeline pipeline;
  pipeline.model = args.spec(command);
  return pipeline;
}

void CliObserver::onNote(const std::string& text) {
  if (!quiet_) std::cerr << "graft-cli: " << text << "\n";
}

PipelineResult runCommandPipeline(const Pipeline& pipeline, PipelineObserver& observer,
                                  const std::atomic<bool>* cancel,
                                  const PipelineRunOptions& options) {
  PipelineResult result = runPipeline(pipeline, &observer, cancel, options);
  for (const StepResult& step : result.steps)
    if (step.status == StepStatus::Error) {
      if (step.error) std::rethrow_exception(step.error);
      throw Error(step.message);
    }
  return result;
}

}  // namespace graft::cli
