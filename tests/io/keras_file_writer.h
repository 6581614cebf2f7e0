#pragma once
// Writes small Keras-layout weight files through the HDF5 library, in the naming styles Keras
// 1, 2 and 3 used, so the importer can be tested without Keras.
#include <string>
#include <vector>

#include "graph/weights.h"
#include "io/hdf5_file.h"

namespace graft::test {

enum class KerasNaming { Keras1, Keras2, Keras3 };

struct LayerToWrite {
  std::string name;
  std::vector<std::pair<std::string, WeightTensor>> weights;  // Keras weight name -> values
};

struct KerasFileOptions {
  KerasNaming naming = KerasNaming::Keras2;
  bool splitLayerNames = false;        // layer_names0, layer_names1 as Keras does past 64 KiB
  std::string modelConfig;             // non-empty: a full-model file under /model_weights
  bool reverseBatchNormOrder = false;  // store BN weights in an unusual order
  std::string kerasVersion = "2.2.4";  // the keras_version attribute
  std::string backend = "tensorflow";  // the backend attribute
};

void writeKerasWeights(const std::string& path, const std::vector<LayerToWrite>& layers,
                       const KerasFileOptions& options = {});

// A .keras ZIP archive holding config.json and metadata.json (keras_version) and no weights.
void writeKerasArchive(const std::string& path, const std::string& config,
                       const std::string& kerasVersion);

// Deterministic values 0.001 * (i + offset) so tests can tell tensors apart.
WeightTensor ramp(const Shape& shape, float offset);

}  // namespace graft::test
