#pragma once
// A Keras 3 `.keras` file (also tf.keras 2.13-2.15's): a ZIP archive with config.json (the model,
// Keras 3's serialization), metadata.json (keras_version, date_saved) and model.weights.h5 (the
// Keras 3 weights layout, see keras_h5_reader.h). Read with libzip; the weights member is held in
// memory and opened by HDF5 from there.
#include <cstdint>
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
  bool hasWeights = false;  // the archive has a model.weights.h5
  // model.weights.h5 once read (readKerasArchive, readKerasArchiveWeights): in place in the
  // mapped archive when stored (as Keras writes it), else inflated into memory; shared with the
  // HDF5 file on it.
  h5::Image weights;

  // The weights member as a reader ("FILE.keras/model.weights.h5" in messages).
  KerasH5Reader weightsReader() const;
};

// Every member is checked against its CRC-32 as it is read. Throws graft::Error naming the file
// and the member: not a ZIP, no config.json, sharded weights, a damaged member (CRC mismatch),
// members larger than any model.
KerasArchive readKerasArchive(const std::string& path);

// config.json and metadata.json only; model.weights.h5 is looked up (hasWeights) but not read,
// so that the model can bound its size first.
KerasArchive readKerasArchiveTopology(const std::string& path);

// Reads model.weights.h5 into `archive.weights`. A compressed member that declares more than
// `maxInflatedBytes` (and never more than maxWeightsMemberBytes()) is refused before anything
// is inflated, naming the member and its declared size; `bound` says where the limit comes
// from in that message ("the model's 34826 parameters").
void readKerasArchiveWeights(KerasArchive& archive, uint64_t maxInflatedBytes,
                             const std::string& bound);

// The most a model.weights.h5 may inflate to: limits::kMaxModelParams float32 values plus
// 64 MiB for HDF5's own structures, or the machine's physical memory, whichever is smaller.
uint64_t maxWeightsMemberBytes();

// What a model of `params` weights (and as many optimizer slots as Keras keeps beside them) can
// need in a Keras 3 weights file, HDF5's structures for `layers` layers included; at most
// maxWeightsMemberBytes().
uint64_t weightsMemberBytesFor(int64_t params, size_t layers);

}  // namespace graft
