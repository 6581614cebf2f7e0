#pragma once
// A training run from its description (run/train_spec.h): the one path `graft-cli train`, a
// pipeline's train step and the GUI's training session take from a TrainSpec to a trained
// model. The steps are separate so that each front end can load its model, report and add its
// own parts in between: check the spec (before anything is read), read the images, apply the
// defaults to the model (runtime/training/training_defaults.h), train by a plan or in one run.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "run/train_spec.h"
#include "runtime/training/trainer.h"
#include "runtime/training/training_defaults.h"
#include "runtime/training/training_plan.h"

namespace graft {

// The trainer's options for a spec. An unset seed is 0: front ends put the model's seed in the
// spec first. Throws graft::Error naming the flag of a bad value (an unknown augmentation).
TrainOptions trainOptionsFrom(const TrainSpec& spec);

// The spec's plan, read from its file or from the object (errors name the file, or `source`
// and the JSON path); nullopt without one.
std::optional<TrainingPlan> planOf(const TrainSpec& spec, const std::string& source);

class TrainRun {
 public:
  // Checks what needs neither images nor the model: the fields (validateTrainSpec; errors name
  // the flag), the output file's name and the plan. `planSource` names the plan in errors
  // (its file, or where an inline plan came from: "ci.json: train.plan").
  TrainRun(TrainSpec spec, std::string planSource);

  const TrainSpec& spec() const { return spec_; }
  // The trainer's options; front ends add what is theirs before run() (a data-parallel group).
  TrainOptions& options() { return options_; }

  // Lists the images and holds out the validation share (or reads the validation folder).
  // Throws graft::Error naming the folder.
  const TrainingSet& readImages();
  const TrainingSet& images() const { return data_; }  // what readImages read
  // The defaults applied to the model: setUp().summary is one line for the user.
  const TrainingSetup& setUp(const Model& model, const std::vector<std::string>& freshLayers);
  // What setUp chose for a model whose input size is free and that the spec gives no size
  // (freeInputSizeNote: "the model's input size is free: images are resized to 224 x 224 …");
  // "" otherwise. Front ends show it with the setup's summary.
  const std::string& inputNote() const { return inputNote_; }
  // The advisor's guard rails for the setup and the images (after setUp).
  std::vector<PlanWarning> warnings() const;
  // Trains as set up (after readImages and setUp): the plan's stages as one run, or one run.
  TrainResult run(TrainObserver* observer, const std::atomic<bool>* cancel) const;

 private:
  TrainSpec spec_;
  std::string planSource_;
  TrainOptions options_;
  std::optional<TrainingPlan> plan_;
  TrainingSet data_;
  DataFacts facts_;
  std::optional<TrainingSetup> setup_;
  std::string inputNote_;
};

}  // namespace graft
