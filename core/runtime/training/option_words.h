#pragma once
// How advice names a training option: graft-cli train's flags (--freeze-upto), or a pipeline
// file's keys ("freeze_upto"), where the user gave the run's options (graft-cli run). The
// doctor's fixes and the advisor's pre-run warnings both say it so.
#include <string>

namespace graft {

// Whose words a finding names options in: graft-cli train's flags (--train-batch-norm), or a
// pipeline file's keys ("train_batch_norm": true), where the user gave the run's options.
enum class OptionWords { CommandLine, Pipeline };

// `--early-stopping 3` on the command line, `"early_stopping": 3` in a pipeline's "train" (the
// flag is the key with '-' for '_', as run/train_spec.h makes both from one table). An empty
// value names the option alone.
std::string optionInWords(OptionWords words, const std::string& key, const std::string& value = "");

}  // namespace graft
