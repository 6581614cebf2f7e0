#pragma once
// The cut-point explorer: how well each candidate layer's features separate the user's classes,
// measured rather than guessed. One pass of the images through the network yields every
// candidate's output together (GraphModule computes the union of what they need once); each
// output is pooled to a vector (global average, plus the flattened map when small), a softmax
// regression is fitted on the training split and scored on the validation split. With the
// accuracy come the feature size, the parameters a model cut there keeps and its forward time.
#include <torch/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "graph/model.h"
#include "run/compute_choice.h"
#include "runtime/explore/cut_explorer_report.h"
#include "runtime/training/trainer.h"

namespace graft {

struct CutExplorerOptions {
  int64_t batchSize = 32;
  int workers = 0;        // image decoding threads; 0: one per core
  int freeInputSize = 0;  // for models whose input size is None; 0: defaultFreeInputSide
  // A flattened map of at most this many values joins its global average as features.
  int64_t flattenLimit = 2048;
  int epochs = 30;  // softmax regression passes over the training features
  double learningRate = 0.05;
  uint64_t seed = 0;     // shuffling of the linear fits
  int timingImages = 4;  // images of the extra per-candidate timing pass
  // More than this share of the images unreadable stops the measurement, as it stops training.
  double maxUnreadableFraction = 0.1;
  // Where the network and the fits compute (runtime/system/device.h); the features gathered
  // wait in host memory.
  DeviceChoice device;
};

// The outputs of `layers` for a batch of preprocessed images (GraphModule::forward's
// multi-layer call). The explorer calls it once per batch with every candidate (the features),
// and five times per candidate with that one layer on `timingImages` images (the time: the
// fastest).
using LayerOutputs = std::function<std::vector<torch::Tensor>(
    const torch::Tensor& images, const std::vector<std::string>& layers)>;

// Layers to measure: `requested` as given (checked: unknown names are listed in one error,
// duplicates refused, the model's input refused), ordered by depth; empty: cutCandidates().
std::vector<std::string> explorerLayers(const Graph& graph,
                                        const std::vector<std::string>& requested);

// Measures `layers` (explorerLayers) on `data` (its validation split must not be empty).
// Throws graft::Error for a model with more than one input or output, a data set without
// validation images, or fewer than two classes. `cancel` is read between batches and fits.
CutExplorerReport exploreCutPoints(const Model& model, const TrainingSet& data,
                                   const std::vector<std::string>& layers,
                                   const CutExplorerOptions& options,
                                   const CutExplorerObserver& observer = {},
                                   const std::atomic<bool>* cancel = nullptr);
// As above with the network run by `forward` (tests count its calls), on `device`: the images
// are handed to `forward` where they were decoded, the fits compute on `device`.
CutExplorerReport exploreCutPoints(const Model& model, const TrainingSet& data,
                                   const std::vector<std::string>& layers,
                                   const CutExplorerOptions& options, const LayerOutputs& forward,
                                   const torch::Device& device, const CutExplorerObserver& observer,
                                   const std::atomic<bool>* cancel);

}  // namespace graft
