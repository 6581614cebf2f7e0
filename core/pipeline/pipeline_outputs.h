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

// How messages name the files: a pipeline file names them by JSON path ("train.log"); graft-cli
// train / export, whose pipelines are their options, by option ("--log").
using OutputNamer = std::string (*)(const std::string& jsonPath);

// Throws graft::Error naming the pipeline file and the JSON path (or `what`) of the output:
// its folder does not exist, it is a folder, it is the pipeline or one of the run's input
// files, it would replace an image in a folder the run reads (a log over a training image),
// two outputs name the same file (the trained model may be its own checkpoint), or an export's
// name has another format's suffix. With `namer`, messages name outputs and inputs through it
// and begin with the output's name instead of the pipeline file's.
void checkPipelineOutputs(const Pipeline& p, const std::vector<ExtraOutput>& extra = {},
                          OutputNamer namer = nullptr);

// Every file and folder a pipeline file reads, checked before its first step: a misspelt
// eval folder was found only after the training it waited for. Throws graft::Error "PIPELINE:
// JSON.PATH: PATH: no such file" (or folder; "not a folder" for a file where images are read).
void checkPipelineInputs(const Pipeline& p);

// True when `a` and `b` name one file, relatively, absolutely or through a link.
bool namesTheSameFile(const std::string& a, const std::string& b);

// The files the pipeline writes (trained model, log, output, exports), as the pipeline names
// them.
std::vector<std::string> pipelineOutputFiles(const Pipeline& p);

}  // namespace graft
