#pragma once
// One training run as plain data, and the table of its fields. `graft-cli train`'s options, a
// pipeline's "train" object (docs/pipelines.md) and the GUI's training settings are all read
// into a TrainSpec; the table (trainSpecFields) is what the command line, the pipeline reader
// and writer and their checks are generated from, so an option is described once. No LibTorch
// here: runtime/training/train_run.h turns a spec into the trainer's options and runs it.
//
// Adding a run option: a member below, one entry in trainSpecFields() (train_spec.cpp), and the
// code that uses it (trainOptionsFrom in runtime/training/train_run.cpp); docs/pipelines.md names
// its key.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/spec_fields.h"

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
  std::string augment;  // "flip,crop" (run/augment_options.h reads it)
  bool classWeights = false;
  std::string freezeUpto;
  // A staged plan (runtime/training/training_plan.h): null for none, a string for its file, an
  // object for the plan itself. Its stages' epochs, optimizer and frozen range replace the ones
  // above.
  Json plan;
  bool trainBatchNorm = false;
  bool cacheFrozen = false;
  int workers = 0;                    // image loading threads; 0: one per core
  std::string device = "auto";        // run/compute_choice.h: auto, cpu, cuda, cuda:N
  std::string precision = "fp32";     // fp32, bf16, fp16
  std::string channelsLast = "auto";  // auto, on, off (run/compute_choice.h)
  double maxUnreadable = 0.1;
  std::string checkpoint = "last";  // "last" or "best"
  std::string output;               // checkpoint file; empty: none
  std::string log;                  // JSON-lines event log; empty: none
  std::optional<uint64_t> seed;     // unset: the model's seed
  int freeInputSize = 0;            // for models whose input size is None; 0: the model's
  // False when the run names none of the fields that choose how to train (chooses below):
  // then runtime/training/training_defaults.h chooses (the advisor's plan for new layers on
  // pretrained ones). Readers set it from what was given; true for a spec built in memory.
  bool chosen = true;
};

using SpecMember = SpecMemberOf<TrainSpec>;
using SpecField = SpecFieldOf<TrainSpec>;

// Every field, in the order `graft-cli train --help` lists them.
const std::vector<SpecField>& trainSpecFields();
// The entry with this JSON key; throws graft::Error for an unknown key.
const SpecField& trainSpecField(const std::string& key);

// The first mistake in a spec (the table's checks: a value out of range, an unknown choice, a
// missing folder; and a plan with train_batch_norm), by the field's key.
std::optional<SpecProblem> validateTrainSpec(const TrainSpec& spec);

}  // namespace graft
