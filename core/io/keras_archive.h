#pragma once
// A Keras 3 `.keras` file (also tf.keras 2.13-2.15's): a ZIP archive with config.json (the model,
// Keras 3's serialization), metadata.json (keras_version, date_saved) and model.weights.h5 (the
// Keras 3 weights layout, see keras_h5_reader.h). Read with libzip; the weights member is held in
// memory and opened by HDF5 from there.
#include <string>

#include "io/hdf5_file.h"
#include "io/keras_h5_reader.h"

namespace graft {

struct KerasArchive {
  std::string path;
  std::string config;        // config.json
  std::string kerasVersion;  // from metadata.json, "" when absent
  // metadata.json's "graft" object, which Graft's own .keras exports carry (Keras writes
  // metadata.json and never reads it back): {"preprocessing": "tf", "labels": [...]}. Null when
  // absent.
  Json graft;
  // model.weights.h5, empty when the archive has none: in place in the mapped archive when
  // stored (as Keras writes it), else inflated into memory; shared with the HDF5 file on it.
  h5::Image weights;

  // The weights member as a reader ("FILE.keras/model.weights.h5" in messages).
  KerasH5Reader weightsReader() const;
};

// Throws graft::Error naming the file and the member: not a ZIP, no config.json, sharded
// weights, members larger than any model.
KerasArchive readKerasArchive(const std::string& path);

}  // namespace graft
