#pragma once
// One evaluation as plain data, and the table of its fields (run/spec_fields.h): `graft-cli
// eval`'s options, a pipeline's "eval" object and the manual page come from evalSpecFields().
// Adding an option: a member below, one entry in evalSpecFields() (eval_spec.cpp) and the code
// that uses it (runtime/prediction/evaluate.h's EvalOptions, filled by the CLI and the pipeline
// runner).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/spec_fields.h"

namespace graft {

struct EvalSpec {
  std::string data;  // image folder, one subfolder per class
  int64_t batchSize = 32;
  std::string device = "auto";  // run/compute_choice.h: auto, cpu, cuda, cuda:N
  double maxUnreadable = 0.1;   // share of the images that may be skipped as unreadable
};

using EvalSpecField = SpecFieldOf<EvalSpec>;

// Every field, in the order `graft-cli eval --help` lists them.
const std::vector<EvalSpecField>& evalSpecFields();
// The entry with this JSON key; throws graft::Error for an unknown key.
const EvalSpecField& evalSpecField(const std::string& key);
// The table's checks (the data folder given).
std::optional<SpecProblem> validateEvalSpec(const EvalSpec& spec);

}  // namespace graft
