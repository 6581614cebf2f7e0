#pragma once
// The cut-point explorer as one call on plain values, for callers that must not see LibTorch
// (the GUI's worker thread): reads the image folder, chooses the layers and measures them as
// `graft-cli probe` does (runtime/explore/cut_explorer.h).
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/model.h"
#include "runtime/explore/cut_explorer_report.h"

namespace graft {

struct CutExplorerRequest {
  std::string dataDir;  // one subfolder of images per class
  double validationSplit = 0.2;
  std::vector<std::string> layers;  // empty: the candidates chosen from the graph's structure
  int64_t batchSize = 32;
  int epochs = 30;
  uint64_t seed = 0;
  std::string device = "auto";  // run/compute_choice.h: auto, cpu, cuda, cuda:N
};

struct CutExplorerOutcome {
  CutExplorerReport report;
  std::vector<std::string> classes;  // the folder's, in label order: a new head's outputs
  std::string dataDir;               // the folder measured, which the classes are from
};

// Throws graft::Error for a folder that cannot be read, unknown layers, a device that is not
// one or not here, or a model the explorer refuses (see exploreCutPoints). `cancel` stops at the
// next batch or fit (report.cancelled).
CutExplorerOutcome runCutExplorer(const Model& model, const CutExplorerRequest& request,
                                  const CutExplorerObserver& observer = {},
                                  const std::atomic<bool>* cancel = nullptr);

// "auto" or empty: {}; else the names between commas, trimmed (graft-cli probe --layers and the
// GUI's field). Throws graft::Error starting with `field` for an empty name.
std::vector<std::string> parseLayerList(const std::string& text,
                                        const std::string& field = "layers");

}  // namespace graft
