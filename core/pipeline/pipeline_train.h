#pragma once
// A pipeline's "train" object and a TrainSpec, both ways, field by field from the spec's table
// (run/train_spec.h): every field of the table is a key here, with the table's kinds, ranges
// and choices, and errors named by JSON path ("ci.json: train.epochs: expected an integer").
#include <string>

#include "graph/model.h"
#include "run/train_spec.h"

namespace graft {

// Relative paths are taken from `baseDir`; `source` names the file in errors. Unknown keys are
// refused. The plan, the augmentation list and the output's name are checked as the run will
// check them.
TrainSpec parseTrainSpec(const Json& json, const std::string& baseDir, const std::string& source);

// What parseTrainSpec reads back to the same spec: fields at their defaults are left out, and
// so are the fields that choose how to train when the spec leaves that choice to the defaults.
Json trainSpecJson(const TrainSpec& spec, const std::string& baseDir);

}  // namespace graft
