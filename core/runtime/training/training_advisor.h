#pragma once
// Rule-of-thumb fine-tuning advice: a TrainingPlan proposed from what the model is (which
// layers are new, where the pretrained ones are) and what the data is (images per class, class
// count, image size), with one sentence of reasoning per choice, and guard-rail warnings for a
// plan a user wrote. `graft-cli advise` prints it; the GUI's training panel shows it.
//
// The rules (n = training images per class, on average; "pretrained" = layers with weights
// that came from a weights file, "new" = layers with fresh weights):
//  1. No pretrained layers: one stage, every layer (BatchNormalization included: it has no
//     pretrained statistics to keep), Adam 1e-3, 20 epochs.
//  2. New and pretrained layers: stage "new layers" first: only the new layers, Adam 1e-3,
//     10 epochs below 1000 training images, else 5.
//  3. Then, when n >= 100 (or when there are no new layers at all), stage "fine-tune": unfreeze
//     the top 20% of the pretrained layers with weights (50% when n >= 1000; 10% when there are
//     no new layers and n < 100), moved back to the first layer of the block that layer belongs
//     to (a block is the name up to its first number: block5_conv1 -> block5); SGD with
//     momentum 0.9, learning rate 1e-3 for new layers and pretrained_lr_scale 0.1 (1e-4 for the
//     pretrained ones), 10 epochs. When n < 100 and there are new layers, there is no such
//     stage: with that few images, pretrained layers would overfit.
//  4. Otherwise every stage keeps BatchNormalization frozen (inference mode).
//
// Guard rails (checkPlan), each one sentence:
//  - large_network_few_images: a stage trains more than 1,000,000 pretrained parameters with
//    fewer than 100 images in the folder;
//  - high_learning_rate: a stage trains pretrained layers at a rate (learning_rate x
//    pretrained_lr_scale) above 3e-4 with adam / adamw / rmsprop, or above 3e-3 with sgd (three
//    times the top of the usual range for pretrained layers, 1e-4 and 1e-3);
//  - small_images: the images' median smaller side is under half the model's input side;
//  - imbalanced: the largest class has at least 4 times the images of the smallest.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "graph/model.h"
#include "runtime/data/dataset.h"
#include "runtime/training/option_words.h"
#include "runtime/training/training_plan.h"

namespace graft {

// Layers with fresh weights: `freshLayers` as the loader reported them (LoadedModel), plus the
// model's untrained layers (Model::untrainedLayers: stacked, inserted, replacement or
// re-initialised layers no run has trained yet). Model order, without repeats.
std::vector<std::string> newLayersOf(const Model& model,
                                     const std::vector<std::string>& freshLayers);

struct ModelFacts {
  int64_t inputSide = 0;               // smaller of the input's H and W; 0 when unknown
  std::vector<std::string> order;      // every layer, topological order
  std::vector<std::string> newLayers;  // with weights, fresh
  // With weights from the file the model came from: not fresh, not the user's own (below);
  // topological order.
  std::vector<std::string> pretrainedLayers;
  // With weights, added by the model's recipe (stacked, inserted, put in) and trained since, or
  // any layer of a model Graft trained from random weights (trainedFromRandomWeights): the
  // user's, not pretrained (no pretrained features to keep), not new (trained already).
  std::vector<std::string> ownLayers;
  // Layers with weights the model itself freezes (a recipe's freeze, a file's trainable false),
  // BatchNormalization aside: frozen for good, so no stage trains them (trainer_stages.h,
  // modelForStage) and fine-tuning starts above the last of them.
  std::vector<std::string> frozenByModel;
  bool hasBatchNorm = false;
  std::set<std::string> batchNorms;  // frozen in every stage: never where fine-tuning starts
};
ModelFacts describeModel(const Model& model, const std::vector<std::string>& newLayers);

struct DataFacts {
  std::vector<std::string> classes;
  std::vector<int64_t> imagesPerClass;  // index = class
  int64_t images = 0;
  int64_t medianSide = 0;  // median smaller side of a sample of the images; 0 when unknown
  // Files with an image's name that do not begin as one (runtime/data/image_signature.h: a
  // git-lfs pointer never pulled, an HTML page): left out of the counts above; the first of
  // them, with what it looks like, for the warning.
  int64_t notImages = 0;
  std::string firstNotImage;
  double meanPerClass() const;
};
// Counts the folder's images (their first bytes read, not decoded); reads up to `sampleImages`
// of them (spread over the folder) for their size. Unreadable images are left out of the size.
DataFacts describeData(const ImageFolder& folder, size_t sampleImages = 24);

// The proposed plan: stages with their `why`, plan-wide `reasons`, and checkPlan's warnings.
TrainingPlan advisePlan(const Model& model, const ModelFacts& facts, const DataFacts& data);

struct PlanWarning {
  std::string kind;  // large_network_few_images, high_learning_rate, small_images, imbalanced,
                     // not_images, validation_*
  std::string message;
};
// Guard rails for one run of trainModel() on `trainingModel` (its frozen flags as it will
// train; "pretrained" as `facts` says), its messages starting with `label` ("this run"): the
// large_network_few_images and high_learning_rate cases. Options are named in `words`: a
// pipeline's keys in graft-cli run, the command line's flags otherwise.
std::vector<PlanWarning> checkRun(const Model& trainingModel, const ModelFacts& facts,
                                  const DataFacts& data, const OptimizerOptions& optimizer,
                                  double pretrainedRateScale, const std::string& label,
                                  OptionWords words = OptionWords::CommandLine);
// The small_images, imbalanced and not_images cases, whatever the training does.
std::vector<PlanWarning> checkData(const ModelFacts& facts, const DataFacts& data,
                                   OptionWords words = OptionWords::CommandLine);

// Guard rails for any plan (the advisor's or a user's), counting every image of the folder.
// Throws graft::Error as modelForStage does (naming `planSource`) for a stage that does not fit
// the model.
std::vector<PlanWarning> checkPlan(const Model& model, const ModelFacts& facts,
                                   const DataFacts& data, const TrainingPlan& plan,
                                   const std::string& planSource = "plan",
                                   OptionWords words = OptionWords::CommandLine);

}  // namespace graft
