#pragma once
// Reads the weight layouts Keras writes:
// - Keras 1 and 2 (and Keras 3's legacy .h5): root (or `model_weights`) attribute `layer_names`,
//   one group per layer with `weight_names`, datasets stored under those names. A nested model
//   is one group holding the weights of all its layers ("Conv1/kernel:0").
// - Keras 3 (.weights.h5, the model.weights.h5 of a .keras archive): `layers/<snake_case class
//   name>[_<k>]/vars/<i>`, named by position in the model's layer tree, not by layer name, and
//   nested models nest (`layers/functional/layers/conv2d/vars/0`).
// - Keras 3's sharded save (`save_weights("x.weights.json", max_shard_size=...)`): a JSON index
//   whose `weight_map` names, for each variables group, the .weights.h5 shards beside it that
//   hold its variables (Keras 3.10 names only the first; the numbered shards after the named
//   ones are read too); each shard is a Keras 3 file holding some of the groups (a layer's
//   variables may be spread over several).
// Datasets are read only when asked for, straight into the weight buffer.
#include <optional>
#include <string>
#include <vector>

#include "graph/weights.h"
#include "io/hdf5_file.h"
#include "io/keras3_layout.h"

namespace graft {

// Where Graft's weights-only Keras files record the model they were saved from (a dataset: an
// attribute stops at 64 KiB).
inline constexpr const char* kGraftModelConfigDataset = "/graft_model_config";

struct KerasH5Layer {
  std::string name;
  std::vector<std::string> weightNames;  // as stored: "conv1/kernel:0", "conv1_W", "kernel", "0"
  std::vector<std::string> datasets;     // the full dataset path of each
  std::string group;  // Keras 3: the layer's group in the file ("layers/dense"), found or not
};

enum class KerasWeightLayout { Keras2, Keras3 };

class KerasH5Reader {
 public:
  // Throws graft::Error naming the file: missing, not HDF5, not a Keras file.
  explicit KerasH5Reader(const std::string& path);
  // A file already open (an in-memory member of a .keras archive).
  explicit KerasH5Reader(h5::File file);
  // Keras 3's sharded weights from their index (`x.weights.json`). Throws graft::Error naming
  // the index: not an index, a shard name that leaves the index's folder, a missing shard.
  static KerasH5Reader fromShardIndex(const std::string& indexPath);

  // The file the user gave: the weights file, or a sharded save's index.
  const std::string& path() const { return indexPath_.empty() ? file_.path() : indexPath_; }
  KerasWeightLayout layout() const { return layout_; }
  // The stored layers (Keras 2 layout; empty for Keras 3, whose names need the model).
  const std::vector<KerasH5Layer>& layers() const { return layers_; }
  const KerasH5Layer* find(const std::string& layer) const;
  std::vector<const KerasH5Layer*> layersWithWeights() const;

  // The stored layers named after `graph`'s layers: Keras 3 variables by Keras's walk of the
  // model's layer tree; a Keras 2 nested model's group split into its inner layers when the
  // graph has that nested model. Keras 2 layers otherwise as stored. `hasWeights` tells which
  // layers have variables (tf.keras 2.12/2.13 named those differently).
  // `leftOut`: the Keras model's nested models the graph left out (Keras 3 counts them).
  std::vector<KerasH5Layer> layersFor(const Graph& graph,
                                      const std::function<bool(const Node&)>& hasWeights,
                                      const std::vector<LeftOutModel>& leftOut = {}) const;

  // Keras 3 layout: the groups under `layers/` that are models of their own (they hold a
  // `layers/` of their own: a nested model's weights), for saying why none fitted a flat model.
  std::vector<std::string> keras3NestedModelGroups() const;
  // Keras 3 layout: every layer group holding variables ("layers/dense",
  // "layers/functional/layers/conv2d"), found by walking the file's own `layers/` tree (a layer's
  // inner objects, such as a Dropout's seed generator, are not listed). Empty for other layouts
  // and for tf.keras 2.12-2.14's naming, whose groups do not map one to one onto layers.
  std::vector<std::string> keras3LayerGroups() const;

  const std::optional<std::string>& modelConfig() const { return modelConfig_; }
  // In a weights-only file Graft wrote (Keras 2's save_weights layout): the model the weights
  // were saved from, in model_config form (graphToKerasJson); Keras ignores it.
  const std::optional<std::string>& graftModelConfig() const { return graftModelConfig_; }
  const std::string& kerasVersion() const { return kerasVersion_; }
  // The Keras 2 backend that wrote the file ("tensorflow", "theano", ...; "" when not said).
  const std::string& backend() const { return backend_; }
  // The Keras version when the file itself does not say (a .keras archive's metadata.json does):
  // tf.keras 2.12 and 2.13 named Keras 3-style groups differently.
  void assumeKerasVersion(const std::string& version) {
    if (kerasVersion_.empty()) kerasVersion_ = version;
  }

  Shape shape(const KerasH5Layer& layer, size_t weight) const;
  // Reads one dataset; `expected` is checked first so a wrong or absurd shape is refused
  // before anything is allocated.
  WeightTensor read(const KerasH5Layer& layer, size_t weight, const Shape& expected) const;

 private:
  void readLayout();
  // Members of `group` in every shard (one file: its own), each name once, in name order.
  std::vector<std::string> memberNames(const std::string& group) const;
  // The shard holding `object` (one file: the file).
  const h5::File& fileHolding(const std::string& object) const;
  std::vector<KerasH5Layer> keras3LayersFor(const Graph& graph,
                                            const std::function<bool(const Node&)>& hasWeights,
                                            const std::vector<LeftOutModel>& leftOut) const;

  h5::File file_;                      // the only file, or a sharded save's first shard
  std::vector<h5::File> otherShards_;  // a sharded save's other shards
  std::string indexPath_;              // a sharded save's index
  KerasWeightLayout layout_ = KerasWeightLayout::Keras2;
  std::string root_;  // "" or "/model_weights"
  std::vector<KerasH5Layer> layers_;
  std::optional<std::string> modelConfig_;
  std::optional<std::string> graftModelConfig_;
  std::string kerasVersion_;
  std::string backend_;
};

// "kernel" from "block1_conv1/kernel:0", "kernel" from Keras 3's "kernel",
// "W" from Keras 1's "block1_conv1_W_1:0" (the layer name prefix removed).
std::string weightBaseName(const std::string& storedName, const std::string& layerName);

}  // namespace graft
