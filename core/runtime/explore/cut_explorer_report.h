#pragma once
// What the cut-point explorer (runtime/explore/cut_explorer.h) measures and how it reports
// progress, as plain values without LibTorch: the GUI (ui/ never includes LibTorch), the advisor
// and the JSON reader share them.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"

namespace graft {

struct CutCandidateResult {
  std::string layer;
  double valAccuracy = 0.0;
  int64_t featureSize = 0;
  int64_t prefixParams = 0;
  double msPerImage = 0.0;  // the network up to this layer, inference, this machine's threads
  // The features held the whole (small) map besides its global average: a head that sees what
  // was measured flattens the map rather than pooling it (ui/doc/cut_with_head.h).
  bool keepsMap = false;
  // The fitted linear classifier as the Dense of the head a cut here gets (GlobalAveragePooling
  // or Flatten, then Dense: ui/doc/cut_with_head.h), on the raw values it sees: kernel (inputs
  // x classes, Keras's layout) and bias. A cut with a new head starts from it, so the model
  // predicts at once as well as measured (a random head trained at the usual rate needed
  // hundreds of steps to get there). Empty where the head would see other features.
  std::vector<float> headKernel;
  std::vector<float> headBias;
};

struct CutExplorerReport {
  std::vector<CutCandidateResult> candidates;  // in order of depth
  std::vector<std::string> classes;            // of the folder measured, in label order
  int64_t trainImages = 0;
  int64_t validationImages = 0;
  double featureSeconds = 0.0;  // the pass through the network
  double fitSeconds = 0.0;      // the linear fits
  std::string device;      // what it computed on ("CPU (2 cores)", "cuda:0 (NVIDIA H100, 79 GiB)")
  bool cancelled = false;  // candidates then empty
  std::vector<std::pair<std::string, std::string>> skippedFiles;  // (path, reason)
};

// DESIGN.md's `probe --json` object: {"candidates": [{"layer", "val_accuracy", "feature_size",
// "prefix_params", "ms_per_image"}]} (each candidate also says "features": "pooled" or
// "pooled_and_map"), plus "classes" (the folder's, in label order), "train_images",
// "validation_images", "seconds", "device" and "skipped" when files could not be read.
Json cutExplorerReportJson(const CutExplorerReport& report);

struct CutExplorerProgress {
  std::string phase;  // "features" (batches through the network) or "fit" (candidates)
  size_t done = 0;
  size_t total = 0;
  double etaSeconds = 0.0;  // for the phase; 0 until there is a first step to judge by
};
using CutExplorerObserver = std::function<void(const CutExplorerProgress&)>;

}  // namespace graft
