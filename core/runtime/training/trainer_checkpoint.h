#pragma once
// Where a trained model goes: the format follows the file name, and every write is atomic
// (temporary file + rename), so a run that is cancelled or fails while saving keeps the
// previous checkpoint intact. CheckpointWriter decides when a training run writes one.
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "graph/model.h"
#include "runtime/training/trainer.h"

namespace graft {

// Throws graft::Error naming the path when it cannot be a checkpoint (unknown extension, a
// folder that does not exist): checked before training, not after an hour of it.
void checkCheckpointPath(const std::string& path);

// What --checkpoint best and early stopping compare: the validation loss, else the training
// loss.
inline double monitoredLoss(const EpochEvent& event) {
  return event.valLoss ? *event.valLoss : event.loss;
}

// The monitored loss without the regularizers' penalty: what epochs of a plan's different
// stages compare (each stage's penalty covers its own trainable layers, as Keras's does, so a
// stage that trains more layers would look worse for that alone). Within a stage, as in Keras,
// the monitored loss decides.
inline double unpenalizedLoss(const EpochEvent& event) {
  return monitoredLoss(event) - event.penalty;
}

// `model` with the trainable flags TrainOptions::savedTrainable names (the user's), the others
// as they are. With `recipe` (TrainOptions::savedRecipe: a run's model as it is saved) also
// that recipe, and the untrained layers the run trained (those the user let train) are no
// longer untrained.
Model withSavedTrainable(Model model, const std::map<std::string, bool>& trainable,
                         const std::optional<Json>& recipe = std::nullopt);

// `.graft`: a Graft project (graph, weights, labels, preprocessing, recipe).
// `.h5`: Keras-layout weights (save_weights layout; graph, labels and preprocessing are not in
// such a file).
void saveTrainedModel(const Model& model, const std::string& path);
// For an `.h5` path, one sentence on what the file leaves out of `model` (its input size,
// preprocessing and class names) and how to give them back when it is opened; "" for `.graft`.
// `eval` of such a file assumed 224 px and no class names without a word.
std::string whatAnH5CheckpointLeavesOut(const Model& model, const std::string& path);

// A training run's checkpoint file (TrainOptions::checkpointPath, checkpointMode, saveModel).
// In a data-parallel run only rank 0 writes it (every rank holds the same weights, and two
// writers would race); the other ranks learn whether that worked and stop with it when not.
class CheckpointWriter {
 public:
  explicit CheckpointWriter(const TrainOptions& options);  // `options` must outlive this

  // After an epoch, `model` holding its weights: writes them when there is a path and the mode
  // asks for it (Last: every epoch; Best: a monitored loss below the last one written, and in
  // a plan's later stage an unpenalizedLoss below TrainOptions::checkpointBestSoFar), and then
  // sets event.checkpointSaved. Returns why the write failed (the run stops then).
  std::optional<std::string> afterEpoch(const Model& model, EpochEvent& event);
  // Makes the file hold `model`, the weights of `event`'s epoch, whatever the mode (a run that
  // ends with its best epoch's weights); nothing without a path or when it holds them already.
  std::optional<std::string> holdEpoch(const Model& model, EpochEvent event);

  std::optional<int> savedEpoch() const { return savedEpoch_; }
  // For the message of a run that did not complete: which epoch the file holds, or that
  // nothing was written (and whether no epoch completed); empty without a path.
  std::string whatTheFileHolds(int epochsCompleted) const;

 private:
  const TrainOptions& options_;
  bool beatsEarlierStages(const EpochEvent& event) const;

  DataParallel* group_;  // null: a single process
  double bestMonitored_ = std::numeric_limits<double>::infinity();
  std::optional<int> savedEpoch_;
};

}  // namespace graft
