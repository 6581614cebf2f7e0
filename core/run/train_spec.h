#pragma once
// One training run as plain data, and the table of its fields. `graft-cli train`'s options, a
// pipeline's "train" object (docs/pipelines.md) and the GUI's training settings are all read
// into a TrainSpec; the table (trainSpecFields) is what the command line, the pipeline reader
// and writer and their checks are generated from, so an option is described once. No LibTorch
// here: runtime/train_run.h turns a spec into the trainer's options and runs it.
//
// Adding a run option: a member below, one entry in trainSpecFields() (train_spec.cpp), and the
// code that uses it (trainOptionsFrom in runtime/train_run.cpp); docs/pipelines.md names its key.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "graph/model.h"

namespace graft {

struct TrainSpec {
  std::string data;           // image folder, one subfolder per class
  std::string validationDir;  // validation images in their own folder
  double validationSplit = 0.2;
  int epochs = 10;
  int64_t batchSize = 32;
  std::optional<double> lr;  // unset: Keras's default for the optimizer
  std::string optimizer = "adam";
  std::optional<double> momentum;  // unset: 0.9 for sgd, 0 for rmsprop
  bool nesterov = false;
  std::optional<double> weightDecay;  // unset: 0.004 for adamw, 0 otherwise
  double labelSmoothing = 0.0;
  std::string schedule = "constant";
  int stepEpochs = 10;
  double lrFactor = 0.1;
  int lrPatience = 10;
  double minLr = 0.0;
  int earlyStopping = 0;  // patience in epochs; 0: off
  bool restoreBest = false;
  std::string augment;  // "flip,crop" (runtime/augment.h reads it)
  bool classWeights = false;
  std::string freezeUpto;
  // A staged plan (runtime/training_plan.h): null for none, a string for its file, an object
  // for the plan itself. Its stages' epochs, optimizer and frozen range replace the ones above.
  Json plan;
  bool trainBatchNorm = false;
  bool cacheFrozen = false;
  int workers = 0;  // image loading threads; 0: one per core
  double maxUnreadable = 0.1;
  std::string checkpoint = "last";  // "last" or "best"
  std::string output;               // checkpoint file; empty: none
  std::string log;                  // JSON-lines event log; empty: none
  std::optional<uint64_t> seed;     // unset: the model's seed
  int freeInputSize = 0;            // for models whose input size is None; 0: the model's
  // False when the run names none of the fields that choose how to train (chooses below):
  // then runtime/training_defaults.h chooses (the advisor's plan for new layers on pretrained
  // ones). Readers set it from what was given; true for a spec built in memory.
  bool chosen = true;
};

enum class SpecKind {
  Integer,
  Real,
  Flag,    // true or false; on the command line a flag without a value
  Text,    // free text (a layer name)
  Choice,  // one of SpecField::choices
  Path,    // a file or folder; in a pipeline relative to its folder
  List,    // comma-separated names; a pipeline may give a JSON list
  Plan,    // a plan file, or (in a pipeline) the plan object itself
};

// Where a value may lie; `min`/`max` unset: no bound.
struct SpecRange {
  std::optional<double> min;
  std::optional<double> max;
  bool minExclusive = false;
  bool maxExclusive = false;
};

using SpecMember =
    std::variant<int TrainSpec::*, int64_t TrainSpec::*, double TrainSpec::*,
                 std::optional<double> TrainSpec::*, std::optional<uint64_t> TrainSpec::*,
                 bool TrainSpec::*, std::string TrainSpec::*, Json TrainSpec::*>;

struct SpecField {
  const char* key;  // the pipeline's JSON key ("batch_size")
  SpecKind kind;
  SpecMember member;
  const char* help;  // graft-cli train --help
  std::vector<std::string> choices = {};
  SpecRange range = {};
  // Naming it chooses how to train (see TrainSpec::chosen); excluded by --plan.
  bool choosesHowToTrain = false;
  bool required = false;
  // Command-line names when they are not "--" + key with '-' for '_' ("-o,--output").
  const char* names = nullptr;
  // The command line gives it through the model options (--seed, --input-size), not as an
  // option of its own.
  bool fromModelOptions = false;
};

// Every field, in the order `graft-cli train --help` lists them.
const std::vector<SpecField>& trainSpecFields();
// The entry with this JSON key; throws graft::Error for an unknown key.
const SpecField& trainSpecField(const std::string& key);

// "--batch-size" for "batch_size"; the long name of `names` when given ("--output").
std::string specFlag(const SpecField& field);
// "-o,--output" or "--batch-size": what CLI11 registers.
std::string specOptionNames(const SpecField& field);

// The field holds its default (a default-constructed TrainSpec's value).
bool isDefaultValue(const SpecField& field, const TrainSpec& spec);
// The field has a value to write: set, not empty, not false.
bool hasValue(const SpecField& field, const TrainSpec& spec);

// "at least 1", "at least 0 and below 1"; "" without bounds.
std::string rangeText(const SpecRange& range);
// "" when `value` lies in the range, else what was expected ("expected at least 1, found 0").
std::string rangeProblem(const SpecRange& range, double value);
// "" when `value` is one of `choices`, else what was expected.
std::string choiceProblem(const std::vector<std::string>& choices, const std::string& value);

// The first mistake in a spec (a value out of range, an unknown choice, a missing folder, a
// plan with train_batch_norm), by the field's key; the command line names it by its flag, a
// pipeline by its JSON path.
struct SpecProblem {
  std::string key;
  std::string message;
};
std::optional<SpecProblem> validateTrainSpec(const TrainSpec& spec);

}  // namespace graft
