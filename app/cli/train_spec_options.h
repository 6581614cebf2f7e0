#pragma once
// `graft-cli train`'s run options, generated from the training spec's table
// (run/train_spec.h): one option per field, with its help text, its range and choices checked
// by CLI11 (a usage error naming the flag), and --plan excluding the options it replaces.
#include <CLI/CLI.hpp>

#include <memory>

#include "run/train_spec.h"

namespace graft::cli {

// Binds every field the command line gives itself (not the model options' --seed and
// --input-size) to `spec`, which the options write into while the command line is parsed.
void addTrainSpecOptions(CLI::App& command, const std::shared_ptr<TrainSpec>& spec);

// After parsing: whether the options given choose how to train (TrainSpec::chosen).
bool choosesHowToTrain(const CLI::App& command);

}  // namespace graft::cli
