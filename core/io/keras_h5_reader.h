#pragma once
// Reads the layout Keras writes with save_weights() and save(): root (or `model_weights`)
// attribute `layer_names`, one group per layer with `weight_names`, datasets stored under those
// names. Datasets are read only when asked for, straight into the weight buffer.
#include <optional>
#include <string>
#include <vector>

#include "graph/weights.h"
#include "io/hdf5_file.h"

namespace graft {

struct KerasH5Layer {
  std::string name;
  std::vector<std::string> weightNames;  // as stored: "conv1/kernel:0", "conv1_W", "kernel"
};

class KerasH5Reader {
 public:
  // Throws graft::Error naming the file: missing, not HDF5, not a Keras file.
  explicit KerasH5Reader(const std::string& path);

  const std::string& path() const { return file_.path(); }
  const std::vector<KerasH5Layer>& layers() const { return layers_; }
  const KerasH5Layer* find(const std::string& layer) const;
  std::vector<const KerasH5Layer*> layersWithWeights() const;

  const std::optional<std::string>& modelConfig() const { return modelConfig_; }
  const std::string& kerasVersion() const { return kerasVersion_; }

  Shape shape(const KerasH5Layer& layer, size_t weight) const;
  // Reads one dataset; `expected` is checked first so a wrong or absurd shape is refused
  // before anything is allocated.
  WeightTensor read(const KerasH5Layer& layer, size_t weight, const Shape& expected) const;

 private:
  std::string datasetPath(const KerasH5Layer& layer, size_t weight) const;

  h5::File file_;
  std::string root_;  // "" or "/model_weights"
  std::vector<KerasH5Layer> layers_;
  std::optional<std::string> modelConfig_;
  std::string kerasVersion_;
};

// "kernel" from "block1_conv1/kernel:0", "kernel" from Keras 3's "kernel",
// "W" from Keras 1's "block1_conv1_W_1:0" (the layer name prefix removed).
std::string weightBaseName(const std::string& storedName, const std::string& layerName);

}  // namespace graft
