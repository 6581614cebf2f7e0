#pragma once
// What a model file is, from its first bytes, never from its name: Keras 2 files named .keras and
// Keras 3 archives named .h5 both exist.
#include <string>

namespace graft {

enum class FileFormat {
  Hdf5,      // Keras .h5 / .weights.h5, Graft .graft projects
  Zip,       // Keras 3 (and tf.keras 2.13-2.15) .keras archives
  JsonText,  // Keras model_config / model.json
  Unknown,   // anything else
};

// Throws graft::Error naming the file when it cannot be read.
FileFormat detectFileFormat(const std::string& path);

// Throws graft::Error when `path` is a pipe, a device or a socket: reading one may never end
// (a FIFO with no writer blocks in open, /dev/zero never ends) and a model file must be seekable.
// A missing path, a folder or a regular file passes (their own checks say more).
void refuseSpecialFile(const std::string& path);

// An ONNX model (a protobuf ModelProto), from its first bytes: Graft writes them but reads none,
// so a user opening one is told to open the model it was exported from.
bool looksLikeOnnx(const std::string& path);

// "HDF5", "a ZIP archive", "JSON", or "none of these", for messages that list what was
// expected: "...; the file is none of these".
std::string describeFileFormat(FileFormat format);

}  // namespace graft
