#pragma once
// Every file a pipeline writes, checked when it is read, before its first step: a mistake in
// an output path should not be found after the training it waited for, and no step may write
// over the pipeline file itself or a file the run reads (a second run would then differ).
#include <string>
#include <vector>

#include "pipeline/pipeline.h"

namespace graft {

// A file the run writes that is not in the pipeline file (graft-cli run's --junit report).
struct ExtraOutput {
  std::string path;
  std::string what;  // for messages, e.g. "--junit"
};

// Throws graft::Error naming the pipeline file and the JSON path (or `what`) of the output:
// its folder does not exist, it is a folder, it is the pipeline or one of the run's input
// files, or two outputs name the same file (the trained model may be its own checkpoint).
void checkPipelineOutputs(const Pipeline& p, const std::vector<ExtraOutput>& extra = {});

}  // namespace graft
