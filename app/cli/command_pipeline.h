#pragma once
// graft-cli train, eval and export are each a pipeline of the model and their one step, run by
// core's runner (pipeline/pipeline_runner.h) as `graft-cli run` runs a pipeline file: the chain
// from a model to its results exists once.
#include <atomic>
#include <string>

#include "cli/cli_context.h"
#include "pipeline/pipeline_runner.h"

namespace graft::cli {

// A pipeline that loads the model the command's arguments name; the command adds its step.
Pipeline commandPipeline(const ModelArguments& args, const CLI::App& command);

// The loader's notes on stderr, as loadModelReporting prints them (unless quiet).
class CliObserver : public PipelineObserver {
 public:
  explicit CliObserver(bool quiet) : quiet_(quiet) {}
  void onNote(const std::string& text) override;
  void onWarning(const std::string& text) override;  // also when quiet

 protected:
  bool quiet_;
};

// Runs the pipeline; a step in error throws what it threw, so the command fails as it would
// have calling the step itself (main prints "graft-cli: error: ..." and exits 1).
PipelineResult runCommandPipeline(const Pipeline& pipeline, PipelineObserver& observer,
                                  const std::atomic<bool>* cancel = nullptr,
                                  const PipelineRunOptions& options = {});

}  // namespace graft::cli
